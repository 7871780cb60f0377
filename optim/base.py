"""``Optimizer``: the base class every optimizer shares.

An optimizer keeps, for each parameter, a little state (a momentum, a running
average of squared gradients, ...) and on ``step()`` moves each parameter
against its gradient. Subclasses write one method, ``update(param, grad,
state, lr)``, on NumPy arrays; everything else lives here:

- which parameters it updates (given now, or later by ``compile``/``fit``);
- the learning rate, a number or a schedule evaluated at ``iterations``;
- gradient clipping (``clipnorm``, ``clipvalue``, ``global_clipnorm``) and
  decoupled ``weight_decay``, in Keras's order: clip, decay, update;
- saving and restoring the state so that training resumes exactly.

The first positional argument is either the learning rate (Keras style) or
the parameters to update (PyTorch style, for a hand-written loop)::

    opt = optim.Adam(1e-3)                                   # for model.compile
    opt = optim.SGD(model.trainable_weights, learning_rate=0.1)   # for your own loop

Parameters are updated in place under ``autograd.no_grad()`` (``param.sub_``),
never by replacing ``param.data``: a graph that saved a parameter then fails
loudly if used after the update instead of giving wrong gradients.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from .arguments import check_optional
from .schedules import LearningRateSchedule, schedule_from_config

LearningRate = float | LearningRateSchedule  # what `learning_rate=` accepts


class Optimizer:
    """Base class: per-parameter state, ``step()``, ``zero_grad()``.

    Parameters
    ----------
    params_or_learning_rate : float, LearningRateSchedule or iterable of Tensors
        The learning rate (then the optimizer gets its parameters from
        ``compile``/``fit``, or from ``build(params)``), or the parameters to
        update in a hand-written loop (then give ``learning_rate=`` by keyword).
    learning_rate : float or LearningRateSchedule, optional
        The step size; a schedule is called with ``iterations`` before each step.
    weight_decay : float, optional
        Decoupled weight decay: before each update ``w -= w * weight_decay * lr``.
    clipnorm, clipvalue, global_clipnorm : float, optional
        Clip each gradient to this L2 norm, each element to ``[-v, v]``, or all
        gradients together to this global norm. At most one may be set; None or
        0 turns clipping off (as in Keras), a negative value is an error.
    name : str, optional

    Examples
    --------
    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = optim.SGD([w], learning_rate=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step(); opt.zero_grad()
    >>> w
    Tensor([0., 0.], shape=(2,), dtype=float32, requires_grad=True)
    """

    default_learning_rate = 0.001

    def __init__(
        self,
        params_or_learning_rate: Any = None,
        learning_rate: LearningRate | None = None,
        *,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
    ) -> None:
        params, learning_rate = _split_first_argument(
            type(self).__name__, params_or_learning_rate, learning_rate
        )
        if learning_rate is None:
            learning_rate = self.default_learning_rate
        _check_learning_rate(learning_rate)
        owner = type(self).__name__
        check_optional(owner, "weight_decay", weight_decay,
                       "A negative decay would push weights away from 0; None turns it off.")
        for clip_name, clip in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)):
            check_optional(owner, clip_name, clip,
                           "A negative clip would turn descent into ascent; None (or 0, as "
                           "in Keras) turns clipping off.")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set, "
                f"but got clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}."
            )
        self._learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self.params: list[Tensor] = []
        self.state: list[dict[str, np.ndarray]] = []
        if params is not None:
            self.build(params)

    # ------------------------------------------------------------- parameters
    @property
    def built(self) -> bool:
        return bool(self.params)

    def build(self, params: Iterable[Tensor]) -> None:
        """Set the parameters to update and create their (zero) state."""
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"{type(self).__name__} can only update Tensors that require grad, but "
                    f"parameter {i} is {_describe(p)}. Pass model.trainable_weights, or "
                    "tensors made with requires_grad=True."
                )
        self.params = params
        self.state = [self.init_state(p.data) for p in params]

    def init_state(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """The state one parameter starts with (subclasses add their slots)."""
        return {}

    # ------------------------------------------------------------- learning rate
    @property
    def learning_rate(self) -> float:
        """The learning rate for the next step (a schedule is evaluated at
        ``iterations``). Assign a number to change it."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return float(self._learning_rate(self.iterations))
        return float(self._learning_rate)

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if isinstance(self._learning_rate, LearningRateSchedule) and not isinstance(
            value, LearningRateSchedule
        ):
            raise TypeError(
                f"This optimizer's learning rate is a schedule "
                f"({type(self._learning_rate).__name__}), so a number cannot be assigned "
                "to it. Create the optimizer with a float learning rate if you want to set "
                "it by hand (or with LearningRateScheduler / ReduceLROnPlateau)."
            )
        _check_learning_rate(value)
        self._learning_rate = value

    # ------------------------------------------------------------- the step
    def zero_grad(self) -> None:
        """Forget the gradients of every parameter (sets ``.grad`` to None)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, then count one iteration."""
        if not self.params:
            raise RuntimeError(
                f"{type(self).__name__}.step() has no parameters to update. Pass them "
                f"when you create it ({type(self).__name__}(model.trainable_weights, "
                "learning_rate=...)), or use it through model.compile(optimizer=...)."
            )
        pairs = [(i, p.grad.data) for i, p in enumerate(self.params) if p.grad is not None]
        if not pairs:
            return  # nothing to do: no parameter received a gradient
        self._apply(pairs)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Keras's update: ``optimizer.apply_gradients(zip(grads, variables))``.

        The gradients come from ``tape.gradient(loss, variables)`` (or anywhere
        else); ``.grad`` is neither read nor changed. On the first call the
        optimizer takes these variables as its parameters; variables it has not
        seen before are added later. A None gradient (a variable the loss does
        not depend on) is skipped.

        >>> import autograd as tf, optim
        >>> w = tf.Variable([1.0])
        >>> optim.SGD(learning_rate=0.5).apply_gradients([(tf.constant([2.0]), w)])
        >>> w.numpy()
        array([0.], dtype=float32)
        """
        pairs = list(grads_and_vars)
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError(
                    f"apply_gradients expects (gradient, variable) pairs, as made by "
                    f"zip(grads, variables), but item {i} is {_describe(pair)}."
                )
        variables = [v for _, v in pairs]
        if not self.params:
            self.build(variables)
        else:
            known = {id(p) for p in self.params}
            new = [v for v in variables if id(v) not in known]
            if new:  # e.g. a layer built after the first step: keep the others' state
                old_state = self.state
                self.build(self.params + new)
                self.state[: len(old_state)] = old_state
        position = {id(p): i for i, p in enumerate(self.params)}
        updates = []
        for g, v in pairs:
            if g is None:
                continue
            g = g.data if isinstance(g, Tensor) else np.asarray(g, dtype=v.dtype)
            if g.shape != v.shape:
                raise ValueError(
                    f"apply_gradients: the gradient for '{v.name}' has shape {g.shape}, but "
                    f"the variable has shape {v.shape}. Pair each gradient with its own "
                    "variable: zip(tape.gradient(loss, variables), variables)."
                )
            updates.append((position[id(v)], g))
        if not updates and variables:
            raise ValueError(
                "apply_gradients: no gradients provided for any variable (all are None): "
                "the loss does not depend on these variables. Check that the loss was "
                "computed from them inside the GradientTape."
            )
        if updates:
            self._apply(updates)

    def _apply(self, pairs: list[tuple[int, np.ndarray]]) -> None:
        """Clip, decay and update ``self.params[i]`` with each ``(i, gradient)``."""
        grads = self.clip_gradients([g for _, g in pairs])
        lr = self.learning_rate
        with autograd.no_grad():
            for (i, _), grad in zip(pairs, grads, strict=False):
                param = self.params[i]
                if self.weight_decay:
                    param.sub_(param.data * (self.weight_decay * lr))
                self.update(param, grad, self.state[i], lr)
                # A weight's constraint (Keras: kernel_constraint=...) projects it
                # back after every update, e.g. onto unit norm or non-negative values.
                constraint = getattr(param, "constraint", None)
                if constraint is not None:
                    projected = constraint(param)
                    param.copy_(projected.data if isinstance(projected, Tensor) else projected)
        self.iterations += 1

    def update(self, param: Tensor, grad: np.ndarray, state: dict, lr: float) -> None:
        """Move one parameter (in place, e.g. ``param.sub_(lr * grad)``)."""
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def clip_gradients(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Apply ``clipnorm``, ``global_clipnorm`` or ``clipvalue`` (as Keras does)."""
        if self.clipnorm:
            # BEGIN SOLUTION hw4.gradient_clipping
            return [g * (self.clipnorm / max(_norm(g), self.clipnorm)) for g in grads]
            # END SOLUTION
        if self.global_clipnorm:
            # BEGIN SOLUTION hw4.gradient_clipping
            total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
            scale = self.global_clipnorm / max(total, self.global_clipnorm)
            return [g * scale for g in grads]
            # END SOLUTION
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ------------------------------------------------------------- config and state
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-serializable (schedules as configs)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = {"class_name": type(lr).__name__, "config": lr.get_config()}
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], lookup: Any = None) -> Optimizer:
        """Rebuild from ``get_config()``; ``lookup(name)`` resolves a custom schedule."""
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedule_from_config(lr, lookup)
        return cls(**config)

    def get_state(self) -> dict[str, np.ndarray]:
        """Everything that changes while training, as named arrays:
        ``iterations`` and ``<parameter index>/<slot>`` for each parameter."""
        arrays = {"iterations": np.array(self.iterations, dtype=np.int64)}
        for i, slots in enumerate(self.state):
            for slot, value in slots.items():
                arrays[f"{i}/{slot}"] = value
        return arrays

    def set_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore what ``get_state`` returned (the optimizer must be built with
        parameters of the same shapes)."""
        expected = self.get_state()
        if set(arrays) != set(expected):
            missing = sorted(set(expected) - set(arrays))
            extra = sorted(set(arrays) - set(expected))
            raise ValueError(
                f"Optimizer state does not match this {type(self).__name__}: missing "
                f"{missing[:5]}, unexpected {extra[:5]}. Was it saved from an optimizer of "
                "another kind, or for a model with other weights?"
            )
        for key, value in arrays.items():
            if np.shape(value) != np.shape(expected[key]):
                raise ValueError(
                    f"Optimizer state {key!r} has shape {np.shape(value)}, but this "
                    f"optimizer needs {np.shape(expected[key])}."
                )
        self.iterations = int(arrays["iterations"])
        for i, slots in enumerate(self.state):
            for slot in slots:
                np.copyto(slots[slot], arrays[f"{i}/{slot}"], casting="same_kind")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g}>"


# ---------------------------------------------------------------------- helpers


def _norm(g: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))


def _is_learning_rate(x: Any) -> bool:
    return isinstance(x, (int, float, np.number, LearningRateSchedule)) and not isinstance(
        x, bool
    )


def _split_first_argument(cls_name: str, first: Any, learning_rate: Any) -> tuple[Any, Any]:
    """Tell ``Opt(0.01)`` (a learning rate) from ``Opt(params, ...)`` (parameters)."""
    if first is None:
        return None, learning_rate
    if _is_learning_rate(first):
        if learning_rate is not None:
            raise TypeError(
                f"{cls_name} got two learning rates: {first!r} as the first argument and "
                f"learning_rate={learning_rate!r}. The first argument is the learning rate "
                "or the parameters; pass every other setting by keyword, e.g. "
                f"{cls_name}(0.01, momentum=0.9)."
            )
        return None, first
    if isinstance(first, Tensor):
        first = [first]
    if isinstance(first, Iterable) and not isinstance(first, (str, bytes, dict)):
        return list(first), learning_rate
    raise TypeError(
        f"{cls_name}: the first argument must be a learning rate (a float or a schedule) "
        f"or the parameters to update (a list of Tensors), but got {_describe(first)}."
    )


def _check_learning_rate(lr: Any) -> None:
    if isinstance(lr, LearningRateSchedule):
        return
    if not _is_learning_rate(lr) or not math.isfinite(lr) or lr < 0:
        raise ValueError(
            f"learning_rate must be a finite number >= 0 or a LearningRateSchedule, but got "
            f"{lr!r}."
        )


def _describe(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"a Tensor of shape {x.shape} with requires_grad=False"
    return f"{type(x).__name__} {x!r}"[:120]
