"""Learning-rate schedules: a learning rate that depends on the step number.

Pass one as the learning rate of any optimizer; the optimizer calls it with its
``iterations`` (0 for the first step) before each update. The formulas are
Keras's.

>>> import optim
>>> schedule = optim.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> schedule(0), schedule(10), schedule(20)
(0.1, 0.05, 0.025)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``; subclass and define
    ``__call__`` and ``get_config`` (and register it with
    ``nn.saving.register_serializable`` to save it with a model)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is rounded down to an integer.

    >>> ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)(3)
    0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        if decay_steps <= 0:
            raise ValueError(f"decay_steps must be > 0, but got decay_steps={decay_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: int) -> float:
        # BEGIN SOLUTION hw4.exponential_decay
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p
        # END SOLUTION

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Half a cosine from ``initial_learning_rate`` down to
    ``alpha * initial_learning_rate`` over ``decay_steps``, then constant.

    With ``warmup_steps`` > 0 the rate first rises linearly from
    ``initial_learning_rate`` to ``warmup_target``, and the cosine then starts
    from ``warmup_target``.

    >>> CosineDecay(1.0, decay_steps=10)(5)
    0.5
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        if decay_steps <= 0:
            raise ValueError(f"decay_steps must be > 0, but got decay_steps={decay_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def __call__(self, step: int) -> float:
        # BEGIN SOLUTION hw4.cosine_decay
        start = self.initial_learning_rate
        if self.warmup_target is not None and self.warmup_steps > 0:
            if step < self.warmup_steps:
                return start + (self.warmup_target - start) * step / self.warmup_steps
            start = self.warmup_target
            step = step - self.warmup_steps
        fraction = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)
        # END SOLUTION

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while
    ``step <= boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    >>> s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> s(10), s(11), s(21)
    (1.0, 0.5, 0.1)
    """

    def __init__(
        self, boundaries: list[int], values: list[float], name: str = "PiecewiseConstant"
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "PiecewiseConstantDecay needs one more value than boundaries, but got "
                f"{len(boundaries)} boundaries {list(boundaries)} and {len(values)} values "
                f"{list(values)}."
            )
        if any(b >= c for b, c in zip(boundaries, boundaries[1:], strict=False)):
            raise ValueError(f"boundaries must be strictly increasing, got {list(boundaries)}.")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


BUILTIN_SCHEDULES = (ExponentialDecay, CosineDecay, PiecewiseConstantDecay)


def schedule_from_config(
    config: dict[str, Any], lookup: Callable[[str], type] | None = None
) -> LearningRateSchedule:
    """Rebuild a schedule from ``{"class_name": ..., "config": {...}}``.

    Only the built-ins can be named, plus whatever ``lookup(name)`` returns
    (``nn.saving`` passes its registry of classes you registered yourself)."""
    name = str(config.get("class_name"))
    cls = next((c for c in BUILTIN_SCHEDULES if c.__name__ == name), None)
    if cls is None and lookup is not None:
        cls = lookup(name)
    if not (isinstance(cls, type) and issubclass(cls, LearningRateSchedule)):
        raise ValueError(
            f"Unknown learning rate schedule {name!r}: expected one of "
            f"{[c.__name__ for c in BUILTIN_SCHEDULES]} or a registered schedule class."
        )
    return cls.from_config(config.get("config", {}))
