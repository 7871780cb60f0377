"""AdamW: Adam with decoupled weight decay switched on."""

from __future__ import annotations

from typing import Any

from .adam import Adam
from .base import LearningRate


class AdamW(Adam):
    """Adam plus decoupled weight decay (Loshchilov & Hutter), as in Keras: before
    each Adam update, ``w -= w * weight_decay * lr``.

    Parameters
    ----------
    params_or_learning_rate : float, schedule or iterable of Tensors
    learning_rate : float or schedule, default 0.001
    weight_decay : float, default 0.004
    beta_1, beta_2, epsilon, amsgrad : as for ``Adam``

    Examples
    --------
    >>> import optim
    >>> optim.AdamW(1e-3, weight_decay=0.01).weight_decay
    0.01
    """

    def __init__(
        self,
        params_or_learning_rate: Any = None,
        learning_rate: LearningRate | None = None,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError("AdamW needs a weight_decay (a float); for none, use Adam.")
        super().__init__(
            params_or_learning_rate,
            learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
