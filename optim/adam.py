"""Adam: momentum plus a per-element step size from the squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import check_in_range
from .base import LearningRate, Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba), with Keras's equations. At step ``t`` (1 for the first)::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v)  if amsgrad  else  v
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (sqrt(v_hat) + epsilon)

    Parameters
    ----------
    params_or_learning_rate : float, schedule or iterable of Tensors
        The learning rate, or the parameters to update (see ``Optimizer``).
    learning_rate : float or schedule, default 0.001
    beta_1, beta_2 : float, default 0.9 and 0.999
    epsilon : float, default 1e-7
    amsgrad : bool, default False
    **kwargs : weight_decay, clipnorm, clipvalue, global_clipnorm, name

    Examples
    --------
    >>> import optim
    >>> optim.Adam(1e-3)
    <Adam learning_rate=0.001>
    """

    default_learning_rate = 0.001

    def __init__(
        self,
        params_or_learning_rate: Any = None,
        learning_rate: LearningRate | None = None,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__  # Adam or AdamW
        self.beta_1 = check_in_range(owner, "beta_1", beta_1, high=1.0, high_open=True)
        self.beta_2 = check_in_range(owner, "beta_2", beta_2, high=1.0, high_open=True)
        self.epsilon = check_in_range(owner, "epsilon", epsilon)
        self.amsgrad = amsgrad
        super().__init__(params_or_learning_rate, learning_rate, **kwargs)

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        state = {"momentum": np.zeros_like(param), "velocity": np.zeros_like(param)}
        if self.amsgrad:
            state["velocity_hat"] = np.zeros_like(param)
        return state

    def update(self, param: Tensor, grad: np.ndarray, state: dict, lr: float) -> None:
        # Both averages live in the optimizer's state: change them in place.
        m, v = state["momentum"], state["velocity"]
        # BEGIN SOLUTION hw4.adam
        t = self.iterations + 1
        alpha = lr * (1 - self.beta_2**t) ** 0.5 / (1 - self.beta_1**t)
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        if self.amsgrad:
            np.maximum(state["velocity_hat"], v, out=state["velocity_hat"])
            v = state["velocity_hat"]
        param.sub_(m * alpha / (np.sqrt(v) + self.epsilon))
        # END SOLUTION

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }
