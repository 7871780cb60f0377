"""conv2d_transpose: values by hand, the adjoint identity with conv2d, gradcheck."""

import numpy as np
import pytest

import autograd

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
