"""A tiny hand-written model for the training tests, written against the interface
contract that nn.Model fulfils (so these tests do not depend on nn.layers)."""

from __future__ import annotations

import numpy as np

import autograd
from autograd import Tensor
from nn.models.training import Trainer


class TinyMLP(Trainer):
    """Dense layers with relu between them; optional softmax/sigmoid on the output
    and an L2 penalty on the kernels (reported through ``model.losses``)."""

    def __init__(self, units=(8, 3), output_activation=None, l2=0.0, name="tiny_mlp"):
        self.units = tuple(units)
        self.output_activation = output_activation
        self.l2 = l2
        self.name = name
        self.built = False
        self._weights: list[Tensor] = []

    # -- the contract -------------------------------------------------------------
    def build(self, input_shape):
        rng = autograd.get_generator()
        self.input_shape = (None,) + tuple(input_shape[1:])
        n_in = input_shape[-1]
        self._weights = []
        for i, n_out in enumerate(self.units):
            limit = np.sqrt(6.0 / (n_in + n_out))
            kernel = rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)
            self._weights.append(Tensor(kernel, requires_grad=True, name=f"dense_{i}/kernel"))
            self._weights.append(
                Tensor(np.zeros(n_out, np.float32), requires_grad=True, name=f"dense_{i}/bias")
            )
            n_in = n_out
        self.built = True

    def __call__(self, x, training=False):
        if not isinstance(x, Tensor):
            x = np.asarray(x)
            x = autograd.tensor(x.astype(np.float32) if x.dtype == np.float64 else x)
        if not self.built:
            self.build(x.shape)
        h = x
        pairs = list(zip(self._weights[::2], self._weights[1::2], strict=False))
        for i, (kernel, bias) in enumerate(pairs):
            h = h @ kernel + bias
            if i < len(pairs) - 1:
                h = h.relu()
        if self.output_activation == "softmax":
            h = h.softmax()
        elif self.output_activation == "sigmoid":
            h = h.sigmoid()
        return h

    @property
    def trainable_weights(self):
        return list(self._weights)

    @property
    def non_trainable_weights(self):
        return []

    @property
    def weights(self):
        return list(self._weights)

    @property
    def layers(self):
        return []

    @property
    def losses(self):
        if not self.l2 or not self.built:
            return []
        return [self.l2 * (k * k).sum() for k in self._weights[::2]]

    def get_weights(self):
        return [w.numpy().copy() for w in self._weights]

    def set_weights(self, arrays):
        with autograd.no_grad():
            for w, a in zip(self._weights, arrays, strict=False):
                w.copy_(a)

    def get_config(self):
        return {"units": list(self.units), "output_activation": self.output_activation,
                "l2": self.l2, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def summary(self, print_fn=print):
        print_fn(f"TinyMLP {self.units}")


def blobs(n=120, classes=3, features=4, seed=0):
    """Well-separated Gaussian blobs: (x float32, integer labels)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 4, (classes, features))
    y = rng.integers(0, classes, n)
    x = centers[y] + rng.normal(0, 1, (n, features))
    return x.astype(np.float32), y
