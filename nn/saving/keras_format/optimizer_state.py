"""The optimizer's state in Keras 3's order (``optimizer/vars/0, 1, ...``).

Keras lists an optimizer's variables as: the iteration count, the learning
rate (when it is a number, not a schedule), then its slots. Slots are made in
groups; within a group they are interleaved per model variable (Adam:
``momentum_0, velocity_0, momentum_1, velocity_1, ...``, then every
``velocity_hat`` if amsgrad). The model variables are the trainable ones in
Keras's layer order. gradstack's slots have Keras's names, so the state moves
one to one; ``fit`` then resumes where Keras (or gradstack) stopped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nn.saving.keras_format.h5_weights import own_variables, weight_groups

SLOT_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Adam": (("momentum", "velocity"), ("velocity_hat",)),
    "AdamW": (("momentum", "velocity"), ("velocity_hat",)),
    "SGD": (("momentum",),),
    "RMSprop": (("velocity",), ("momentum",), ("average_gradient",)),
    "Adagrad": (("accumulator",),),
}


def _keras_trainable(model: Any) -> list:
    return [w for _, layer in weight_groups(model) for w in own_variables(layer)
            if w.trainable and w.requires_grad]


def _slot_arrays(optimizer: Any, model: Any) -> list[tuple[Any, str, np.ndarray]] | None:
    """``(model variable, slot name, array)`` in Keras's order, or None when this
    optimizer's state has no Keras form."""
    groups = SLOT_GROUPS.get(type(optimizer).__name__)
    if groups is None:
        return None
    variables = _keras_trainable(model)
    if optimizer.built:
        position = {id(p): i for i, p in enumerate(optimizer.params)}
        if any(id(v) not in position for v in variables):
            return None
        states = [optimizer.state[position[id(v)]] for v in variables]
    else:
        states = [optimizer.init_state(v.data) for v in variables]
    out = []
    for group in groups:
        for variable, state in zip(variables, states, strict=True):
            out.extend((variable, slot, state[slot]) for slot in group if slot in state)
    return out


def keras_optimizer_arrays(optimizer: Any, model: Any) -> list[np.ndarray] | None:
    """The arrays Keras stores under ``optimizer/vars``, or None if it has no Keras form."""
    slots = _slot_arrays(optimizer, model)
    if slots is None:
        return None
    arrays = [np.array(optimizer.iterations, dtype=np.int64)]
    if isinstance(optimizer._learning_rate, (int, float)):
        arrays.append(np.array(optimizer.learning_rate, dtype=np.float32))
    return arrays + [array for _, _, array in slots]


def restore_keras_optimizer(optimizer: Any, model: Any, arrays: list[np.ndarray]) -> bool:
    """Fill a freshly compiled optimizer from Keras's arrays; False if they do not fit
    (the optimizer is then left with its fresh state)."""
    optimizer.build(model.trainable_weights)
    slots = _slot_arrays(optimizer, model)
    expected_head = 2 if isinstance(optimizer._learning_rate, (int, float)) else 1
    if slots is None or len(arrays) != expected_head + len(slots):
        return False
    for (_, _, target), value in zip(slots, arrays[expected_head:], strict=True):
        if target.shape != value.shape:
            return False
    for (_, _, target), value in zip(slots, arrays[expected_head:], strict=True):
        np.copyto(target, value, casting="same_kind")
    optimizer.iterations = int(arrays[0])
    return True
