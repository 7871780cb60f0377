"""Conv2D and the pooling layers: shapes (symbolic, no numbers), values against plain
NumPy loops, gradients, Keras's weight layout and defaults."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from nn import layers

pytestmark = pytest.mark.layers


@pytest.fixture(autouse=True)
def fresh_session():
    nn.clear_session()
    autograd.manual_seed(0)


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding: total so the output is ceil(size / stride), extra
    on the bottom/right."""
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def numpy_conv2d(x, kernel, bias, strides, padding, dilation):
    """Cross-correlation of NHWC images with a (kh, kw, in, out) kernel, by loops."""
    kh, kw, _, out_channels = kernel.shape
    reach_h, reach_w = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "same":
        top, bottom = same_padding(x.shape[1], reach_h, strides[0])
        left, right = same_padding(x.shape[2], reach_w, strides[1])
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out_h = (x.shape[1] - reach_h) // strides[0] + 1
    out_w = (x.shape[2] - reach_w) // strides[1] + 1
    out = np.zeros((x.shape[0], out_h, out_w, out_channels))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    row, col = i * strides[0] + a * dilation[0], j * strides[1] + b * dilation[1]
                    out[:, i, j, :] += x[:, row, col, :] @ kernel[a, b]
    return out + bias


def numpy_pool(x, size, strides, padding, reduce):
    """Max or mean over windows; 'same' padding cells never count (as in Keras)."""
    if padding == "same":
        top, bottom = same_padding(x.shape[1], size[0], strides[0])
        left, right = same_padding(x.shape[2], size[1], strides[1])
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=np.nan)
    out_h = (x.shape[1] - size[0]) // strides[0] + 1
    out_w = (x.shape[2] - size[1]) // strides[1] + 1
    out = np.zeros((x.shape[0], out_h, out_w, x.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * strides[0]:i * strides[0] + size[0],
                       j * strides[1]:j * strides[1] + size[1], :]
            out[:, i, j, :] = reduce(window, axis=(1, 2))
    return out


# ---------------------------------------------------------------- Conv2D


@pytest.mark.parametrize("kwargs, input_shape, output_shape", [
    ({"filters": 32, "kernel_size": 4, "strides": 2}, (320, 320, 3), (159, 159, 32)),
    ({"filters": 32, "kernel_size": 3}, (159, 159, 32), (157, 157, 32)),
    ({"filters": 32, "kernel_size": 5, "strides": 2}, (320, 320, 3), (158, 158, 32)),
    ({"filters": 8, "kernel_size": 3, "padding": "same"}, (28, 28, 1), (28, 28, 8)),
    ({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}, (7, 7, 1), (4, 4, 8)),
    ({"filters": 4, "kernel_size": (3, 5), "strides": (1, 2)}, (10, 11, 2), (8, 4, 4)),
    ({"filters": 4, "kernel_size": 3, "dilation_rate": 2}, (10, 10, 2), (6, 6, 4)),
    ({"filters": 4, "kernel_size": 3, "padding": "SAME"}, (None, None, 2), (None, None, 4)),
])
def test_conv2d_output_shapes(kwargs, input_shape, output_shape):
    x = nn.Input(shape=input_shape)
    assert layers.Conv2D(**kwargs)(x).shape == (None,) + output_shape


def test_conv2d_kernel_layout_and_params():
    conv = layers.Conv2D(32, 4, strides=2)
    conv(nn.Input(shape=(320, 320, 3)))
    assert [(w.name, w.shape) for w in conv.weights] == [
        ("conv2d/kernel", (4, 4, 3, 32)), ("conv2d/bias", (32,))]
    assert conv.count_params() == 1568  # the guide's first row
    no_bias = layers.Conv2D(8, 3, use_bias=False)
    no_bias.build((None, 5, 5, 2))
    assert no_bias.count_params() == 3 * 3 * 2 * 8


def test_conv2d_default_initializer_counts_the_receptive_field():
    conv = layers.Conv2D(64, 5)
    conv.build((None, 9, 9, 32))
    limit = math.sqrt(6 / (5 * 5 * 32 + 5 * 5 * 64))
    values = conv.kernel.numpy()
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.98 * limit


@pytest.mark.parametrize("strides, padding, dilation", [
    ((1, 1), "valid", (1, 1)),
    ((2, 2), "valid", (1, 1)),
    ((1, 1), "same", (1, 1)),
    ((2, 3), "same", (1, 1)),
    ((1, 1), "valid", (2, 2)),
    ((1, 1), "same", (2, 1)),
])
def test_conv2d_values_match_numpy(strides, padding, dilation):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 8, 3)).astype(np.float32)
    conv = layers.Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                         activation="relu")
    conv.build(x.shape)
    kernel, _ = conv.get_weights()
    bias = rng.normal(size=4).astype(np.float32)
    conv.set_weights([kernel, bias])
    out = conv(x)
    expected = np.maximum(numpy_conv2d(x, kernel, bias, strides, padding, dilation), 0)
    assert out.shape == expected.shape == conv.compute_output_shape(x.shape)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_conv2d_gradients_reach_the_kernel_and_the_input():
    conv = layers.Conv2D(2, 3, padding="same", dtype="float64")
    x = autograd.tensor(np.random.default_rng(2).normal(size=(1, 5, 5, 2)), requires_grad=True)
    assert autograd.gradcheck(lambda t: (conv(t) ** 2).sum(), [x])
    (conv(x) ** 2).sum().backward()
    assert conv.kernel.grad.shape == (3, 3, 2, 2) and conv.bias.grad.shape == (2,)


def test_conv2d_model_on_data_returns_a_tensor_with_gradients():
    model = nn.Sequential([nn.Input(shape=(12, 12, 3)), layers.Conv2D(4, 3, activation="relu"),
                           layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2)])
    out = model(np.random.default_rng(0).normal(size=(3, 12, 12, 3)))
    assert isinstance(out, autograd.Tensor) and out.shape == (3, 2) and out.dtype == np.float32
    out.sum().backward()
    assert all(w.grad is not None for w in model.trainable_weights)


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.MaxPooling2D, {"pool_size": 3}, (157, 157, 32), (52, 52, 32)),
    (layers.MaxPooling2D, {"pool_size": 2}, (12, 12, 32), (6, 6, 32)),
    (layers.MaxPooling2D, {}, (7, 7, 1), (3, 3, 1)),
    (layers.MaxPooling2D, {"pool_size": 3, "strides": 1}, (5, 5, 2), (3, 3, 2)),
    (layers.AveragePooling2D, {"pool_size": 2, "padding": "same"}, (5, 5, 2), (3, 3, 2)),
    (layers.AveragePooling2D, {"pool_size": (2, 3), "strides": (1, 2)}, (4, 9, 1), (3, 4, 1)),
    (layers.GlobalMaxPooling2D, {}, (6, 6, 32), (32,)),
    (layers.GlobalAveragePooling2D, {}, (None, None, 5), (5,)),
    (layers.GlobalAveragePooling2D, {"keepdims": True}, (4, 4, 5), (1, 1, 5)),
])
def test_pooling_output_shapes(cls, kwargs, input_shape, output_shape):
    layer = cls(**kwargs)
    assert layer(nn.Input(shape=input_shape)).shape == (None,) + output_shape
    assert layer.count_params() == 0


def test_pooling_strides_default_to_pool_size():
    assert layers.MaxPooling2D(3).strides == (3, 3)
    assert layers.AveragePooling2D((2, 4)).strides == (2, 4)
    assert layers.MaxPooling2D(3, strides=1).strides == (1, 1)


@pytest.mark.parametrize("cls, reduce", [(layers.MaxPooling2D, np.nanmax),
                                         (layers.AveragePooling2D, np.nanmean)])
@pytest.mark.parametrize("size, strides, padding", [
    ((2, 2), None, "valid"), ((3, 3), (2, 2), "valid"), ((2, 2), None, "same"),
    ((3, 2), (2, 1), "same"),
])
def test_pooling_values_match_numpy(cls, reduce, size, strides, padding):
    x = np.random.default_rng(3).normal(size=(2, 7, 6, 3)).astype(np.float32)
    out = cls(size, strides=strides, padding=padding)(x)
    expected = numpy_pool(x, size, strides or size, padding, reduce)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_global_pooling_values_and_gradients():
    x = autograd.tensor(np.random.default_rng(4).normal(size=(2, 3, 4, 5)), requires_grad=True)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).numpy(),
                               x.numpy().max(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).numpy(),
                               x.numpy().mean(axis=(1, 2)), rtol=1e-5, atol=1e-7)
    assert layers.GlobalMaxPooling2D(keepdims=True)(x).shape == (2, 1, 1, 5)
    layers.GlobalAveragePooling2D()(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3, 4, 5), 1 / 12))


def test_max_pooling_gradient_goes_to_the_winner():
    x = autograd.tensor(np.array([[1.0, 5.0], [3.0, 2.0]]).reshape(1, 2, 2, 1), requires_grad=True)
    layers.MaxPooling2D(2)(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy().reshape(2, 2), [[0, 1], [0, 0]])


def test_building_and_summarizing_an_image_model_computes_no_convolution(monkeypatch):
    """Symbolic calls only work out shapes: the seed's 320x320 model never runs a kernel."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a symbolic call ran a numeric op")

    for op in ("conv2d", "max_pool2d", "avg_pool2d", "global_max_pool2d", "global_avg_pool2d"):
        monkeypatch.setattr(autograd, op, forbidden)
    model = nn.Sequential([nn.Input(shape=(320, 320, 3)),
                           layers.Conv2D(32, 4, strides=2, activation="relu"),
                           layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(3),
                           layers.AveragePooling2D(2), layers.GlobalMaxPooling2D(),
                           layers.Dense(10)])
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert model.output.shape == (None, 10) and lines[-4] == "Total params: 11,146"
    extractor = nn.Model(model.inputs, [layer.output for layer in model.layers])
    assert [t.shape for t in extractor.outputs][2] == (None, 52, 52, 32)
    with pytest.raises(AssertionError, match="ran a numeric op"):
        model(np.ones((1, 320, 320, 3)))  # data does go through the (patched) ops
