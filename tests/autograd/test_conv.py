"""autograd.conv2d: values and gradients (hand-worked, gradcheck, the NumPy twin,
PyTorch when installed), TensorFlow's "same" padding rule, dtypes, and the error
messages a user sees."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from window_strategies import OP_SETTINGS, cases

import autograd
from autograd.kernels.geometry import window_2d
from autograd.ops.conv import Conv2DOp, conv2d_backward_numpy, conv2d_numpy

pytestmark = pytest.mark.ops


def t(a, requires_grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# ---------------------------------------------------------------- values by hand


def test_a_3x3_image_with_a_2x2_kernel_by_hand():
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    k = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)  # x[i, j] - x[i+1, j+1]
    xt, kt, bt = t(x, True), t(k, True), t([10.0], True)
    y = autograd.conv2d(xt, kt, bt)
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[6.0, 6.0], [6.0, 6.0]])
    y.sum().backward()
    # d/dx: +1 where a window's top-left lands, -1 where its bottom-right lands
    np.testing.assert_array_equal(xt.grad.numpy()[0, :, :, 0],
                                  [[1, 1, 0], [1, 0, -1], [0, -1, -1]])
    # d/dkernel[a, b]: sum of the 2x2 block of x starting at (a, b)
    np.testing.assert_array_equal(kt.grad.numpy()[:, :, 0, 0], [[12, 16], [24, 28]])
    np.testing.assert_array_equal(bt.grad.numpy(), [4.0])


def test_conv2d_is_a_function_with_backward_beside_forward():
    y = autograd.conv2d(t(np.ones((1, 3, 3, 1)), True), t(np.ones((2, 2, 1, 1))))
    assert y.grad_fn.fn is Conv2DOp and callable(Conv2DOp.backward)


@pytest.mark.parametrize(
    "size, kernel, stride, out, pads",
    [
        (5, 3, 2, 3, (1, 1)),  # total 2: even split
        (4, 2, 1, 4, (0, 1)),  # total 1: the odd cell goes after (bottom/right)
        (6, 3, 2, 3, (0, 1)),  # total 1 with a stride
        (7, 4, 3, 3, (1, 2)),  # total 3
        (5, 1, 3, 2, (0, 0)),  # no padding needed
    ],
)
def test_same_padding_follows_tensorflow(size, kernel, stride, out, pads):
    # out = ceil(in / stride); total = max((out - 1) * stride + k - in, 0); top = total // 2
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, size, size, 1))
    k = rng.standard_normal((kernel, kernel, 1, 1))
    y = autograd.conv2d(t(x), t(k), strides=stride, padding="same").numpy()
    assert y.shape == (1, out, out, 1)
    before, after = pads
    padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
    want = np.zeros((out, out))
    for i in range(out):
        for j in range(out):
            r, c = i * stride, j * stride
            want[i, j] = np.sum(padded[0, r:r + kernel, c:c + kernel, 0] * k[:, :, 0, 0])
    np.testing.assert_allclose(y[0, :, :, 0], want, rtol=1e-12)


# ---------------------------------------------------------------- gradients


GRADCHECK = {
    "basic": dict(x=(2, 4, 5, 2), k=(3, 2, 2, 3)),
    "same stride 2": dict(x=(1, 5, 4, 2), k=(3, 3, 2, 2), strides=2, padding="same"),
    "dilated": dict(x=(1, 6, 5, 1), k=(2, 2, 1, 2), dilation_rate=(2, 1)),
    "dilated same": dict(x=(1, 4, 4, 2), k=(2, 3, 2, 1), dilation_rate=2, padding="same"),
    "stride larger than kernel": dict(x=(2, 7, 6, 1), k=(2, 2, 1, 2), strides=(3, 4)),
    "one channel, batch 1, odd": dict(x=(1, 5, 3, 1), k=(3, 1, 1, 1)),
    "1x1": dict(x=(2, 3, 3, 3), k=(1, 1, 3, 2)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck_conv2d(name):
    spec = dict(GRADCHECK[name])
    rng = np.random.default_rng(len(name))
    x = t(rng.standard_normal(spec.pop("x")), True)
    k_shape = spec.pop("k")
    k = t(rng.standard_normal(k_shape), True)
    b = t(rng.standard_normal(k_shape[3]), True)
    assert autograd.gradcheck(lambda x, k, b: autograd.conv2d(x, k, b, **spec), [x, k, b])


def test_gradcheck_conv2d_with_non_contiguous_inputs_and_no_bias():
    rng = np.random.default_rng(3)
    x = autograd.Tensor._from_op(np.asfortranarray(rng.standard_normal((2, 5, 4, 2))))
    k = autograd.Tensor._from_op(rng.standard_normal((2, 2, 2, 6))[..., ::2])
    x.requires_grad_(), k.requires_grad_()
    assert autograd.gradcheck(lambda x, k: autograd.conv2d(x, k, padding="same"), [x, k])


# Up to five channels: one to three take the transposed column matrix, four and five
# im2col_rows (kernels/conv.py), so both fills are checked through the op.
@OP_SETTINGS
@given(cases(max_side=6, max_channels=5), st.integers(1, 2))
def test_conv2d_values_match_the_numpy_twin(case, out_channels):
    x = case.x()
    k = case.rng().standard_normal((*case.kernel_size, x.shape[3], out_channels))
    y = autograd.conv2d(autograd.tensor(x), autograd.tensor(k.astype(case.dtype)),
                        strides=case.strides, padding=case.padding,
                        dilation_rate=case.dilation)
    assert y.dtype == case.dtype
    want = conv2d_numpy(x.astype(np.float64), k, None, case.window)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-4, atol=1e-4)


@OP_SETTINGS
@given(cases(max_side=6, max_channels=5), st.integers(1, 2),
       st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_conv2d_gradients_match_the_numpy_twin(case, out_channels, needs):
    rng = case.rng()
    x = case.x().astype(np.float64)
    k = rng.standard_normal((*case.kernel_size, x.shape[3], out_channels))
    b = rng.standard_normal(out_channels)
    xt, kt, bt = (autograd.tensor(a, requires_grad=need) for a, need in zip((x, k, b), needs,
                                                                           strict=True))
    y = autograd.conv2d(xt, kt, bt, strides=case.strides, padding=case.padding,
                        dilation_rate=case.dilation)
    np.testing.assert_allclose(y.numpy(), conv2d_numpy(x, k, b, case.window), rtol=1e-10,
                               atol=1e-10)
    if not any(needs):
        return
    g = rng.standard_normal(y.shape)
    y.backward(g)
    want = conv2d_backward_numpy(x, k, g, case.window, *needs)
    for leaf, w, need in zip((xt, kt, bt), want, needs, strict=True):
        if need:
            np.testing.assert_allclose(leaf.grad.numpy(), w, rtol=1e-10, atol=1e-10)
        else:
            assert leaf.grad is None and w is None


@pytest.mark.parametrize("with_bias", [False, True])
def test_conv2d_gives_the_same_result_in_many_small_blocks(monkeypatch, with_bias):
    # Force ~100 blocks (ragged last block included) so the block loops are exercised.
    from autograd.kernels import conv as kconv

    rng = np.random.default_rng(0)
    x, k = rng.standard_normal((3, 11, 9, 4)), rng.standard_normal((3, 2, 4, 5))
    b = rng.standard_normal(5) if with_bias else None
    g = rng.standard_normal((3, 11, 5, 5))
    results = []
    for tile_bytes in (kconv.TILE_BYTES, 7 * 3 * 2 * 4 * x.itemsize):
        monkeypatch.setattr(kconv, "MIN_TILE_ROWS", 1)
        monkeypatch.setattr(kconv, "TILE_BYTES", tile_bytes)
        leaves = [t(a, True) for a in (x, k, b) if a is not None]
        y = autograd.conv2d(*leaves, strides=(1, 2), padding="same", dilation_rate=(2, 1))
        y.backward(g)
        results.append([y.numpy()] + [leaf.grad.numpy() for leaf in leaves])
    for blocked, whole in zip(*results, strict=True):
        np.testing.assert_allclose(blocked, whole, rtol=1e-12, atol=1e-12)


def test_a_pointwise_conv_agrees_with_the_twin():
    # 1x1, stride 1, no padding: the column matrix is x itself (no im2col copy)
    rng = np.random.default_rng(0)
    x, k, b = (rng.standard_normal(s) for s in ((2, 3, 4, 5), (1, 1, 5, 2), (2,)))
    win = window_2d("t", x.shape, (1, 1), (1, 1), (1, 1), "valid")
    g = rng.standard_normal((2, 3, 4, 2))
    for bias in (None, b):
        leaves = [t(a, True) for a in (x, k, bias) if a is not None]
        y = autograd.conv2d(*leaves)
        np.testing.assert_allclose(y.numpy(), conv2d_numpy(x, k, bias, win), rtol=1e-12)
        y.backward(g)
        want = conv2d_backward_numpy(x, k, g, win, need_bias=bias is not None)
        for leaf, w in zip(leaves, want, strict=False):
            np.testing.assert_allclose(leaf.grad.numpy(), w, rtol=1e-12, atol=1e-12)


def test_only_the_gradients_asked_for_are_computed():
    x = t(np.ones((1, 3, 3, 2)))
    k = t(np.ones((2, 2, 2, 1)), True)
    autograd.conv2d(x, k).sum().backward()
    assert x.grad is None and k.grad is not None
    np.testing.assert_array_equal(k.grad.numpy(), np.full((2, 2, 2, 1), 4.0))


def test_float32_in_float32_out_and_close_to_float64():
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal((2, 6, 6, 3)), rng.standard_normal((3, 3, 3, 4))
    y32 = autograd.conv2d(autograd.tensor(x, dtype="float32", requires_grad=True),
                          autograd.tensor(k, dtype="float32"), padding="same")
    assert y32.dtype == np.float32
    y64 = autograd.conv2d(t(x), t(k), padding="same")
    np.testing.assert_allclose(y32.numpy(), y64.numpy(), rtol=1e-4, atol=1e-4)


# -------------------- PyTorch, live (pytest -m reference)


@pytest.mark.reference
@pytest.mark.parametrize("stride, dilation, padding", [(1, 1, "valid"), (2, 1, "valid"),
                                                       (1, 2, "valid"), (1, 1, "same"),
                                                       (2, 1, "same")])
def test_values_and_gradients_match_pytorch(stride, dilation, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(stride * 10 + dilation)
    x, k, b = (rng.standard_normal((2, 9, 8, 3)), rng.standard_normal((3, 3, 3, 4)),
               rng.standard_normal(4))
    xt, kt, bt = t(x, True), t(k, True), t(b, True)
    y = autograd.conv2d(xt, kt, bt, strides=stride, padding=padding, dilation_rate=dilation)
    g = rng.standard_normal(y.shape)
    y.backward(g)

    tx = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    tk = torch.tensor(k.transpose(3, 2, 0, 1), requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    padded = tx
    if padding == "same":  # TensorFlow's rule, applied by hand (torch pads symmetrically)
        win = y.grad_fn.window
        padded = torch.nn.functional.pad(tx, (win.pad_left, win.pad_right,
                                              win.pad_top, win.pad_bottom))
    ty = torch.nn.functional.conv2d(padded, tk, tb, stride=stride, dilation=dilation)
    ty.backward(torch.tensor(g.transpose(0, 3, 1, 2)))
    assert ty.permute(0, 2, 3, 1).shape == y.shape
    np.testing.assert_allclose(y.numpy(), ty.detach().permute(0, 2, 3, 1).numpy(), rtol=1e-10)
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.permute(0, 2, 3, 1).numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(kt.grad.numpy(), tk.grad.permute(2, 3, 1, 0).numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bt.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------- errors


def error_of(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


def test_a_rank_3_input_explains_nhwc_and_the_batch_axis():
    msg = error_of(lambda: autograd.conv2d(t(np.ones((28, 28, 1))), t(np.ones((3, 3, 1, 4)))))
    assert "conv2d" in msg and "NHWC" in msg and "(28, 28, 1)" in msg
    assert "batch" in msg and "x[None]" in msg and "(1, 28, 28, 1)" in msg


def test_a_kernel_of_the_wrong_rank_names_the_keras_layout():
    msg = error_of(lambda: autograd.conv2d(t(np.ones((1, 5, 5, 1))), t(np.ones((3, 3, 1)))))
    assert "conv2d" in msg and "(3, 3, 1)" in msg
    assert "(kernel_h, kernel_w, in_channels, out_channels)" in msg


def test_mismatched_channels_name_both_counts():
    msg = error_of(lambda: autograd.conv2d(t(np.ones((2, 8, 8, 3))), t(np.ones((3, 3, 1, 16)))))
    assert "conv2d" in msg and "3 channels" in msg and "(2, 8, 8, 3)" in msg
    assert "(3, 3, 1, 16)" in msg and "expects 1 input channels" in msg


@pytest.mark.parametrize("padding", ["full", "SAME ", "causal", None, 1])
def test_an_invalid_padding_lists_the_choices(padding):
    msg = error_of(lambda: autograd.conv2d(t(np.ones((1, 4, 4, 1))), t(np.ones((2, 2, 1, 1))),
                                           padding=padding))
    assert "conv2d" in msg and "'valid'" in msg and "'same'" in msg and repr(padding) in msg


def test_padding_is_case_insensitive():
    y = autograd.conv2d(t(np.ones((1, 4, 4, 1))), t(np.ones((2, 2, 1, 1))), padding="SAME")
    assert y.shape == (1, 4, 4, 1)


def test_a_kernel_larger_than_the_input_says_what_to_do():
    msg = error_of(lambda: autograd.conv2d(t(np.ones((1, 4, 6, 2))), t(np.ones((5, 3, 2, 8)))))
    assert "conv2d" in msg and "(1, 4, 6, 2)" in msg and "(5, 3, 2, 8)" in msg
    assert "padding='valid'" in msg and "padding='same'" in msg and "smaller kernel" in msg


def test_dilation_that_makes_the_kernel_too_large_is_reported():
    msg = error_of(lambda: autograd.conv2d(t(np.ones((1, 4, 4, 1))), t(np.ones((2, 2, 1, 1))),
                                           dilation_rate=4))
    assert "dilated to 5x5" in msg


def test_bad_bias_and_strides_are_reported():
    x, k = t(np.ones((1, 4, 4, 1))), t(np.ones((2, 2, 1, 3)))
    assert "bias must have shape (3,)" in error_of(lambda: autograd.conv2d(x, k, t([1.0])))
    msg = error_of(lambda: autograd.conv2d(x, k, strides=0))
    assert "strides" in msg and "positive" in msg
    msg = error_of(lambda: autograd.conv2d(x, k, dilation_rate=(1, 2, 3)))
    assert "dilation_rate" in msg


def test_gradients_agree_whether_or_not_forward_keeps_the_column_matrix(monkeypatch):
    from autograd.kernels import conv as kconv

    rng = np.random.default_rng(4)
    x, k, b = (rng.standard_normal((2, 6, 5, 2)), rng.standard_normal((3, 3, 2, 3)),
               rng.standard_normal(3))
    g = rng.standard_normal((2, 6, 5, 3))
    grads = []
    for limit in (kconv.KEEP_COLS_BYTES, 0):
        monkeypatch.setattr(kconv, "KEEP_COLS_BYTES", limit)
        xt, kt, bt = t(x, True), t(k, True), t(b, True)
        y = autograd.conv2d(xt, kt, bt, padding="same")
        assert (y.grad_fn.saved_tensors[2] is not None) == (limit > 0)
        y.backward(g)
        grads.append([xt.grad.numpy(), kt.grad.numpy(), bt.grad.numpy()])
    for kept, rebuilt in zip(*grads, strict=True):
        np.testing.assert_allclose(kept, rebuilt, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- conv_output_shape


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        # Keras: Conv2D(8, 3) on 28x28 -> 26x26; strides 2, "same" -> ceil(n / 2)
        (((None, 28, 28, 1), 3), {"filters": 8}, (None, 26, 26, 8)),
        (((4, 9, 9, 3), 2), {"strides": 2, "padding": "same"}, (4, 5, 5, 3)),
        # a 3x3 window dilated by 2 covers 5 cells: (12 - 5) // 1 + 1 = 8
        (((1, 12, 7, 2), (3, 1)), {"dilation_rate": (2, 1), "filters": 1}, (1, 8, 7, 1)),
        # unknown sizes stay unknown
        (((None, None, 10, 3), (2, 3), (2, 3)), {}, (None, None, 3, 3)),
    ],
)
def test_conv_output_shape_by_hand(args, kwargs, expected):
    assert autograd.conv_output_shape(*args, **kwargs) == expected


@OP_SETTINGS
@given(case=cases(), filters=st.integers(1, 3))
def test_conv_output_shape_is_the_shape_conv2d_returns(case, filters):
    x = np.zeros(case.x_shape)
    k = np.zeros(case.kernel_size + (case.x_shape[3], filters))
    y = autograd.conv2d(x, k, strides=case.strides, padding=case.padding,
                        dilation_rate=case.dilation)
    got = autograd.conv_output_shape(x.shape, case.kernel_size, case.strides, case.padding,
                                     case.dilation, filters=filters)
    assert got == y.shape


def test_conv_output_shape_explains_a_window_that_does_not_fit_and_a_wrong_rank():
    with pytest.raises(ValueError, match=r"Conv2D layer 'c'.*larger than the input"):
        autograd.conv_output_shape((None, 2, 8, 1), 3, op="Conv2D layer 'c'")
    with pytest.raises(ValueError, match=r"4-D NHWC shape.*\(None, 28, 28\)"):
        autograd.conv_output_shape((None, 28, 28), 3)
    with pytest.raises(ValueError, match="strides must be a positive int"):
        autograd.conv_output_shape((None, 8, 8, 1), 3, strides=0)
