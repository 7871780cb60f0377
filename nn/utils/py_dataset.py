"""``keras.utils.PyDataset`` (tf.keras: ``Sequence``): a dataset you write as a class.

Subclass it with ``__len__`` (the number of batches) and ``__getitem__(i)`` (batch
``i``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``), and optionally
``on_epoch_end()``; ``fit``, ``evaluate`` and ``predict`` take it as ``x``.
Batches are made one after the other in this process: ``workers`` and
``use_multiprocessing`` are accepted for Keras code and change nothing.

>>> import numpy as np, nn
>>> class Squares(nn.utils.PyDataset):
...     def __len__(self):
...         return 2
...     def __getitem__(self, i):
...         x = np.arange(4.0).reshape(4, 1) + 4 * i
...         return x, x ** 2
>>> len(Squares()), Squares()[1][1][:, 0].tolist()
(2, [16.0, 25.0, 36.0, 49.0])
"""

from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class of a batch-by-batch dataset (see the module docstring)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__: how many "
                                  "batches one epoch has.")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index): "
                                  "batch number index, as x, (x, y) or (x, y, sample_weight).")

    def on_epoch_end(self) -> None:
        """Called after every epoch (e.g. to reshuffle); does nothing by default."""


# tf.keras's name for the same idea.
Sequence = PyDataset
