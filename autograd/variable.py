"""``Variable``: a Tensor that holds state you change in place, as ``tf.Variable`` does.

A Variable is an ordinary leaf Tensor (so ``backward()`` and ``autograd.grad``
reach it) with three additions TensorFlow code relies on: a ``trainable`` flag,
``assign``/``assign_add``/``assign_sub`` that change the values in place outside
the graph, and a repr in the style of ``tf.Variable``. Layer weights
(``nn.layers.Variable``) are Variables too.

>>> import autograd as tf
>>> v = tf.Variable([1.0, 2.0], name="v")
>>> _ = v.assign_add([1.0, 1.0])
>>> v
<Variable 'v' shape=(2,) dtype=float32, numpy=array([2., 3.], dtype=float32)>
>>> tf.Variable(0.0, trainable=False).requires_grad
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor


class Variable(Tensor):
    """A named, trainable-or-not leaf Tensor with in-place ``assign``.

    Parameters
    ----------
    initial_value : array-like, Tensor or callable
        The starting values (copied). A callable is called with no arguments,
        as TensorFlow allows (``tf.Variable(lambda: tf.zeros((2,)))``).
    trainable : bool
        Whether gradients should flow to it (``requires_grad``). A
        ``GradientTape`` watches trainable variables by itself.
    name : str, optional
    dtype : dtype, optional
        Defaults to the dtype of ``initial_value`` (float32 for Python floats).
    """

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        if initial_value is None:
            raise ValueError(
                "Variable needs an initial value, e.g. tf.Variable(tf.zeros((3,))) or "
                "tf.Variable(initial_value=0.0)."
            )
        if callable(initial_value) and not isinstance(initial_value, Tensor):
            initial_value = initial_value()
        array = initial_value.data if isinstance(initial_value, Tensor) else initial_value
        floating = np.asarray(array).dtype.kind in "fc" or (
            dtype is not None and np.dtype(dtype).kind in "fc"
        )
        # Integer variables (step counters) cannot require grad; they are state only.
        super().__init__(array, requires_grad=bool(trainable) and floating, dtype=dtype, name=name)
        self.trainable = bool(trainable)

    @property
    def path(self) -> str | None:
        """The full name, as Keras 3 calls it (``"dense/kernel"``)."""
        return self.name

    def value(self) -> Tensor:
        """The current values, as a Tensor in the graph (this variable itself)."""
        return self

    def read_value(self) -> Tensor:
        """The current values as a new tensor outside the graph."""
        return Tensor(self.data)

    def assign(self, value: Any) -> Variable:
        """Overwrite the values in place (same shape), outside the graph.

        >>> import numpy as np, autograd
        >>> v = autograd.Variable(np.zeros(2, dtype="float32"), name="w")
        >>> _ = v.assign([1.0, 2.0])
        >>> v.numpy()
        array([1., 2.], dtype=float32)
        """
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.shape != self.shape:
            raise ValueError(
                f"Cannot assign a value of shape {array.shape} to the variable '{self.name}' "
                f"of shape {self.shape}; the shapes must match."
            )
        # The variable may require grad, and an in-place change must not be recorded.
        with no_grad():
            self.copy_(array.astype(self.dtype, copy=False))
        return self

    def assign_add(self, delta: Any) -> Variable:
        """In place, outside the graph: ``self += delta`` (e.g. a running total)."""
        with no_grad():
            self.add_(delta.data if isinstance(delta, Tensor) else np.asarray(delta, self.dtype))
        return self

    def assign_sub(self, delta: Any) -> Variable:
        """In place, outside the graph: ``self -= delta``."""
        with no_grad():
            self.sub_(delta.data if isinstance(delta, Tensor) else np.asarray(delta, self.dtype))
        return self

    def __repr__(self) -> str:
        values = repr(self.data)
        separator = "\n" if "\n" in values else ""
        return (
            f"<Variable '{self.name}' shape={self.shape} dtype={self.dtype}, "
            f"numpy={separator}{values}>"
        )
