"""gradstack's ops give PyTorch's values and gradients (float64), on every machine.

The expected numbers are in fixtures/torch_ops.npz, written by PyTorch through
make_fixtures.py; nothing here imports torch. Each case computes gradstack's
``y`` and the gradients of ``sum(y * upstream)`` from the stored inputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from make_fixtures import TORCH_OPS, load_fixture, same_padding

import autograd

pytestmark = pytest.mark.ops

FIXTURE = load_fixture("torch_ops.npz")


def t(value: np.ndarray) -> autograd.Tensor:
    return autograd.tensor(value, requires_grad=True)


def unary(fn: Callable) -> Callable[[dict], dict]:
    def run(case: dict) -> dict:
        x = t(case["x"])
        y = fn(x)
        (y * autograd.tensor(case["upstream"])).sum().backward()
        return {"y": y.numpy(), "grad_x": x.grad.numpy()}

    return run


def matmul(case: dict) -> dict:
    a, b = t(case["a"]), t(case["b"])
    y = a @ b
    y.backward(case["upstream"])
    return {"y": y.numpy(), "grad_a": a.grad.numpy(), "grad_b": b.grad.numpy()}


def with_target(fn: Callable) -> Callable[[dict], dict]:
    def run(case: dict) -> dict:
        x = t(case["x"])
        y = fn(x, case["target"])
        (y * autograd.tensor(case["upstream"])).sum().backward()
        return {"y": y.numpy(), "grad_x": x.grad.numpy()}

    return run


def conv2d(stride: int, dilation: int, padding: str) -> Callable[[dict], dict]:
    def run(case: dict) -> dict:
        x, k, b = t(case["x"]), t(case["kernel"]), t(case["bias"])
        y = autograd.conv2d(x, k, b, strides=stride, padding=padding, dilation_rate=dilation)
        y.backward(case["upstream"])
        return {"y": y.numpy(), "grad_x": x.grad.numpy(), "grad_kernel": k.grad.numpy(),
                "grad_bias": b.grad.numpy()}

    return run


def pool(fn: Callable, size, stride) -> Callable[[dict], dict]:
    def run(case: dict) -> dict:
        x = t(case["x"])
        y = fn(x, size, strides=stride)
        y.backward(case["upstream"])
        return {"y": y.numpy(), "grad_x": x.grad.numpy()}

    return run


OURS: dict[str, Callable[[dict], dict]] = {
    "gelu": unary(autograd.gelu),
    "gelu_tanh": unary(lambda x: autograd.gelu(x, approximate=True)),
    "elu": unary(lambda x: autograd.elu(x, alpha=0.7)),
    "softplus": unary(autograd.softplus),
    "leaky_relu": unary(lambda x: autograd.leaky_relu(x, 0.1)),
    "relu": unary(autograd.relu),
    "abs": unary(autograd.abs),
    "clip": unary(lambda x: autograd.clip(x, -1.0, 1.0)),
    "sigmoid": unary(autograd.sigmoid),
    "tanh": unary(autograd.tanh),
    "exp": unary(autograd.exp),
    "log": unary(autograd.log),
    "sqrt": unary(autograd.sqrt),
    "sin": unary(autograd.sin),
    "cos": unary(autograd.cos),
    "max_ties": unary(lambda x: autograd.max(x, axis=1)),
    "min_ties": unary(lambda x: autograd.min(x, axis=0)),
    "prod_zeros": unary(lambda x: autograd.prod(x, axis=1)),
    "sum_axis0": unary(lambda x: autograd.sum(x, axis=0)),
    "mean_axis1": unary(lambda x: autograd.mean(x, axis=1)),
    "var_ddof1": unary(lambda x: autograd.var(x, axis=0, ddof=1)),
    "std_ddof0": unary(lambda x: autograd.std(x, axis=1)),
    "logsumexp": unary(lambda x: autograd.logsumexp(x, axis=1)),
    "matmul_batched": matmul,
    "matmul_vector_left": matmul,
    "matmul_vector_right": matmul,
    "matmul_dot": matmul,
    "softmax_axis0": unary(lambda x: autograd.softmax(x, axis=0)),
    "softmax_axis-1": unary(lambda x: autograd.softmax(x, axis=-1)),
    "log_softmax_axis0": unary(lambda x: autograd.log_softmax(x, axis=0)),
    "log_softmax_axis-1": unary(lambda x: autograd.log_softmax(x, axis=-1)),
    "sparse_softmax_cross_entropy": with_target(
        lambda x, target: autograd.sparse_softmax_cross_entropy(x, target)),
    "softmax_cross_entropy": with_target(autograd.softmax_cross_entropy),
    "sigmoid_cross_entropy": with_target(autograd.sigmoid_cross_entropy),
    "conv2d_valid": conv2d(1, 1, "valid"),
    "conv2d_stride2": conv2d(2, 1, "valid"),
    "conv2d_dilation2": conv2d(1, 2, "valid"),
    "conv2d_same": conv2d(1, 1, "same"),
    "conv2d_same_stride2": conv2d(2, 1, "same"),
}
for _kind, _fn in (("max", autograd.max_pool2d), ("avg", autograd.avg_pool2d)):
    for _label, _size, _stride in (("2", 2, None), ("3", 3, None), ("3s2", 3, 2),
                                   ("2s3", 2, 3), ("2x3s1", (2, 3), 1)):
        OURS[f"{_kind}_pool_{_label}"] = pool(_fn, _size, _stride)


def test_every_fixture_case_is_checked_and_every_check_has_a_fixture():
    assert set(OURS) == set(FIXTURE) == set(TORCH_OPS)


@pytest.mark.parametrize("case", sorted(OURS))
def test_values_and_gradients_match_pytorch(case):
    stored = FIXTURE[case]
    ours = OURS[case](stored)
    expected = [k for k in stored if k == "y" or k.startswith("grad_")]
    assert sorted(ours) == sorted(expected)
    for key in expected:
        assert ours[key].shape == stored[key].shape, key
        np.testing.assert_allclose(ours[key], stored[key], rtol=1e-10, atol=1e-12,
                                   err_msg=f"{case}: {key}")


def test_same_padding_rule_puts_the_odd_pixel_after():
    # The fixture producer pads by hand for "same"; pin its rule (TensorFlow's).
    assert same_padding(9, 3, 2, 1) == (1, 1)
    assert same_padding(8, 3, 2, 1) == (0, 1)
    assert same_padding(8, 3, 1, 1) == (1, 1)
