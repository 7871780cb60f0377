"""Shape ops: reshape, transpose, expand_dims, squeeze, broadcast_to, flatten,
indexing (slices, integer arrays, boolean masks), concatenate, stack, split, pad.
Their values are NumPy's; their gradients route each value back to where it
came from (and add up where one element was used twice)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    MAX_SIDE,
    OP_SETTINGS,
    OpCase,
    arrays,
    bool_masks,
    case_ids,
    check_float32,
    check_gradient,
    check_value,
    shapes,
)

import autograd

pytestmark = pytest.mark.ops


# ------------------------------------------------------------------ argument strategies


@st.composite
def reshape_args(draw):
    shape = draw(shapes())
    size = int(np.prod(shape))
    targets = [(size,), (-1,), tuple(reversed(shape)), (1,) + shape, shape + (1,)]
    if len(shape) >= 2:
        targets.append((shape[0], -1))
    if size == 1:
        targets.append(())
    return [draw(arrays(shape)), draw(st.sampled_from(targets))]


@st.composite
def transpose_args(draw):
    shape = draw(shapes())
    ndim = len(shape)
    perm = draw(st.permutations(range(ndim)))
    negative = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
    axes = tuple(ax - ndim if neg else ax for ax, neg in zip(perm, negative, strict=True))
    return [draw(arrays(shape)), draw(st.sampled_from([None, axes]))]


@st.composite
def expand_dims_args(draw):
    shape = draw(shapes())
    return [draw(arrays(shape)), draw(st.integers(-len(shape) - 1, len(shape)))]


@st.composite
def squeeze_args(draw):
    # make sure there is something to squeeze
    shape = list(draw(shapes(max_dims=2)))
    position = draw(st.integers(0, len(shape)))
    shape.insert(position, 1)
    ones = [i for i, s in enumerate(shape) if s == 1]
    axis = draw(st.one_of(st.none(), st.sampled_from(ones),
                          st.sampled_from(ones).map(lambda i: i - len(shape))))
    return [draw(arrays(tuple(shape))), axis]


@st.composite
def broadcast_to_args(draw):
    shape = draw(shapes())
    other = draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=4, max_side=MAX_SIDE))
    return [draw(arrays(shape)), np.broadcast_shapes(shape, other)]


@st.composite
def flatten_args(draw):
    shape = draw(shapes())
    ndim = len(shape)
    start = draw(st.integers(-ndim, ndim - 1)) if ndim else 0
    return [draw(arrays(shape)), start]


def flatten_np(x, start):
    if x.ndim == 0:
        return x.reshape(-1)
    start %= x.ndim
    return x.reshape(x.shape[:start] + (-1,))


@st.composite
def basic_index_args(draw):
    shape = draw(shapes())
    index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return [draw(arrays(shape)), index]


@st.composite
def integer_array_index_args(draw):
    # repeated indices are likely: their gradients must add up
    shape = draw(shapes(min_dims=1))
    index = draw(hnp.integer_array_indices(shape))
    return [draw(arrays(shape)), index]


@st.composite
def mixed_index_args(draw):
    # a slice on the first axis, an integer list (with repeats) on the second
    shape = draw(shapes(min_dims=2))
    picks = draw(st.lists(st.integers(-shape[1], shape[1] - 1), min_size=1, max_size=4))
    step = draw(st.sampled_from([1, 2, -1]))
    return [draw(arrays(shape)), (slice(None, None, step), picks)]


@st.composite
def bool_mask_args(draw):
    shape = draw(shapes(min_dims=1))
    leading = draw(st.integers(1, len(shape)))  # mask the first `leading` axes
    return [draw(arrays(shape)), draw(bool_masks(shape[:leading]))]


@st.composite
def concatenate_args(draw):
    shape = list(draw(shapes(min_dims=1)))
    ndim = len(shape)
    axis = draw(st.integers(-ndim, ndim - 1))
    parts = []
    for size in draw(st.lists(st.integers(1, MAX_SIDE), min_size=1, max_size=3)):
        shape[axis] = size
        parts.append(draw(arrays(tuple(shape))))
    return [axis] + parts


@st.composite
def stack_args(draw):
    shape = draw(shapes())
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    n = draw(st.integers(1, 3))
    return [axis] + [draw(arrays(shape)) for _ in range(n)]


@st.composite
def split_args(draw):
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    axis = draw(st.integers(-ndim, ndim - 1))
    size = shape[axis]
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    cuts = st.lists(st.integers(0, size), max_size=3).map(sorted)
    how = draw(st.one_of(st.sampled_from(divisors), cuts))
    return [draw(arrays(shape)), how, axis]


@st.composite
def pad_args(draw):
    shape = draw(shapes(min_dims=1))  # np.pad has nothing to pad on a 0-d array
    widths = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in shape)
    return [draw(arrays(shape)), widths, draw(st.sampled_from([0.0, -1.5]))]


GRADCHECK_CASES = [
    OpCase("reshape", "", autograd.reshape, reshape_args(), np.reshape),
    OpCase("transpose", "", autograd.transpose, transpose_args(), np.transpose),
    OpCase("transpose", ".T", lambda x: x.T, reshape_args().map(lambda a: a[:1]),
           lambda x: x.T),
    OpCase("expand_dims", "", autograd.expand_dims, expand_dims_args(), np.expand_dims),
    OpCase("squeeze", "", autograd.squeeze, squeeze_args(), np.squeeze),
    OpCase("broadcast_to", "", autograd.broadcast_to, broadcast_to_args(), np.broadcast_to),
    OpCase("flatten", "", autograd.flatten, flatten_args(), flatten_np),
    OpCase("getitem", "basic index", lambda x, i: x[i], basic_index_args(),
           lambda x, i: x[i]),
    OpCase("getitem", "integer arrays", lambda x, i: x[i], integer_array_index_args(),
           lambda x, i: x[i]),
    OpCase("getitem", "slice and integer list", lambda x, i: x[i], mixed_index_args(),
           lambda x, i: x[i]),
    OpCase("getitem", "boolean mask", lambda x, m: x[m], bool_mask_args(),
           lambda x, m: x[m]),
    OpCase("getitem", "function", autograd.getitem, basic_index_args(), lambda x, i: x[i]),
    OpCase("concatenate", "", lambda axis, *xs: autograd.concatenate(xs, axis=axis),
           concatenate_args(), lambda axis, *xs: np.concatenate(xs, axis=axis)),
    OpCase("stack", "", lambda axis, *xs: autograd.stack(xs, axis=axis), stack_args(),
           lambda axis, *xs: np.stack(xs, axis=axis)),
    OpCase("split", "", autograd.split, split_args(), np.split),
    OpCase("pad", "", autograd.pad, pad_args(),
           lambda x, w, c: np.pad(x, w, mode="constant", constant_values=c)),
]


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    check_gradient(case, data)


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_value_matches_numpy(case, data):
    check_value(case, data)


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=case_ids(GRADCHECK_CASES))
@OP_SETTINGS
@given(data=st.data())
def test_float32_agrees_with_float64(case, data):
    check_float32(case, data)


# ------------------------------------------------------------------ by hand


def weighted_grad(x_values, fn, weights):
    """x.grad after backward of sum(fn(x) * weights)."""
    x = autograd.tensor(x_values, dtype="float64", requires_grad=True)
    (fn(x) * autograd.tensor(weights, dtype="float64")).sum().backward()
    return x.grad.numpy()


def test_repeated_indices_add_their_gradients():
    # x[[0, 0, 2]] uses x[0] twice: it receives both upstream gradients
    grad = weighted_grad([10.0, 20.0, 30.0], lambda x: x[[0, 0, 2]], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(grad, [3.0, 0.0, 3.0])


def test_repeated_rows_add_their_gradients():
    grad = weighted_grad(np.zeros((2, 2)), lambda x: x[[1, 1]], [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(grad, [[0.0, 0.0], [4.0, 6.0]])


def test_boolean_mask_gradient_lands_on_the_selected_elements():
    values = np.array([[1.0, -2.0], [-3.0, 4.0]])
    grad = weighted_grad(values, lambda x: x[values > 0], [5.0, 7.0])
    np.testing.assert_array_equal(grad, [[5.0, 0.0], [0.0, 7.0]])


def test_strided_slice_gradient_skips_the_unselected_elements():
    grad = weighted_grad(np.zeros(5), lambda x: x[::2], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(grad, [1.0, 0.0, 2.0, 0.0, 3.0])


def test_indexing_with_a_tensor_of_indices():
    index = autograd.tensor([2, 0])
    grad = weighted_grad([1.0, 2.0, 3.0], lambda x: x[index], [1.0, 10.0])
    np.testing.assert_array_equal(grad, [10.0, 0.0, 1.0])


def test_transpose_gradient_is_transposed_back():
    weights = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(weighted_grad(np.zeros((2, 3)), lambda x: x.T, weights),
                                  weights.T)
    weights3 = np.arange(24.0).reshape(4, 2, 3)
    np.testing.assert_array_equal(
        weighted_grad(np.zeros((2, 3, 4)), lambda x: x.transpose((2, 0, 1)), weights3),
        weights3.transpose(1, 2, 0),
    )


def test_split_pieces_are_views_whose_gradients_meet_in_the_input():
    x = autograd.tensor(np.arange(6.0), requires_grad=True)
    first, second, third = autograd.split(x, 3)
    (first * 2.0 + third * 3.0).sum().backward()  # `second` unused
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 0.0, 0.0, 3.0, 3.0])


def test_stack_and_concatenate_route_gradients_to_each_input():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0, 4.0], requires_grad=True)
    (autograd.stack([a, b], axis=1) * autograd.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 3.0])
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 4.0])
    a.grad = b.grad = None
    (autograd.concatenate([a, b]) * autograd.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [3.0, 4.0])


def test_pad_gradient_is_the_interior_of_the_upstream_gradient():
    weights = np.arange(12.0).reshape(3, 4)
    grad = weighted_grad(np.zeros((1, 2)), lambda x: autograd.pad(x, ((1, 1), (2, 0))), weights)
    np.testing.assert_array_equal(grad, weights[1:2, 2:4])


def test_pad_with_a_single_width_pads_every_side():
    x = autograd.tensor(np.ones((2, 2)), requires_grad=True)
    y = x.pad(1, constant_value=7.0)
    np.testing.assert_array_equal(y.numpy(), np.pad(np.ones((2, 2)), 1, constant_values=7.0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 2)))


def test_broadcast_to_gradient_sums_over_the_repeated_axes():
    grad = weighted_grad([[1.0], [2.0]], lambda x: autograd.broadcast_to(x, (4, 2, 3)),
                         np.ones((4, 2, 3)))
    np.testing.assert_array_equal(grad, [[12.0], [12.0]])


def test_reshape_accepts_separate_ints_and_a_tuple():
    x = autograd.arange(6.0)
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)
    assert autograd.reshape(x, (-1, 2)).shape == (3, 2)


# ------------------------------------------------------------------ errors


def test_reshape_to_a_wrong_size_names_both_shapes_and_the_fix():
    with pytest.raises(ValueError) as info:
        autograd.zeros(2, 3).reshape(4, 2)
    message = str(info.value)
    assert "reshape" in message
    assert "(2, 3)" in message and "6 elements" in message
    assert "(4, 2)" in message
    assert "-1" in message  # the hint


def test_split_into_unequal_parts_explains_what_to_do():
    with pytest.raises(ValueError) as info:
        autograd.split(autograd.zeros(5), 2)
    message = str(info.value)
    assert "split" in message and "size 5" in message and "2 equal parts" in message
    assert "list of split points" in message


def test_concatenate_and_stack_of_nothing_are_errors():
    with pytest.raises(ValueError, match="concatenate needs at least one tensor"):
        autograd.concatenate([])
    with pytest.raises(ValueError, match="stack needs at least one tensor"):
        autograd.stack([])


def test_as_array_shares_a_tensors_array_and_converts_everything_else():
    t = autograd.tensor([1.0, 2.0])
    assert autograd.as_array(t) is t.data
    np.testing.assert_array_equal(autograd.as_array([[1, 2]]), np.array([[1, 2]]))
    assert autograd.as_array(3.0, dtype=np.float32).dtype == np.float32


def test_stack_of_different_shapes_names_the_shapes_and_concatenate():
    with pytest.raises(ValueError, match=r"stack: every tensor must have the same shape, but "
                                         r"got shapes \[\(2,\), \(3,\)\].*concatenate"):
        autograd.stack([autograd.zeros(2), autograd.zeros(3)])
