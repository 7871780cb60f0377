"""conv2d_transpose: values by hand, the adjoint identity with conv2d, gradcheck."""

import numpy as np
import pytest

import autograd
from autograd.kernels.geometry import Window
from autograd.ops.conv_transpose import conv2d_transpose_numpy

RNG = np.random.default_rng(8)


def f64(shape):
    return autograd.tensor(RNG.normal(size=shape), requires_grad=True, dtype="float64")


def test_one_pixel_stamps_the_kernel():
    x = np.zeros((1, 2, 2, 1))
    x[0, 1, 0, 0] = 2.0
    kernel = np.arange(9.0).reshape(3, 3, 1, 1)
    out = autograd.conv2d_transpose(x, kernel, strides=2).numpy()[0, :, :, 0]
    assert out.shape == (5, 5)  # (2 - 1) * 2 + 3
    expected = np.zeros((5, 5))
    expected[2:5, 0:3] = 2.0 * kernel[:, :, 0, 0]  # the stamp, placed at (1 * 2, 0 * 2)
    np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize("strides,padding", [(1, "valid"), (2, "valid"), (2, "same"),
                                             ((3, 2), "valid"), ((2, 3), "same")])
def test_it_is_the_adjoint_of_conv2d(strides, padding):
    """<conv2d(x, K), y> == <x, conv2d_transpose(y, K)> for the same kernel and geometry:
    the defining identity of a transposed convolution."""
    kernel = RNG.normal(size=(3, 3, 2, 4))  # conv2d layout (kh, kw, in, out)
    y = RNG.normal(size=(2, 3, 4, 4))
    as_f64 = {"dtype": "float64"}
    back = autograd.conv2d_transpose(autograd.tensor(y, **as_f64),
                                     autograd.tensor(kernel, **as_f64), strides=strides,
                                     padding=padding).numpy()
    x = RNG.normal(size=back.shape)  # an input of the size the transpose gives back
    forward = autograd.conv2d(autograd.tensor(x, **as_f64), autograd.tensor(kernel, **as_f64),
                              strides=strides, padding=padding).numpy()
    assert forward.shape == y.shape
    np.testing.assert_allclose(float((forward * y).sum()), float((x * back).sum()), rtol=1e-10)


@pytest.mark.parametrize("strides,padding,output_padding", [
    (1, "valid", None), (2, "valid", None), (2, "same", None), ((2, 3), "same", None),
    (3, "valid", 2), (2, "same", 1), (3, "same", None)])
def test_gradcheck(strides, padding, output_padding):
    x, kernel, bias = f64((2, 3, 4, 2)), f64((3, 2, 3, 2)), f64((3,))
    assert autograd.gradcheck(
        lambda a, k, b: autograd.conv2d_transpose(a, k, b, strides=strides, padding=padding,
                                                  output_padding=output_padding),
        [x, kernel, bias])


@pytest.mark.parametrize("strides,padding,output_padding", [
    (2, "valid", None), (2, "same", None), (1, "same", None), (3, "valid", 1), ((2, 3), "same", 1),
    (4, "valid", None)])  # the last: stride > kernel, rows that no stamp reaches
def test_matches_the_textbook_identity(strides, padding, output_padding):
    """The op (col2im of the stamps) against its NumPy twin (the convolution of the
    dilated, padded input with the flipped kernel): two different computations."""
    x = RNG.normal(size=(3, 5, 4, 2)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 4, 2)).astype(np.float32)
    bias = RNG.normal(size=4).astype(np.float32)
    out = autograd.conv2d_transpose(x, kernel, bias, strides=strides, padding=padding,
                                    output_padding=output_padding)
    window = _window_of(x.shape, kernel.shape, strides, padding, out.shape)
    twin = conv2d_transpose_numpy(x.astype(np.float64), kernel.astype(np.float64),
                                  bias.astype(np.float64), window, out.shape[1:3])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), twin, rtol=1e-5, atol=1e-5)


def _window_of(x_shape, k_shape, strides, padding, out_shape):
    """Keras's placement of the stamps: "same" crops (kernel - stride) // 2 rows at the
    top (test_it_is_the_adjoint_of_conv2d checks it against conv2d's padding)."""
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    kh, kw = k_shape[:2]
    top = max(kh - sh, 0) // 2 if padding == "same" else 0
    left = max(kw - sw, 0) // 2 if padding == "same" else 0
    h, w = x_shape[1:3]
    return Window(kh, kw, sh, sw, 1, 1, top, (h - 1) * sh + kh - top - out_shape[1],
                  left, (w - 1) * sw + kw - left - out_shape[2], h, w)


@pytest.mark.parametrize("strides,padding", [(2, "valid"), (2, "same")])
def test_backward_is_the_convolution_of_the_gradient(strides, padding):
    """dX = conv2d(dY, K) and dK = conv2d's kernel gradient for input dY and output
    gradient X, in float32, on a batch big enough for several blocks of pixels (the
    forward's too, checked against the twin first)."""
    x = RNG.normal(size=(40, 9, 9, 3)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 64, 3)).astype(np.float32)
    xt, kt = autograd.tensor(x, requires_grad=True), autograd.tensor(kernel, requires_grad=True)
    bt = autograd.tensor(np.zeros(64, np.float32), requires_grad=True)
    out = autograd.conv2d_transpose(xt, kt, bt, strides=strides, padding=padding)
    window = _window_of(x.shape, kernel.shape, strides, padding, out.shape)
    np.testing.assert_allclose(out.numpy(), conv2d_transpose_numpy(x, kernel, None, window,
                                                                   out.shape[1:3]),
                               rtol=1e-4, atol=1e-4)
    g = RNG.normal(size=out.shape).astype(np.float32)
    out.backward(g)
    kc = autograd.tensor(kernel, requires_grad=True)
    conv = autograd.conv2d(autograd.tensor(g), kc, strides=strides, padding=padding)
    assert conv.shape == x.shape
    np.testing.assert_allclose(xt.grad.numpy(), conv.numpy(), rtol=1e-4, atol=1e-3)
    conv.backward(x)
    np.testing.assert_allclose(kt.grad.numpy(), kc.grad.numpy(), rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(bt.grad.numpy(), g.sum(axis=(0, 1, 2)), rtol=1e-4, atol=1e-3)


def test_gradcheck_one_output_channel():
    """One output channel: the gradient's column matrix is filled transposed."""
    x, kernel, bias = f64((2, 3, 4, 2)), f64((3, 3, 1, 2)), f64((1,))
    assert autograd.gradcheck(
        lambda a, k, b: autograd.conv2d_transpose(a, k, b, strides=2, padding="same"),
        [x, kernel, bias])


def test_bad_arguments_name_the_layout():
    with pytest.raises(ValueError, match="expects 3"):
        autograd.conv2d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 5, 3)))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        autograd.conv2d_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 5, 2)), padding="full")


# ---------------------------------------------------------------- depthwise_conv2d

def test_depthwise_conv2d_is_each_channel_on_its_own():
    x = RNG.normal(size=(2, 6, 5, 3))
    kernel = RNG.normal(size=(3, 2, 3, 2))  # (kh, kw, in, depth_multiplier)
    out = autograd.depthwise_conv2d(autograd.tensor(x, dtype="float64"),
                                    autograd.tensor(kernel, dtype="float64")).numpy()
    assert out.shape == (2, 4, 4, 6)
    for c in range(3):
        for m in range(2):
            alone = autograd.conv2d(autograd.tensor(x[..., c:c + 1], dtype="float64"),
                                    autograd.tensor(kernel[:, :, c:c + 1, m:m + 1],
                                                    dtype="float64")).numpy()
            np.testing.assert_allclose(out[..., c * 2 + m], alone[..., 0], rtol=1e-12)


@pytest.mark.parametrize("strides,padding,dilation", [(1, "valid", 1), (2, "same", 1),
                                                      (1, "valid", 2)])
def test_depthwise_conv2d_gradcheck(strides, padding, dilation):
    x, kernel, bias = f64((2, 5, 5, 2)), f64((2, 2, 2, 3)), f64((6,))
    assert autograd.gradcheck(
        lambda a, k, b: autograd.depthwise_conv2d(a, k, b, strides=strides, padding=padding,
                                                  dilation_rate=dilation), [x, kernel, bias])


@pytest.mark.parametrize("multiplier,strides,padding", [(1, 1, "valid"), (2, 2, "same")])
def test_depthwise_conv2d_is_conv2d_with_a_block_diagonal_kernel(multiplier, strides, padding):
    """Values and all three gradients against the ordinary convolution with the kernel
    spread onto its diagonal blocks, in float32, on a batch that runs in two lanes."""
    x = RNG.normal(size=(16, 24, 24, 6)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 6, multiplier)).astype(np.float32)
    bias = RNG.normal(size=6 * multiplier).astype(np.float32)
    full = np.zeros((3, 3, 6, 6 * multiplier), np.float32)
    for c in range(6):
        full[:, :, c, c * multiplier:(c + 1) * multiplier] = kernel[:, :, c]
    ours = [autograd.tensor(a, requires_grad=True) for a in (x, kernel, bias)]
    dense = [autograd.tensor(a, requires_grad=True) for a in (x, full, bias)]
    out = autograd.depthwise_conv2d(*ours, strides=strides, padding=padding)
    want = autograd.conv2d(*dense, strides=strides, padding=padding)
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-4, atol=1e-4)
    g = RNG.normal(size=out.shape).astype(np.float32)
    out.backward(g)
    want.backward(g)
    np.testing.assert_allclose(ours[0].grad.numpy(), dense[0].grad.numpy(), rtol=1e-4, atol=1e-4)
    dk_blocks = np.stack([dense[1].grad.numpy()[:, :, c, c * multiplier:(c + 1) * multiplier]
                          for c in range(6)], axis=2)
    np.testing.assert_allclose(ours[1].grad.numpy(), dk_blocks, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(ours[2].grad.numpy(), dense[2].grad.numpy(), rtol=1e-4,
                               atol=1e-3)


def test_depthwise_conv2d_bad_bias_names_the_shape():
    with pytest.raises(ValueError, match=r"bias must have shape \(6,\)"):
        autograd.depthwise_conv2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 3, 2)), np.ones(3))
