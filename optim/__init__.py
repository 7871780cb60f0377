"""optim: optimizers for ``model.compile`` and for hand-written training loops.

Two ways to use one::

    model.compile(optimizer=optim.Adam(1e-3), loss="mse")      # first argument: learning rate

    opt = optim.SGD(model.trainable_weights, learning_rate=0.1) # first argument: parameters
    loss = loss_fn(y, model(x))
    loss.backward()
    opt.step()
    opt.zero_grad()

Where things are: ``base.py`` (Optimizer: state, clipping, weight decay,
saving), one file per optimizer, ``schedules.py`` (learning-rate schedules).
``nn.optimizers`` is this package under its Keras name.
"""

from typing import Any

from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .base import Optimizer
from .rmsprop import RMSprop
from .schedules import (
    BUILTIN_SCHEDULES,
    CosineDecay,
    ExponentialDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
)
from .sgd import SGD

# The optimizers a saved file may name (read by nn/saving/registry.py).
BUILTIN_OPTIMIZERS = (SGD, Adam, AdamW, RMSprop, Adagrad)

# Keras's string names; looked up case-insensitively.
_NAMES = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (``"adam"``, case-insensitive), a config dict
    (``{"class_name": "Adam", "config": {...}}``) or an Optimizer (returned as is).

    >>> import optim
    >>> optim.get("Adam")
    <Adam learning_rate=0.001>
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Known names: "
                f"{sorted(_NAMES)}; or pass an optimizer object, e.g. optim.Adam(1e-3)."
            )
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        name = str(identifier["class_name"])
        for cls in BUILTIN_OPTIMIZERS:
            if cls.__name__ == name:
                return cls.from_config(identifier.get("config", {}))
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Pass a name such as "
        "'adam', or an optimizer object such as optim.Adam(learning_rate=1e-3)."
    )


__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "LearningRateSchedule", "ExponentialDecay", "CosineDecay", "PiecewiseConstantDecay",
    "BUILTIN_OPTIMIZERS", "BUILTIN_SCHEDULES", "get",
]
