"""The few ``keras.backend`` functions that tutorials call (tf.keras's
``keras.backend``; Keras 3 moved the maths to ``keras.ops``).

>>> import nn
>>> nn.backend.clear_session()
>>> nn.backend.floatx()
'float32'
>>> float(nn.backend.std([1.0, 3.0]))
1.0
"""

from typing import Any

from autograd import Tensor
from autograd.tensorflow_names import reduce_mean, reduce_std
from nn import random as random_module
from nn.layers.naming import clear_session


def floatx() -> str:
    """The default float type of weights and computations."""
    return "float32"


def epsilon() -> float:
    """The small number Keras adds to avoid dividing by zero (1e-7)."""
    return 1e-7


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``keras.backend.mean``: the mean (of all items, or along ``axis``)."""
    return reduce_mean(x, axis=axis, keepdims=keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``keras.backend.std``: the population standard deviation, as in Keras."""
    return reduce_std(x, axis=axis, keepdims=keepdims)


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                  seed: Any = None) -> Tensor:
    """``keras.backend.random_normal`` (tf.keras): ``nn.random.normal``, Keras 3's
    ``keras.random.normal``. ``shape`` may hold sizes read with ``tf.shape``."""
    shape = tuple(int(d) for d in (shape.numpy() if isinstance(shape, Tensor) else shape))
    return random_module.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


__all__ = ["clear_session", "epsilon", "floatx", "mean", "random_normal", "std"]
