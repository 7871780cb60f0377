"""``tf.data.Dataset``, the small part that Keras guides use: slices of arrays,
``shuffle``, ``batch``, ``map``, ``take``/``skip``, ``repeat``, ``prefetch``.

A Dataset is a recipe: each method returns a new Dataset, and iterating runs the
recipe from the start, so every epoch sees a fresh shuffle. Elements are kept as
NumPy arrays inside and handed out as Tensors (tuples and dicts keep their
structure), which is what ``model.fit`` and a hand-written loop consume.

>>> import numpy as np
>>> import autograd as tf
>>> ds = tf.data.Dataset.from_tensor_slices((np.arange(5.0), np.arange(5))).batch(2)
>>> [tuple(y.numpy().tolist()) for _, y in ds]
[(0, 1), (2, 3), (4,)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import random as random_module
from .tensor import Tensor

AUTOTUNE = -1  # tf.data.AUTOTUNE: accepted wherever TensorFlow takes it, and ignored


def _map_structure(fn: Callable, structure: Any) -> Any:
    if isinstance(structure, dict):
        return {k: _map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (tuple, list)):
        return type(structure)(_map_structure(fn, v) for v in structure)
    return fn(structure)


def _leaves(structure: Any) -> list[Any]:
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in _leaves(v)]
    if isinstance(structure, (tuple, list)):
        return [leaf for v in structure for leaf in _leaves(v)]
    return [structure]


def _to_array(x: Any) -> np.ndarray:
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    return array.astype(np.float32) if array.dtype == np.float64 and not isinstance(
        x, np.ndarray) else array


class Dataset:
    """A re-iterable sequence of elements (arrays, tuples or dicts of arrays)."""

    def __init__(self, make_iterator: Callable[[], Iterator[Any]], length: int | None = None):
        self._make_iterator = make_iterator
        self._length = length

    # ------------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors: Any) -> Dataset:
        """One element per row of the first axis (of every array in a tuple/dict)."""
        arrays = _map_structure(_to_array, tensors)
        sizes = {len(a) for a in _leaves(arrays)}
        if len(sizes) != 1:
            raise ValueError(
                f"Dataset.from_tensor_slices: all arrays must have the same first dimension, "
                f"but got {sorted(sizes)}."
            )
        n = sizes.pop()

        def rows() -> Iterator[Any]:
            for i in range(n):
                yield _row(arrays, i)

        return Dataset(rows, n)

    @staticmethod
    def from_tensors(tensors: Any) -> Dataset:
        """A dataset of one element: ``tensors`` itself."""
        arrays = _map_structure(_to_array, tensors)
        return Dataset(lambda: iter([arrays]), 1)

    @staticmethod
    def range(*args: int) -> Dataset:
        """``Dataset.range(5)``: the integers 0..4, like Python's range."""
        values = range(*args)
        return Dataset(lambda: (np.int64(v) for v in values), len(values))

    @staticmethod
    def zip(datasets: Any) -> Dataset:
        """Elements side by side: ``Dataset.zip((a, b))`` yields ``(a_i, b_i)``."""
        parts = list(datasets)
        lengths = [d._length for d in parts]

        def zipped() -> Iterator[Any]:
            for items in zip(*(d._arrays() for d in parts)):
                yield tuple(items)

        known = [n for n in lengths if n is not None]
        return Dataset(zipped, min(known) if len(known) == len(lengths) else None)

    # ------------------------------------------------------------------ transformations
    def shuffle(self, buffer_size: int, seed: int | None = None,
                reshuffle_each_iteration: bool = True) -> Dataset:
        """Shuffle with a buffer, as TensorFlow does: each element is drawn at random
        from the next ``buffer_size`` ones (a buffer as large as the dataset gives a
        full shuffle). A new order every iteration unless told otherwise."""
        if buffer_size < 1:
            raise ValueError(f"Dataset.shuffle: buffer_size must be >= 1, got {buffer_size}.")
        first_generator = random_module._generator_for(seed)
        state = {"generator": first_generator}

        def shuffled() -> Iterator[Any]:
            generator = state["generator"] if reshuffle_each_iteration else np.random.default_rng(
                0 if seed is None else seed)
            buffer: list[Any] = []
            for element in self._arrays():
                buffer.append(element)
                if len(buffer) >= buffer_size:
                    k = int(generator.integers(len(buffer)))
                    buffer[k], buffer[-1] = buffer[-1], buffer[k]
                    yield buffer.pop()
            while buffer:
                k = int(generator.integers(len(buffer)))
                buffer[k], buffer[-1] = buffer[-1], buffer[k]
                yield buffer.pop()

        return Dataset(shuffled, self._length)

    def batch(self, batch_size: int, drop_remainder: bool = False, **ignored: Any) -> Dataset:
        """Stack ``batch_size`` consecutive elements into one (the last may be smaller)."""
        def batches() -> Iterator[Any]:
            chunk: list[Any] = []
            for element in self._arrays():
                chunk.append(element)
                if len(chunk) == batch_size:
                    yield _stack(chunk)
                    chunk = []
            if chunk and not drop_remainder:
                yield _stack(chunk)

        length = None
        if self._length is not None:
            length = (self._length // batch_size if drop_remainder
                      else -(-self._length // batch_size))
        return Dataset(batches, length)

    def unbatch(self) -> Dataset:
        """The rows of each element, one by one (the inverse of ``batch``)."""
        def rows() -> Iterator[Any]:
            for element in self._arrays():
                for i in range(len(_leaves(element)[0])):
                    yield _row(element, i)

        return Dataset(rows)

    def map(self, map_func: Callable, num_parallel_calls: Any = None, **ignored: Any) -> Dataset:
        """Apply ``map_func`` to every element (a tuple element is passed as
        separate arguments, as in TensorFlow)."""
        def mapped() -> Iterator[Any]:
            for element in self._elements():
                out = map_func(*element) if isinstance(element, tuple) else map_func(element)
                yield _map_structure(_to_array, out)

        return Dataset(mapped, self._length)

    def filter(self, predicate: Callable) -> Dataset:
        """Keep the elements for which ``predicate`` is true."""
        def kept() -> Iterator[Any]:
            for arrays, element in zip(self._arrays(), self._elements()):
                args = element if isinstance(element, tuple) else (element,)
                if bool(predicate(*args)):
                    yield arrays

        return Dataset(kept)

    def take(self, count: int) -> Dataset:
        """The first ``count`` elements (all of them for -1)."""
        if count < 0:
            return self

        def taken() -> Iterator[Any]:
            for i, element in enumerate(self._arrays()):
                if i >= count:
                    return
                yield element

        return Dataset(taken, None if self._length is None else min(count, self._length))

    def skip(self, count: int) -> Dataset:
        """Everything after the first ``count`` elements."""
        def skipped() -> Iterator[Any]:
            for i, element in enumerate(self._arrays()):
                if i >= count:
                    yield element

        return Dataset(skipped, None if self._length is None else max(self._length - count, 0))

    def repeat(self, count: int | None = None) -> Dataset:
        """The dataset ``count`` times over (forever when None)."""
        def repeated() -> Iterator[Any]:
            k = 0
            while count is None or count < 0 or k < count:
                yield from self._arrays()
                k += 1

        finite = count is not None and count >= 0 and self._length is not None
        return Dataset(repeated, self._length * count if finite else None)

    def prefetch(self, buffer_size: Any = None) -> Dataset:
        """Accepted for compatibility: elements are made when asked for."""
        return self

    def cache(self, filename: str = "") -> Dataset:
        """Keep the elements after the first pass, in memory."""
        store: list[Any] = []

        def cached() -> Iterator[Any]:
            if store:
                yield from store
                return
            for element in self._arrays():
                store.append(element)
                yield element

        return Dataset(cached, self._length)

    # ------------------------------------------------------------------ reading
    def _arrays(self) -> Iterator[Any]:
        return self._make_iterator()

    def _elements(self) -> Iterator[Any]:
        for element in self._arrays():
            yield _map_structure(Tensor, element)

    def __iter__(self) -> Iterator[Any]:
        return self._elements()

    def as_numpy_iterator(self) -> Iterator[Any]:
        """The elements as NumPy arrays."""
        return self._arrays()

    def __len__(self) -> int:
        if self._length is None:
            raise TypeError("The length of this dataset is unknown (repeat, filter or unbatch).")
        return self._length

    def cardinality(self) -> int:
        """The number of elements, or -2 when unknown (TensorFlow's UNKNOWN)."""
        return -2 if self._length is None else self._length


def _row(structure: Any, i: int) -> Any:
    return _map_structure(lambda a: a[i], structure)


def _stack(chunk: list[Any]) -> Any:
    first = chunk[0]
    if isinstance(first, dict):
        return {k: _stack([c[k] for c in chunk]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([c[i] for c in chunk]) for i in range(len(first)))
    return np.stack(chunk)
