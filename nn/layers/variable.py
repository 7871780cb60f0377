"""``Variable``: a layer's weight - an ``autograd.Variable`` with a regularizer.

Weights are ordinary leaf Tensors, so ``loss.backward()`` fills their ``.grad``
and an optimizer updates them in place under ``autograd.no_grad()``. What Keras
users look at comes from ``autograd.Variable`` (``autograd/variable.py``): a name
like ``"dense/kernel"``, a ``trainable`` flag, ``assign``/``assign_add``/
``assign_sub`` and a repr in the style of ``tf.Variable``. A layer's weight adds
only its ``regularizer``.

>>> import numpy as np
>>> from nn.layers.variable import Variable
>>> v = Variable(np.zeros(3, dtype="float32"), name="dense/bias")
>>> v
<Variable 'dense/bias' shape=(3,) dtype=float32, numpy=array([0., 0., 0.], dtype=float32)>
>>> v.requires_grad
True

It is also Keras 3's ``keras.Variable(initializer, shape=None, dtype=None,
trainable=True, name=None)``: the first argument may be an initial value, or an
initializer (a name or a callable ``(shape, dtype)``) when ``shape`` is given.

>>> import nn as keras
>>> keras.Variable(initializer="ones", shape=(2,), name="scale").numpy()
array([1., 1.], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd


class Variable(autograd.Variable):
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
    initializer, shape : optional
        Keras 3's form: ``Variable(initializer="zeros", shape=(3,))``.
    constraint : callable, optional
        Applied to the weight after each optimizer update (``nn.constraints``
        style: ``w -> projected w``).
    autocast, aggregation, synchronization : optional
        Accepted for compatibility with Keras; they change nothing here.
    """

    def __init__(
        self,
        value: Any = None,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        regularizer: Any = None,
        *,
        initializer: Any = None,
        shape: Any = None,
        constraint: Any = None,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
    ) -> None:
        if value is None:
            value = initializer
        if shape is not None and (isinstance(value, str) or (
                callable(value) and not isinstance(value, np.ndarray | autograd.Tensor))):
            from nn import initializers  # the front end's initializers, by name or object

            shape = (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)
            value = np.asarray(initializers.get(value)(shape, dtype=np.dtype(dtype or "float32")))
        super().__init__(value, trainable=trainable, name=name, dtype=dtype)
        self.regularizer = regularizer
        self.constraint = constraint

    @property
    def value(self) -> Variable:  # type: ignore[override]
        """The current value: Keras 3 reads ``variable.value`` as a property (where
        TensorFlow's ``tf.Variable.value()`` is a method)."""
        return self
