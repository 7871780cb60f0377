"""Adagrad: each element's step shrinks with the sum of its squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import check_in_range
from .base import LearningRate, Optimizer


class Adagrad(Optimizer):
    """Adagrad with Keras's equations::

        acc += g**2                       # acc starts at initial_accumulator_value
        w -= lr * g / sqrt(acc + epsilon)

    Parameters
    ----------
    params_or_learning_rate : float, schedule or iterable of Tensors
    learning_rate : float or schedule, default 0.001
    initial_accumulator_value : float, default 0.1
    epsilon : float, default 1e-7
    **kwargs : weight_decay, clipnorm, clipvalue, global_clipnorm, name

    Examples
    --------
    >>> import optim
    >>> optim.Adagrad(0.01)
    <Adagrad learning_rate=0.01>
    """

    default_learning_rate = 0.001

    def __init__(
        self,
        params_or_learning_rate: Any = None,
        learning_rate: LearningRate | None = None,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        self.initial_accumulator_value = check_in_range(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value)
        self.epsilon = check_in_range("Adagrad", "epsilon", epsilon)
        super().__init__(params_or_learning_rate, learning_rate, **kwargs)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"accumulator": np.full_like(param, self.initial_accumulator_value)}

    def update(self, param: Tensor, grad: np.ndarray, state: dict, lr: float) -> None:
        acc = state["accumulator"]
        acc += grad * grad
        param.sub_(lr * grad / np.sqrt(acc + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
