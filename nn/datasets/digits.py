"""The 8x8 handwritten digits, shipped with gradstack (no download).

1,797 images of the digits 0-9 from the UCI "Optical Recognition of
Handwritten Digits" data set (E. Alpaydin, C. Kaynak; CC BY 4.0), split once,
stratified by class: 1,438 for training, 359 for testing, each shuffled once
(the source is ordered by writer; shuffled, ``fit(validation_split=...)`` holds
out a fair mix of writers). See
``make_digits.py`` for how ``digits.npz`` was made and ``DIGITS_DATA.md`` for
the source and license.
"""

from __future__ import annotations

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz")


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``.

    Images are uint8 arrays of shape ``(n, 8, 8)`` with values 0..16 (divide by
    16 for [0, 1]); labels are uint8 digits 0..9. Shapes: 1,438 training and
    359 test images, about 20% of each digit in the test set.

    >>> import nn
    >>> (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    >>> x_train.shape, x_test.shape, int(x_train.max())
    ((1438, 8, 8), (359, 8, 8), 16)
    """
    with np.load(_PATH, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
