"""The recurrent cells: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``.

A cell holds the weights and knows one time step: ``cell(x_t, states)`` returns
``(output, new_states)`` with ordinary autograd ops, so you can step a cell by
hand and watch its gates. ``layers.RNN`` (and ``SimpleRNN``/``LSTM``/``GRU``)
run the whole sequence through the cell's ``sequence`` method instead: one fused
op from ``autograd/ops/recurrent.py`` with the same equations, so a sequence
costs one graph node, not one per gate per step.

Weights have Keras's names, shapes and gate order (``kernel``,
``recurrent_kernel``, ``bias``), so ``get_weights()`` moves 1:1 to and from Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.ops.recurrent import ACTIVATIONS, lstm_states
from autograd.random import dropout_mask
from nn import activations, initializers, regularizers
from nn.layers.base import Layer
from nn.layers.config import check_rate
from nn.saving.registry import register


class _Cell(Layer):
    """What the three built-in cells share: arguments, weights, dropout masks."""

    gates = 1  # blocks of `units` in the kernel's last axis

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{where}: units must be a positive int, got {units!r}.")
        for argument, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            check_rate(where, argument, rate)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self.kernel: Tensor | None = None
        self.recurrent_kernel: Tensor | None = None
        self.bias: Tensor | None = None

    @property
    def state_size(self) -> Any:
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], width), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, name="recurrent_kernel")
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(), initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer, name="bias")
        self.built = True

    def dropout_masks(self, inputs_shape: tuple, dtype: Any, training: Any) -> tuple:
        """The (batch, features) input mask and (batch, units) state mask for one
        sequence: Keras uses the same masks at every step. None when not dropping."""
        if not training:
            return None, None
        rng = self._generator if self._generator is not None else autograd.get_generator()
        batch = inputs_shape[0]

        def mask(shape, rate):
            if rate == 0.0:
                return None
            return dropout_mask(rng, shape, rate, dtype)

        return (mask((batch, inputs_shape[-1]), self.dropout),
                mask((batch, self.units), self.recurrent_dropout))

    def fused_activations(self) -> tuple | None:
        """The activation names for the fused op, or None if one has no fused version."""
        names = [activations.serialize(self.activation)]
        if hasattr(self, "recurrent_activation"):
            names.append(activations.serialize(self.recurrent_activation))
        return tuple(names) if all(n in ACTIVATIONS for n in names) else None

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: ``h = activation(x @ W + h_prev @ U + b)``.

    >>> import nn, numpy as np
    >>> cell = nn.layers.SimpleRNNCell(4)
    >>> out, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
    >>> out.shape
    (2, 4)
    """

    def call(self, inputs: Tensor, states: Any, training: Any = None) -> tuple:
        (h_prev,) = _as_list(states)
        h = self.activation(
            autograd.linear(inputs, self.kernel, self.bias) + h_prev @ self.recurrent_kernel)
        return h, [h]

    def sequence(self, x, initial_state, mask, recurrent_mask) -> tuple:
        """All outputs (batch, steps, units) and the final states, in one op."""
        (activation,) = self.fused_activations()
        h0 = None if initial_state is None else initial_state[0]
        hs = autograd.simple_rnn(x, self.kernel, self.recurrent_kernel, self.bias, h0, mask,
                                 recurrent_mask, activation=activation)
        return hs, [hs[:, -1]]


class LSTMCell(_Cell):
    """One step of a long short-term memory (gates i, f, c, o in Keras's order)::

        i = σ(x W_i + h U_i + b_i)      input gate
        f = σ(x W_f + h U_f + b_f)      forget gate
        g = tanh(x W_c + h U_c + b_c)   candidate cell values
        o = σ(x W_o + h U_o + b_o)      output gate
        c_new = f * c + i * g
        h_new = o * tanh(c_new)

    ``unit_forget_bias=True`` (the default) starts the forget gate's bias at 1, so
    that a new LSTM remembers by default.

    >>> import nn, numpy as np
    >>> cell = nn.layers.LSTMCell(4)
    >>> out, (h, c) = cell(np.ones((2, 3)), [np.zeros((2, 4)), np.zeros((2, 4))])
    >>> c.shape
    (2, 4)
    """

    gates = 4

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self) -> list:
        return [self.units, self.units]

    def _bias_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(shape: tuple, dtype: Any = "float32") -> np.ndarray:
            return np.concatenate([init((units,), dtype=dtype), np.ones(units, dtype=dtype),
                                   init((2 * units,), dtype=dtype)])

        return forget_bias_one

    def call(self, inputs: Tensor, states: Any, training: Any = None) -> tuple:
        h_prev, c_prev = _as_list(states)
        n, act, ract = self.units, self.activation, self.recurrent_activation
        z = autograd.linear(inputs, self.kernel, self.bias) + h_prev @ self.recurrent_kernel
        i, f = ract(z[:, :n]), ract(z[:, n:2 * n])
        g, o = act(z[:, 2 * n:3 * n]), ract(z[:, 3 * n:])
        c = f * c_prev + i * g
        h = o * act(c)
        return h, [h, c]

    def sequence(self, x, initial_state, mask, recurrent_mask) -> tuple:
        activation, recurrent_activation = self.fused_activations()
        out = autograd.lstm(x, self.kernel, self.recurrent_kernel, self.bias, initial_state,
                            mask, recurrent_mask, activation=activation,
                            recurrent_activation=recurrent_activation)
        hs, h_last, c_last = lstm_states(out)
        return hs, [h_last, c_last]

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of a gated recurrent unit (gates z, r, h in Keras's order)::

        z = σ(x W_z + h U_z + b_z)                     update gate
        r = σ(x W_r + h U_r + b_r)                     reset gate
        ĥ = tanh(x W_h + b_h + r * (h U_h + b'_h))     reset_after=True (default)
        ĥ = tanh(x W_h + b_h + (r * h) U_h)            reset_after=False
        h_new = z * h + (1 - z) * ĥ

    With ``reset_after=True`` the bias has shape ``(2, 3 * units)``: an input bias
    and a recurrent bias (the cuDNN form, Keras's default).

    >>> import nn, numpy as np
    >>> cell = nn.layers.GRUCell(4)
    >>> _ = cell(np.ones((2, 3)), [np.zeros((2, 4))])
    >>> cell.bias.shape
    (2, 12)
    """

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs: Tensor, states: Any, training: Any = None) -> tuple:
        (h_prev,) = _as_list(states)
        n, act, ract = self.units, self.activation, self.recurrent_activation
        b_in = b_rec = None
        if self.use_bias:
            b_in, b_rec = (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
        xw = autograd.linear(inputs, self.kernel, b_in)
        u = self.recurrent_kernel
        if self.reset_after:
            hu = h_prev @ u if b_rec is None else h_prev @ u + b_rec
            z = ract(xw[:, :n] + hu[:, :n])
            r = ract(xw[:, n:2 * n] + hu[:, n:2 * n])
            hh = act(xw[:, 2 * n:] + r * hu[:, 2 * n:])
        else:
            hu = h_prev @ u[:, :2 * n]
            z = ract(xw[:, :n] + hu[:, :n])
            r = ract(xw[:, n:2 * n] + hu[:, n:])
            hh = act(xw[:, 2 * n:] + (r * h_prev) @ u[:, 2 * n:])
        h = z * h_prev + (1.0 - z) * hh
        return h, [h]

    def sequence(self, x, initial_state, mask, recurrent_mask) -> tuple:
        activation, recurrent_activation = self.fused_activations()
        h0 = None if initial_state is None else initial_state[0]
        hs = autograd.gru(x, self.kernel, self.recurrent_kernel, self.bias, h0, mask,
                          recurrent_mask, activation=activation,
                          recurrent_activation=recurrent_activation,
                          reset_after=self.reset_after)
        return hs, [hs[:, -1]]

    def get_config(self) -> dict:
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


def _as_list(states: Any) -> list:
    if isinstance(states, (list, tuple)):
        return [s if isinstance(s, Tensor) else autograd.tensor(np.asarray(s, np.float32))
                for s in states]
    return [states]


# The classes a saved file may name (nn/saving/registry.py).
register(SimpleRNNCell)
register(LSTMCell)
register(GRUCell)
