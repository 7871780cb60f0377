"""Synthetic sequence tasks, generated in code (seeded, nothing to download).

Each returns NumPy arrays ready for ``Embedding`` (integer ids, 0 never a real
token, so ``mask_zero=True`` works) and a target:

- ``copy(n, length)``: ``y`` is ``x`` (a sequence-to-sequence warm-up);
- ``reverse(n, length)``: ``y`` is ``x`` backwards (needs memory of the whole input);
- ``addition(n, digits)``: ``"12+345"`` as character ids, ``y`` the sum's characters;
- ``order(n, length)``: does token A (id 1) appear before token B (id 2)? A 0/1
  label that depends on two far-apart steps, so a model must remember the first.

>>> import nn
>>> x, y = nn.datasets.sequences.order(4, length=6, seed=0)
>>> x.shape, y.shape, int((x[0] == 1).sum()), int((x[0] == 2).sum())
((4, 6), (4,), 1, 1)
"""

from __future__ import annotations

import numpy as np

# The characters of addition(): id 0 pads, so the text vocabulary starts at 1.
ADDITION_VOCABULARY = ["", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+"]


def _check(name: str, **sizes: int) -> None:
    for argument, value in sizes.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"sequences.{name}: {argument} must be a positive int, "
                             f"got {value!r}.")


def copy(n: int, length: int = 10, vocabulary_size: int = 10,
         seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``x``: ``(n, length)`` ids in ``1 .. vocabulary_size - 1``; ``y`` equals ``x``.

    >>> import nn
    >>> x, y = nn.datasets.sequences.copy(2, length=4, seed=0)
    >>> bool((x == y).all()), int(x.min()) >= 1
    (True, True)
    """
    _check("copy", n=n, length=length, vocabulary_size=vocabulary_size - 1)
    x = np.random.default_rng(seed).integers(1, vocabulary_size, size=(n, length))
    return x, x.copy()


def reverse(n: int, length: int = 10, vocabulary_size: int = 10,
            seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``x`` as in ``copy``; ``y`` is each row backwards.

    >>> import nn
    >>> x, y = nn.datasets.sequences.reverse(1, length=3, seed=0)
    >>> bool((y[0] == x[0][::-1]).all())
    True
    """
    x, _ = copy(n, length, vocabulary_size, seed)
    return x, x[:, ::-1].copy()


def addition(n: int, digits: int = 3,
             seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Questions ``"a+b"`` (each number up to ``digits`` digits) and answers ``a+b``,
    as ids into ``ADDITION_VOCABULARY``, right-padded with 0: ``x`` has shape
    ``(n, 2 * digits + 1)``, ``y`` ``(n, digits + 1)``. ``decode`` turns rows back
    into text.

    >>> import nn
    >>> x, y = nn.datasets.sequences.addition(3, digits=2, seed=1)
    >>> q, a = nn.datasets.sequences.decode(x[0]), nn.datasets.sequences.decode(y[0])
    >>> int(q.split("+")[0]) + int(q.split("+")[1]) == int(a)
    True
    """
    _check("addition", n=n, digits=digits)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 10 ** digits, size=n)
    b = rng.integers(0, 10 ** digits, size=n)
    x = np.zeros((n, 2 * digits + 1), dtype=np.int64)
    y = np.zeros((n, digits + 1), dtype=np.int64)
    for i in range(n):
        question, answer = _encode(f"{a[i]}+{b[i]}"), _encode(str(a[i] + b[i]))
        x[i, :len(question)] = question
        y[i, :len(answer)] = answer
    return x, y


def _encode(text: str) -> list[int]:
    return [ADDITION_VOCABULARY.index(ch) for ch in text]


def decode(ids: np.ndarray) -> str:
    """One row of ``addition`` ids back to its text (padding dropped)."""
    return "".join(ADDITION_VOCABULARY[i] for i in np.asarray(ids).tolist())


def order(n: int, length: int = 20, vocabulary_size: int = 10,
          seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of distractor ids ``3 .. vocabulary_size - 1`` holding token A (id
    1) once and token B (id 2) once, at random places; ``y[i]`` is 1 if A comes
    before B, else 0 (half of each, up to chance).

    >>> import nn
    >>> x, y = nn.datasets.sequences.order(100, length=8, seed=0)
    >>> i = 0; a, b = list(x[i]).index(1), list(x[i]).index(2)
    >>> int(y[i]) == int(a < b)
    True
    """
    _check("order", n=n, length=length - 1, vocabulary_size=vocabulary_size - 3)
    rng = np.random.default_rng(seed)
    x = rng.integers(3, vocabulary_size, size=(n, length))
    places = np.argsort(rng.random((n, length)), axis=1)[:, :2]  # two distinct steps
    rows = np.arange(n)
    x[rows, places[:, 0]] = 1
    x[rows, places[:, 1]] = 2
    return x, (places[:, 0] < places[:, 1]).astype(np.int64)
