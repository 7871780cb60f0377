"""RMSprop: divide each step by a running root-mean-square of the gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import check_in_range
from .base import LearningRate, Optimizer


class RMSprop(Optimizer):
    """RMSprop with Keras's equations (``epsilon`` inside the square root)::

        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g              # only if centered
        step = lr * g / sqrt(v - a**2 + eps)     # centered
        step = lr * g / sqrt(v + eps)            # not centered
        mom = momentum * mom + step;  w -= mom   # if momentum > 0
        w -= step                                # otherwise

    Parameters
    ----------
    params_or_learning_rate : float, schedule or iterable of Tensors
    learning_rate : float or schedule, default 0.001
    rho : float, default 0.9
    momentum : float, default 0.0
    epsilon : float, default 1e-7
    centered : bool, default False
    **kwargs : weight_decay, clipnorm, clipvalue, global_clipnorm, name

    Examples
    --------
    >>> import optim
    >>> optim.RMSprop(rho=0.8).rho
    0.8
    """

    default_learning_rate = 0.001

    def __init__(
        self,
        params_or_learning_rate: Any = None,
        learning_rate: LearningRate | None = None,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        self.rho = check_in_range("RMSprop", "rho", rho, high=1.0, high_open=True)
        self.momentum = check_in_range("RMSprop", "momentum", momentum, high=1.0)
        self.epsilon = check_in_range("RMSprop", "epsilon", epsilon)
        self.centered = centered
        super().__init__(params_or_learning_rate, learning_rate, **kwargs)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        state = {"velocity": np.zeros_like(param)}
        if self.momentum > 0:
            state["momentum"] = np.zeros_like(param)
        if self.centered:
            state["average_gradient"] = np.zeros_like(param)
        return state

    def update(self, param: Tensor, grad: np.ndarray, state: dict, lr: float) -> None:
        rho = self.rho
        v = state["velocity"]
        v *= rho
        v += (1 - rho) * grad * grad
        if self.centered:
            a = state["average_gradient"]
            a *= rho
            a += (1 - rho) * grad
            denominator = v - a * a + self.epsilon
        else:
            denominator = v + self.epsilon
        step = lr * grad / np.sqrt(denominator)
        if self.momentum > 0:
            mom = state["momentum"]
            mom *= self.momentum
            mom += step
            param.sub_(mom)
        else:
            param.sub_(step)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
