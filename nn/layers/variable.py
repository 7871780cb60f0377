"""``Variable``: a layer's weight - an autograd Tensor with a name and a trainable flag.

Weights are ordinary leaf Tensors, so ``loss.backward()`` fills their ``.grad``
and an optimizer updates them in place under ``autograd.no_grad()``. The only
additions are what Keras users look at: a name like ``"dense/kernel"``, a
``trainable`` flag, and a repr in the style of ``tf.Variable``.

>>> import numpy as np
>>> from nn.layers.variable import Variable
>>> v = Variable(np.zeros(3, dtype="float32"), name="dense/bias")
>>> v
<Variable 'dense/bias' shape=(3,) dtype=float32, numpy=array([0., 0., 0.], dtype=float32)>
>>> v.requires_grad
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor


class Variable(Tensor):
    """A named weight Tensor.

    Parameters
    ----------
    value : array-like
        Initial values (copied).
    name : str
        ``"<layer name>/<weight name>"``, e.g. ``"dense/kernel"``.
    trainable : bool
        Whether training should change this weight. Moving statistics of
        BatchNormalization are created with ``trainable=False``. A weight of a
        frozen layer keeps ``trainable=True`` but has ``requires_grad=False``.
    dtype : dtype, optional
        Defaults to the dtype of ``value``.
    regularizer : callable, optional
        Maps the weight to a scalar penalty (see ``nn.regularizers``).
    """

    def __init__(
        self,
        value: Any,
        name: str,
        trainable: bool = True,
        dtype: Any = None,
        regularizer: Any = None,
    ) -> None:
        super().__init__(value, requires_grad=trainable, dtype=dtype, name=name)
        self.trainable = bool(trainable)
        self.regularizer = regularizer

    @property
    def path(self) -> str:
        """The full name, as Keras 3 calls it (``"dense/kernel"``)."""
        return self.name

    def assign(self, value: Any) -> Variable:
        """Overwrite the values in place (same shape), outside the graph.

        >>> import numpy as np
        >>> v = Variable(np.zeros(2, dtype="float32"), name="w")
        >>> _ = v.assign([1.0, 2.0])
        >>> v.numpy()
        array([1., 2.], dtype=float32)
        """
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.shape != self.shape:
            raise ValueError(
                f"Cannot assign a value of shape {array.shape} to the weight '{self.name}' "
                f"of shape {self.shape}; the shapes must match."
            )
        # Weights require grad, and an in-place change must not be recorded.
        with autograd.no_grad():
            self.copy_(array.astype(self.dtype, copy=False))
        return self

    def assign_add(self, delta: Any) -> Variable:
        """In place, outside the graph: ``self += delta`` (e.g. a running total)."""
        with autograd.no_grad():
            self.add_(delta.data if isinstance(delta, Tensor) else np.asarray(delta, self.dtype))
        return self

    def assign_sub(self, delta: Any) -> Variable:
        """In place, outside the graph: ``self -= delta``."""
        with autograd.no_grad():
            self.sub_(delta.data if isinstance(delta, Tensor) else np.asarray(delta, self.dtype))
        return self

    def __repr__(self) -> str:
        values = repr(self.data)
        separator = "\n" if "\n" in values else ""
        return (
            f"<Variable '{self.name}' shape={self.shape} dtype={self.dtype}, "
            f"numpy={separator}{values}>"
        )
