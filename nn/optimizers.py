"""``nn.optimizers``: the ``optim`` package under its Keras name.

``keras.optimizers.Adam(1e-3)`` becomes ``nn.optimizers.Adam(1e-3)``; the
objects are the very same as ``optim.Adam``. Schedules are also under
``nn.optimizers.schedules`` as in Keras.
"""

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

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "LearningRateSchedule", "ExponentialDecay", "CosineDecay", "PiecewiseConstantDecay",
    "BUILTIN_OPTIMIZERS", "get", "schedules",
]
