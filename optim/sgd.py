"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import check_in_range
from .base import LearningRate, Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum (Keras's equations).

    Without momentum: ``w -= lr * g``. With momentum ``m`` (velocity ``v``,
    starting at 0)::

        v = m * v - lr * g
        w += v                      # nesterov=False
        w += m * v - lr * g         # nesterov=True

    Parameters
    ----------
    params_or_learning_rate : float, schedule or iterable of Tensors
        The learning rate, or the parameters to update (see ``Optimizer``).
    learning_rate : float or schedule, default 0.01
    momentum : float, default 0.0
    nesterov : bool, default False
    **kwargs : weight_decay, clipnorm, clipvalue, global_clipnorm, name

    Examples
    --------
    >>> import optim
    >>> optim.SGD(0.1, momentum=0.9)
    <SGD learning_rate=0.1>
    """

    default_learning_rate = 0.01

    def __init__(
        self,
        params_or_learning_rate: Any = None,
        learning_rate: LearningRate | None = None,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        check_in_range("SGD", "momentum", momentum, high=1.0)
        self.momentum = momentum
        self.nesterov = nesterov
        super().__init__(params_or_learning_rate, learning_rate, **kwargs)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(param)} if self.momentum else {}

    def update(self, param: Tensor, grad: np.ndarray, state: dict, lr: float) -> None:
        if not self.momentum:
            param.sub_(lr * grad)  # plain gradient descent
            return
        # The velocity lives in the optimizer's state: change it in place, so that it
        # carries over to the next step (and get_state/set_state save and restore it).
        velocity = state["momentum"]
        # BEGIN SOLUTION hw4.sgd_momentum
        velocity *= self.momentum
        velocity -= lr * grad
        if self.nesterov:
            param.add_(self.momentum * velocity - lr * grad)
        else:
            param.add_(velocity)
        # END SOLUTION

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
