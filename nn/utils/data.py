"""Turning what a user passes to ``fit`` into batches of NumPy arrays.

``x`` may be one array or a list / tuple / dict of arrays (a model with
several inputs); ``y`` and ``sample_weight`` are arrays. Everything is checked
once, up front, so that a mistake is reported in terms of what was passed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

import autograd
from autograd import Tensor


def to_arrays(data: Any, what: str) -> Any:
    """An array, or a list / dict of arrays, from arrays, Tensors, or nested lists."""
    if data is None:
        return None
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, dict):
        return {k: to_arrays(v, f"{what}[{k!r}]") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(
        isinstance(d, (np.ndarray, Tensor)) for d in data
    ):
        return [to_arrays(d, f"{what}[{i}]") for i, d in enumerate(data)]
    if isinstance(data, np.ndarray):
        return data
    try:
        array = np.asarray(data)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"Could not turn {what} into an array: {err}") from None
    if array.dtype == object:
        raise TypeError(
            f"{what} must be a NumPy array (or a list / dict of arrays for several inputs), "
            f"but got {type(data).__name__} holding objects NumPy cannot stack."
        )
    return array


def leaves(data: Any) -> list[np.ndarray]:
    if data is None:
        return []
    if isinstance(data, dict):
        return list(data.values())
    if isinstance(data, list):
        return data
    return [data]


def num_samples(x: Any, y: Any = None, sample_weight: Any = None) -> int:
    """The common length of every array, or a clear error naming the sizes."""
    sizes = {}
    for name, data in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for array in leaves(data):
            if array.ndim == 0:
                raise ValueError(
                    f"{name} is a single number (shape ()); fit needs one row per sample. "
                    "Wrap it, e.g. np.array([[value]])."
                )
            sizes.setdefault(name, []).append(array.shape[0])
    found = {n for values in sizes.values() for n in values}
    if len(found) > 1:
        given = {"x": x, "y": y, "sample_weight": sample_weight}
        detail = ", ".join(
            f"{name} has {'/'.join(map(str, values))} (shape "
            f"{', '.join(str(a.shape) for a in leaves(given[name]))})"
            for name, values in sizes.items()
        )
        raise ValueError(
            f"Data cardinality is ambiguous: the arrays do not have the same number of samples: "
            f"{detail}. Make sure x, y (and sample_weight) all have the same length on their "
            "first axis."
        )
    return found.pop() if found else 0


def take(data: Any, index: Any) -> Any:
    """Rows ``index`` (a slice or an index array) of an array or a structure of them."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: v[index] for k, v in data.items()}
    if isinstance(data, list):
        return [v[index] for v in data]
    return data[index]


def split_validation(arrays: tuple, validation_split: float) -> tuple[tuple, tuple]:
    """The last ``validation_split`` of the samples for validation, as Keras does
    (before any shuffling)."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(
            f"validation_split must be between 0 and 1, but got {validation_split}."
        )
    n = num_samples(*arrays)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"validation_split={validation_split} leaves no samples for "
            f"{'training' if split_at == 0 else 'validation'} out of {n}. Use more data "
            "or another split."
        )
    train = tuple(take(a, slice(0, split_at)) for a in arrays)
    val = tuple(take(a, slice(split_at, None)) for a in arrays)
    return train, val


def unpack_validation_data(validation_data: Any) -> tuple:
    """``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)`` as arrays."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        length = f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else ""
        raise ValueError(
            "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
            f"sample_weight_val), but got {type(validation_data).__name__}{length}."
        )
    x, y, *rest = validation_data
    sw = rest[0] if rest else None
    return (
        to_arrays(x, "validation x"),
        to_arrays(y, "validation y"),
        to_arrays(sw, "validation sample_weight"),
    )


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """One weight per sample from ``{class: weight}``: classes are the integer
    labels, or the argmax of one-hot rows. Classes not in the dict weigh 1."""
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] > 1:
        classes = np.argmax(y, axis=-1)
    else:
        classes = np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(np.int64)
    lookup = np.ones(max(int(classes.max()) + 1, max(class_weight) + 1), dtype=np.float32)
    for cls, weight in class_weight.items():
        lookup[int(cls)] = weight
    return lookup[classes]


class Batches:
    """The batches of one epoch, in order or shuffled with autograd's generator.

    >>> import numpy as np
    >>> b = Batches((np.arange(5), None, None), batch_size=2, shuffle=False)
    >>> len(b), [x.tolist() for x, _, _ in b]
    (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(self, arrays: tuple, batch_size: int, shuffle: bool) -> None:
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, but got {batch_size!r}.")
        self.arrays = arrays
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.n = num_samples(*arrays)

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def __iter__(self) -> Iterator[tuple]:
        # One permutation per epoch, drawn from the library's generator so that
        # nn.utils.set_random_seed makes the order repeat.
        order = autograd.get_generator().permutation(self.n) if self.shuffle else None
        for start in range(0, self.n, self.batch_size):
            if order is None:
                index: Any = slice(start, start + self.batch_size)
            else:
                index = order[start : start + self.batch_size]
            yield tuple(take(a, index) for a in self.arrays)


class FirstBatches:
    """The first ``steps`` batches of each epoch (``steps_per_epoch`` on arrays)."""

    def __init__(self, batches: Any, steps: int) -> None:
        if not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a positive integer, but got {steps!r}.")
        self.batches, self.steps = batches, int(steps)

    def __len__(self) -> int:
        return min(self.steps, len(self.batches))

    def __iter__(self) -> Iterator[tuple]:
        for _, batch in zip(range(self.steps), self.batches, strict=False):
            yield batch


# ---------------------------------------------------------------- datasets and generators


def is_batch_source(data: Any) -> bool:
    """True for what yields whole batches instead of holding samples: a generator or
    iterator, an ``autograd.data.Dataset`` (``tf.data``), or a ``keras.utils.Sequence``
    / ``PyDataset``-style object (``__getitem__`` giving batch ``i``, and ``__len__``)."""
    if data is None or isinstance(data, (np.ndarray, Tensor, list, tuple, dict, str, bytes)):
        return False
    if isinstance(data, autograd.data.Dataset):
        return True
    if hasattr(data, "__next__"):
        return True
    return hasattr(data, "__getitem__") and hasattr(data, "__len__")


class YieldedBatches:
    """The batches of one epoch from a batch source (see ``is_batch_source``), each as
    ``(x, y, sample_weight)`` like ``Batches`` gives them.

    ``steps`` caps an epoch (``steps_per_epoch``); a generator, which cannot start over,
    goes on where the last epoch stopped, as in Keras. A ``Sequence``'s
    ``on_epoch_end()`` runs after each epoch.

    >>> def batches():
    ...     while True:
    ...         yield np.ones((2, 3)), np.zeros((2, 1))
    >>> source = YieldedBatches(batches(), steps=3, what="x")
    >>> len(source), [x.shape for x, _, _ in source]
    (3, [(2, 3), (2, 3), (2, 3)])
    """

    def __init__(self, source: Any, steps: int | None, what: str) -> None:
        if steps is not None and (not isinstance(steps, (int, np.integer)) or steps < 1):
            raise ValueError(f"steps must be a positive integer or None, but got {steps!r}.")
        self.source, self.steps, self.what = source, steps, what
        self.indexed = not isinstance(source, autograd.data.Dataset) and \
            not hasattr(source, "__next__")
        self.one_shot = hasattr(source, "__next__")  # a generator: it cannot start over
        if self.steps is None and self.one_shot:
            raise ValueError(
                f"{what} is a generator, which cannot say how many batches an epoch has: pass "
                "steps_per_epoch= (and validation_steps= for validation data), as in Keras.")
        self._peeked: list = []

    def __len__(self) -> int:
        if self.steps is not None:
            return int(self.steps) if not hasattr(self.source, "__len__") else \
                min(int(self.steps), len(self.source))
        return len(self.source)

    def first(self) -> tuple:
        """The first batch, kept for the epoch that follows (to build the model)."""
        if not self._peeked:
            self._peeked.append(next(iter(self._items(1))))
        return self._peeked[0]

    def _items(self, limit: int) -> Iterator[tuple]:
        if self.indexed:
            for i in range(min(limit, len(self.source))):
                yield batch_tuple(self.source[i], self.what)
            return
        iterator = self.source if self.one_shot else iter(self.source)
        for _, item in zip(range(limit), iterator, strict=False):
            yield batch_tuple(item, self.what)

    def __iter__(self) -> Iterator[tuple]:
        count = len(self)
        peeked, self._peeked = self._peeked, []
        yield from peeked
        if self.indexed or not self.one_shot:
            items = self._items(count)
            for _ in peeked:  # the peeked batch was the first one: skip it here
                next(items, None)
            yield from items
        else:
            yield from self._items(count - len(peeked))
        if hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()


def batch_tuple(item: Any, what: str) -> tuple:
    """One yielded batch as ``(x, y, sample_weight)``: a tuple of 1 to 3, or x alone."""
    if isinstance(item, tuple):
        if not 1 <= len(item) <= 3:
            raise ValueError(f"Each batch {what} yields must be x, (x,), (x, y) or "
                             f"(x, y, sample_weight), but got a tuple of {len(item)}.")
        item = item + (None,) * (3 - len(item))
    else:
        item = (item, None, None)
    x, y, weights = item
    return (to_arrays(x, what), to_arrays(y, f"{what}'s targets"),
            to_arrays(weights, f"{what}'s sample weights"))
