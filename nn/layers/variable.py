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
"""

from __future__ import annotations

from typing import Any

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
    """

    def __init__(
        self,
        value: Any,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        regularizer: Any = None,
    ) -> None:
        super().__init__(value, trainable=trainable, name=name, dtype=dtype)
        self.regularizer = regularizer
