"""``nn.optimizers``: the ``optim`` package under its Keras name.

``keras.optimizers.Adam(1e-3)`` becomes ``nn.optimizers.Adam(1e-3)``; the
objects are the very same as ``optim.Adam``. Schedules are also under
``nn.optimizers.schedules`` as in Keras.
"""

from nn.saving.registry import register
from optim import (
    BUILTIN_OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineDecay,
    ExponentialDecay,
    LearningRateSchedule,
    Optimizer,
    PiecewiseConstantDecay,
    RMSprop,
    get,
    schedules,
)

# The optimizers a saved file may name (nn/saving/registry.py); optim itself knows
# nothing of nn, so they are listed here.
register(SGD, kind="optimizer")
register(Adam, kind="optimizer")
register(AdamW, kind="optimizer")
register(RMSprop, kind="optimizer")
register(Adagrad, kind="optimizer")

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "LearningRateSchedule", "ExponentialDecay", "CosineDecay", "PiecewiseConstantDecay",
    "BUILTIN_OPTIMIZERS", "get", "schedules",
]
