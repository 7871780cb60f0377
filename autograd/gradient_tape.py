"""``GradientTape``: TensorFlow's way of asking for gradients, on gradstack's engine.

In TensorFlow a tape records the ops run inside ``with tf.GradientTape() as tape:``
and ``tape.gradient(loss, variables)`` differentiates them. gradstack records
every op on a tensor that requires grad anyway, so the tape only has to

- make the tensors you ``watch`` require grad while the tape is open;
- hand ``gradient`` to ``autograd.grad`` (the engine's backward walk) and
  return the gradients of the sources you name - without touching any
  ``.grad``, so a hand-written loop and ``fit`` can share the same weights;
- refuse a second ``gradient`` call unless ``persistent=True``, as TensorFlow does.

>>> import autograd as tf
>>> x = tf.constant(3.0)
>>> with tf.GradientTape() as tape:
...     tape.watch(x)
...     y = x * x
>>> tape.gradient(y, x)
Tensor(6., shape=(), dtype=float32)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import engine
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


class GradientTape:
    """Record a computation, then ask for its gradients (``tf.GradientTape``).

    Parameters
    ----------
    persistent : bool
        Allow several ``gradient`` calls (the graph is kept until the tape is
        deleted). Without it the second call raises an error.
    watch_accessed_variables : bool
        Accepted for compatibility: trainable Variables (and any tensor with
        ``requires_grad=True``) are always watched.

    Examples
    --------
    The pattern of a custom training loop:

    >>> import autograd as tf, optim
    >>> w = tf.Variable([1.0, -2.0])
    >>> opt = optim.SGD(learning_rate=0.1)
    >>> with tf.GradientTape() as tape:
    ...     loss = tf.reduce_sum(w * w)
    >>> grads = tape.gradient(loss, [w])
    >>> opt.apply_gradients(zip(grads, [w]))
    >>> w.numpy()
    array([ 0.8, -1.6], dtype=float32)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self.persistent = bool(persistent)
        self._watched: list[Tensor] = []
        self._made_to_require_grad: list[Tensor] = []
        self._used = False
        self._recording = False
        self._grad_mode: Any = None

    # ------------------------------------------------------------------ recording
    def __enter__(self) -> GradientTape:
        self._recording = True
        self._grad_mode = enable_grad()  # inside a tape, ops must record
        self._grad_mode.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._recording = False
        self._grad_mode.__exit__(*exc_info)
        # Tensors we switched on stay in the graph already recorded; later ops on
        # them, outside the tape, should not record any more (as in TensorFlow).
        # (gradient() switches them on again for its own walk.)
        for t in self._made_to_require_grad:
            t.requires_grad = False

    def watch(self, tensor: Any) -> None:
        """Record the ops on ``tensor`` (or a list of tensors) from now on, so that
        gradients with respect to it can be asked for. Only floating-point tensors
        can be watched."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"GradientTape.watch: can only watch Tensors, but got "
                    f"{type(t).__name__}. Make one with tf.constant(...) first."
                )
            if not t.requires_grad:
                # (A tensor that does not require grad is always a leaf: nothing
                # recorded it, so from now on it starts a graph of its own.)
                t.requires_grad_(True)
                if self._recording:
                    self._made_to_require_grad.append(t)
            self._watched.append(t)

    def watched_variables(self) -> list[Tensor]:
        """The tensors passed to ``watch`` (trainable variables are watched anyway)."""
        return list(self._watched)

    def stop_recording(self) -> no_grad:
        """A context in which ops are not recorded (``with tape.stop_recording():``)."""
        return no_grad()

    def reset(self) -> None:
        """Forget what was watched, as a fresh tape would."""
        self._watched = []
        self._made_to_require_grad = []
        self._used = False

    # ------------------------------------------------------------------ gradients
    @contextmanager
    def _watched_tensors_on(self) -> Iterator[None]:
        """Watched constants require grad again while their gradients are computed."""
        for t in self._made_to_require_grad:
            t.requires_grad = True
        try:
            yield
        finally:
            if not self._recording:
                for t in self._made_to_require_grad:
                    t.requires_grad = False

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: str = "none",
    ) -> Any:
        """The gradient of ``target`` with respect to each source.

        Parameters
        ----------
        target : Tensor or list of Tensors
            A non-scalar target (or a list) is differentiated as the sum of its
            elements, as in TensorFlow, unless ``output_gradients`` says otherwise.
        sources : Tensor, or a list / tuple / dict of Tensors
            The answer has the same structure.
        output_gradients : array-like, optional
            The gradient with respect to ``target`` (one per target).
        unconnected_gradients : ``"none"`` or ``"zero"``
            What a source the target does not depend on gets.
        """
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients. Create it with tf.GradientTape(persistent=True) to call "
                "gradient() more than once."
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                f"unconnected_gradients must be 'none' or 'zero', not {unconnected_gradients!r}."
            )
        self._used = True
        flat_sources = _flatten(sources)
        for i, s in enumerate(flat_sources):
            if not isinstance(s, Tensor):
                raise TypeError(
                    f"GradientTape.gradient: source {i} is a {type(s).__name__}, not a Tensor. "
                    "Pass the variables (e.g. model.trainable_weights) or watched tensors."
                )
        targets = _flatten(target)
        if output_gradients is None:
            output_gradients = [None] * len(targets)
        elif len(targets) == 1:
            output_gradients = [output_gradients]
        with self._watched_tensors_on():
            found = _gradients(targets, list(output_gradients), flat_sources, self.persistent)
        if unconnected_gradients == "zero":
            found = [Tensor(np.zeros_like(s.data)) if g is None else g
                     for g, s in zip(found, flat_sources, strict=True)]
        return _pack_like(sources, found)

    def jacobian(self, target: Any, sources: Any) -> Any:
        """d target[i...] / d source[j...] for every element, shaped
        ``target.shape + source.shape``: one backward pass per element of ``target``
        (fine for the small examples jacobians are taught with)."""
        target = target if isinstance(target, Tensor) else Tensor(target)
        flat_sources = _flatten(sources)
        rows: list[list[np.ndarray]] = [[] for _ in flat_sources]
        for k in range(target.size):
            seed = np.zeros(target.shape, dtype=target.dtype)
            seed.reshape(-1)[k] = 1.0
            with self._watched_tensors_on():
                grads = _gradients([target], [seed], flat_sources, retain_graph=True)
            for i, (g, s) in enumerate(zip(grads, flat_sources, strict=True)):
                rows[i].append(np.zeros_like(s.data) if g is None else g.data)
        found = [
            Tensor(np.stack(r).reshape(target.shape + s.shape))
            for r, s in zip(rows, flat_sources, strict=True)
        ]
        return _pack_like(sources, found)


# ---------------------------------------------------------------------- helpers


def _gradients(
    targets: list[Tensor], seeds: list[Any], sources: list[Tensor], retain_graph: bool
) -> list[Tensor | None]:
    """``autograd.grad`` from the recorded targets to the sources that require grad;
    None for the rest (a frozen variable, a constant that was not watched)."""
    pairs = [(t, s) for t, s in zip(targets, seeds, strict=True)
             if isinstance(t, Tensor) and t.requires_grad]
    wanted = [s for s in sources if s.requires_grad]
    found: dict[int, Tensor | None] = {}
    if pairs and wanted:
        outputs = [t for t, _ in pairs]
        # A non-scalar target is differentiated as the sum of its elements.
        grad_outputs = [np.ones(t.shape, dtype=t.dtype) if s is None
                        else np.asarray(s.data if isinstance(s, Tensor) else s, dtype=t.dtype)
                        for t, s in pairs]
        grads = engine.grad(outputs, wanted, grad_outputs=grad_outputs,
                            retain_graph=retain_graph, allow_unused=True)
        found = {id(s): g for s, g in zip(wanted, grads, strict=True)}
    return [found.get(id(s)) for s in sources]


def _flatten(structure: Any) -> list[Any]:
    if isinstance(structure, dict):
        return [v for value in structure.values() for v in _flatten(value)]
    if isinstance(structure, (list, tuple)):
        return [v for value in structure for v in _flatten(value)]
    return [structure]


def _pack_like(structure: Any, flat: list[Any]) -> Any:
    items = iter(flat)

    def pack(s: Any) -> Any:
        if isinstance(s, dict):
            return {k: pack(v) for k, v in s.items()}
        if isinstance(s, list):
            return [pack(v) for v in s]
        if isinstance(s, tuple):
            return tuple(pack(v) for v in s)
        return next(items)

    return pack(structure)
