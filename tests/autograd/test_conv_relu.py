"""conv2d(..., activation="relu"): one op that is relu(conv2d(...)) - values and
gradients by hand, gradcheck, against the two-op composition - and the compiled
relu derivative against its NumPy twin; Conv2D(activation="relu") runs it."""

import numpy as np
import pytest

import autograd
import nn
from autograd.kernels.relu import relu_backward, relu_backward_numpy
from autograd.ops.conv import Conv2DOp

pytestmark = pytest.mark.ops


def t(a, requires_grad=False, dtype=np.float64):
    return autograd.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def test_relu_conv_by_hand():
    # x[i, j] - x[i+1, j+1] on a 3x3 image whose values grow to the right and down
    # by 1 and 3: every window gives -4; with bias b the output is max(b - 4, 0).
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    k = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)
    for bias, expected, d_bias in [(5.0, 1.0, 4.0), (3.0, 0.0, 0.0)]:
        xt, kt, bt = t(x, True), t(k, True), t([bias], True)
        y = autograd.conv2d(xt, kt, bt, activation="relu")
        np.testing.assert_array_equal(y.numpy()[0, :, :, 0], np.full((2, 2), expected))
        y.sum().backward()
        # every output passes its gradient 1 (if positive) on, as in the unfused conv
        np.testing.assert_array_equal(bt.grad.numpy(), [d_bias])
        if expected == 0.0:
            assert not xt.grad.numpy().any() and not kt.grad.numpy().any()


CASES = {
    # few channels: forward keeps the whole column matrix for backward
    "1 channel, bias": dict(x=(2, 6, 5, 1), k=(3, 3, 1, 4), bias=True, strides=1),
    "3 channels, same, stride 2": dict(x=(2, 7, 7, 3), k=(3, 3, 3, 2), bias=True, strides=2,
                                       padding="same"),
    # many channels: backward rebuilds the column blocks
    "8 channels, no bias": dict(x=(2, 5, 5, 8), k=(2, 2, 8, 3), bias=False, strides=1),
}


def _inputs(name, dtype=np.float64):
    spec = dict(CASES[name])
    rng = np.random.default_rng(len(name))
    x = t(rng.standard_normal(spec.pop("x")), True, dtype)
    k_shape = spec.pop("k")
    k = t(rng.standard_normal(k_shape), True, dtype)
    b = t(rng.standard_normal(k_shape[3]), True, dtype) if spec.pop("bias") else None
    return x, k, b, spec


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_relu_conv(name):
    x, k, b, spec = _inputs(name)
    if b is None:
        fn, inputs = (lambda x, k: autograd.conv2d(x, k, activation="relu", **spec)), [x, k]
    else:
        fn = lambda x, k, b: autograd.conv2d(x, k, b, activation="relu", **spec)  # noqa: E731
        inputs = [x, k, b]
    # random inputs: no output sits within eps of the kink at 0
    assert autograd.gradcheck(fn, inputs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CASES))
def test_relu_conv_equals_relu_of_conv(name, dtype):
    grads = []
    for fused in (True, False):
        x, k, b, spec = _inputs(name, dtype)
        if fused:
            y = autograd.conv2d(x, k, b, activation="relu", **spec)
        else:
            y = autograd.relu(autograd.conv2d(x, k, b, **spec))
        weights = np.random.default_rng(1).standard_normal(y.shape)
        (y * t(weights, dtype=dtype)).sum().backward()
        grads.append([y.numpy()] + [a.grad.numpy() for a in (x, k, b) if a is not None])
    for fused, unfused in zip(*grads, strict=True):
        np.testing.assert_array_equal(fused, unfused)


def test_relu_conv_of_an_input_without_gradient():
    # The first layer of a network: data in, only kernel and bias need gradients.
    rng = np.random.default_rng(2)
    x = t(rng.standard_normal((3, 6, 6, 1)))
    k, b = t(rng.standard_normal((3, 3, 1, 2)), True), t(rng.standard_normal(2), True)
    assert autograd.gradcheck(lambda k, b: autograd.conv2d(x, k, b, activation="relu"),
                              [k, b])


def test_relu_conv_output_changed_in_place_is_refused_in_backward():
    rng = np.random.default_rng(3)
    x = t(rng.standard_normal((1, 4, 4, 1)), True)
    y = autograd.conv2d(x, t(rng.standard_normal((2, 2, 1, 1))), activation="relu")
    with autograd.no_grad():
        y.add_(1.0)  # the op saved its output, for relu's derivative
    with pytest.raises(RuntimeError, match="changed in place"):
        y.sum().backward()


def test_conv2d_names_the_activations_it_can_apply():
    with pytest.raises(ValueError, match=r"activation must be None or 'relu'.*'tanh'"):
        autograd.conv2d(np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 1)), activation="tanh")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_kernel_matches_its_twin(dtype):
    rng = np.random.default_rng(4)
    out = np.maximum(rng.standard_normal((3, 5, 4, 7)), 0).astype(dtype)
    out.reshape(-1)[::5] = 0.0  # exact zeros: the gradient there is 0
    grad = rng.standard_normal(out.shape).astype(dtype)
    grad.reshape(-1)[:4] = [np.inf, -np.inf, np.nan, 1.0]
    out.reshape(-1)[:4] = [0.0, 0.0, 0.0, 0.0]  # where out is 0 even inf and nan give 0
    got, want = np.empty_like(grad), np.empty_like(grad)
    relu_backward(grad, out, got)
    relu_backward_numpy(grad, out, want)
    np.testing.assert_array_equal(got, want)
    assert not got.reshape(-1)[:4].any()
    np.testing.assert_array_equal(got[out > 0], grad[out > 0])


def test_conv2d_layer_applies_a_plain_relu_in_the_conv_op():
    x = np.random.default_rng(5).standard_normal((2, 6, 6, 1)).astype(np.float32)
    relu_layer = nn.layers.Conv2D(3, 3, activation="relu")
    y = relu_layer(autograd.tensor(x, requires_grad=True))
    assert y.grad_fn.fn is Conv2DOp  # one node: conv, bias and relu
    assert (y.numpy() >= 0).all()
    # any other activation is a separate op after the convolution
    tanh_layer = nn.layers.Conv2D(3, 3, activation="tanh")
    assert tanh_layer(autograd.tensor(x, requires_grad=True)).grad_fn.fn is not Conv2DOp
    # same weights, unfused by hand: the same numbers
    kernel, bias = (w.numpy() for w in relu_layer.weights)
    by_hand = autograd.relu(autograd.conv2d(x, kernel, bias))
    np.testing.assert_array_equal(y.numpy(), by_hand.numpy())


@pytest.mark.parametrize("channels", [1, 8])  # im2col, and Winograd for float32 from 8
def test_fused_relu_keeps_nan_as_relu_does(channels):
    # a NaN in the input must reach the output (a loss of NaN tells the user), not turn 0
    x = np.ones((1, 6, 6, channels), np.float32)
    x[0, 2, 2, :] = np.nan
    k = np.ones((3, 3, channels, 2), np.float32)
    fused = autograd.conv2d(x, k, activation="relu").numpy()
    unfused = autograd.relu(autograd.conv2d(x, k)).numpy()
    assert np.isnan(fused).sum() == np.isnan(unfused).sum() == 18
    np.testing.assert_array_equal(fused, unfused)
