"""Rebuild ``digits.npz`` from scikit-learn's copy of the UCI digits (run once, by hand).

Provenance: the 1,797 8x8 images of the "Optical Recognition of Handwritten
Digits" data set (E. Alpaydin, C. Kaynak; UCI Machine Learning Repository,
CC BY 4.0), as shipped inside scikit-learn at
``sklearn/datasets/data/digits.csv.gz`` (64 pixel values 0..16, then the label,
per line). To reproduce::

    pip download scikit-learn --no-deps -d /tmp/skl
    cd /tmp/skl && unzip -o scikit_learn-*.whl 'sklearn/datasets/data/digits.csv.gz'
    python -m nn.datasets.make_digits /tmp/skl/sklearn/datasets/data/digits.csv.gz

The split is fixed: stratified by class, 20% of each class (rounded) for the
test set, chosen with ``numpy.random.default_rng(0)``. Each set is then shuffled
once with the same generator: the file is ordered by writer, and
``fit(validation_split=...)`` takes the *last* samples, which would otherwise be
a few writers' digits only (validation accuracy 86-90% against 97% on the test
set). Images are stored as uint8 (N, 8, 8), values 0..16.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys

import numpy as np

SOURCE = (
    "UCI Machine Learning Repository: Optical Recognition of Handwritten Digits "
    "(E. Alpaydin, C. Kaynak, 1998), "
    "https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits ; "
    "the 1,797-image copy shipped with scikit-learn (sklearn/datasets/data/digits.csv.gz)."
)
LICENSE = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
TEST_FRACTION = 0.2
SEED = 0


def convert(csv_gz: str, out_path: str) -> None:
    raw = open(csv_gz, "rb").read()
    table = np.loadtxt(gzip.decompress(raw).decode().splitlines(), delimiter=",",
                       dtype=np.int64)
    if table.shape != (1797, 65):
        raise ValueError(f"expected 1797 rows of 65 numbers, got {table.shape}")
    images = table[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    labels = table[:, 64].astype(np.uint8)

    rng = np.random.default_rng(SEED)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        n_test = int(round(TEST_FRACTION * len(members)))
        test[rng.choice(members, size=n_test, replace=False)] = True

    train_order = rng.permutation(np.flatnonzero(~test))
    test_order = rng.permutation(np.flatnonzero(test))
    np.savez_compressed(
        out_path,
        x_train=images[train_order], y_train=labels[train_order],
        x_test=images[test_order], y_test=labels[test_order],
        source=np.array(SOURCE), license=np.array(LICENSE),
        source_sha256=np.array(hashlib.sha256(raw).hexdigest()),
    )
    print(f"wrote {out_path}: {int((~test).sum())} train, {int(test.sum())} test")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    convert(sys.argv[1], os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz"))
