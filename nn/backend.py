"""The few ``keras.backend`` functions that tutorials call.

>>> import nn
>>> nn.backend.clear_session()
>>> nn.backend.floatx()
'float32'
"""

from nn.layers.naming import clear_session


def floatx() -> str:
    """The default float type of weights and computations."""
    return "float32"


__all__ = ["clear_session", "floatx"]
