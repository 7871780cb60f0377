"""nn.datasets: the shipped digits and the MNIST reader (on small files made here)."""

import numpy as np
import pytest

from nn.datasets import digits, mnist

pytestmark = pytest.mark.training


def test_digits_shapes_types_and_split():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 16
    assert len(x_train) + len(x_test) == 1797
    # stratified: every digit has about 20% of its images in the test set
    for digit in range(10):
        n_test, n_train = np.sum(y_test == digit), np.sum(y_train == digit)
        assert abs(n_test / (n_test + n_train) - 0.2) < 0.01
    # no image is in both sets (as rows of pixels)
    train_rows = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    shared = sum(row.tobytes() in train_rows for row in x_test.reshape(len(x_test), -1))
    assert shared < 5  # the UCI set holds a few exact duplicate images


def test_digits_file_records_its_source_and_license():
    with np.load(digits._PATH, allow_pickle=False) as f:
        assert "CC BY 4.0" in str(f["license"])
        assert "Optical Recognition of Handwritten Digits" in str(f["source"])


def _fake_mnist(path, n=6):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    np.savez(path, **arrays)
    return arrays


def test_mnist_from_a_given_path(tmp_path):
    arrays = _fake_mnist(tmp_path / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = mnist.load_data(tmp_path / "mnist.npz",
                                                           download=False)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_mnist_from_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADSTACK_DATASETS", str(tmp_path))
    _fake_mnist(tmp_path / "mnist.npz", n=3)
    (x_train, _), _ = mnist.load_data(download=False)
    assert x_train.shape == (3, 28, 28)
    (x_train, _), _ = mnist.load_data("mnist.npz", download=False)  # relative: in the cache
    assert x_train.shape == (3, 28, 28)


def test_missing_mnist_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADSTACK_DATASETS", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError) as err:
        mnist.load_data(download=False)
    msg = str(err.value)
    assert str(tmp_path / "cache" / "mnist.npz") in msg and "mnist.npz" in msg
    assert "load_data(path=" in msg


def test_a_file_without_mnist_arrays(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="lacks"):
        mnist.load_data(tmp_path / "other.npz", download=False)


def test_mnist_files_with_pickled_objects_are_refused(tmp_path):
    np.savez(tmp_path / "evil.npz", x_train=np.array([{"a": 1}], dtype=object),
             y_train=np.zeros(1), x_test=np.zeros(1), y_test=np.zeros(1))
    with pytest.raises(ValueError, match="allow_pickle"):
        mnist.load_data(tmp_path / "evil.npz", download=False)


def test_digits_are_shuffled_so_a_validation_split_is_a_fair_sample():
    # fit(validation_split=0.2) holds out the last 20%: every digit must be there in
    # about its share, and the last fifth must not come from one stretch of writers.
    (x_train, y_train), _ = digits.load_data()
    tail = y_train[-len(y_train) // 5:]
    counts = np.bincount(tail, minlength=10)
    assert counts.min() >= 15  # ~29 of each digit expected
    # The source file is ordered by writer, each writing 0, 1, 2, ... 9 in turn, so there a
    # quarter of all neighbours are "d then d+1"; shuffled, about a tenth are.
    y = y_train.astype(int)
    follows_cycle = np.mean(y[1:] == (y[:-1] + 1) % 10)
    assert follows_cycle < 0.15
