"""The softmax family and the fused cross-entropies: values, gradients, and
stability for huge logits (which a naive exp/sum/log composition turns into
inf and nan)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    OP_SETTINGS,
    OpCase,
    arrays,
    broadcast_shapes,
    case_ids,
    check_float32,
    check_gradient,
    check_value,
    shapes,
    uniform,
)

import autograd

pytestmark = pytest.mark.ops

LOGITS = uniform(-3.0, 3.0)


def log_softmax_np(x, axis):
    # the textbook formula, safe for the small logits the cases draw
    return x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))


def softmax_np(x, axis):
    return np.exp(log_softmax_np(x, axis))


@st.composite
def logits_and_axis(draw):
    shape = draw(shapes(min_dims=1))
    return [draw(arrays(shape, LOGITS)), draw(st.integers(-len(shape), len(shape) - 1))]


@st.composite
def logits_and_distribution(draw):
    """[logits, target, axis]: target is a probability distribution along axis."""
    logits, axis = draw(logits_and_axis())
    target = softmax_np(draw(arrays(logits.shape, uniform(-2.0, 2.0))), axis)
    return [logits, target, axis]


@st.composite
def logits_and_labels(draw):
    shape = draw(shapes(min_dims=1))
    seed = draw(st.integers(0, 2**32 - 1))
    labels = np.random.default_rng(seed).integers(0, shape[-1], size=shape[:-1])
    return [draw(arrays(shape, LOGITS)), labels]


@st.composite
def logits_and_binary_targets(draw):
    s_logits, s_target = draw(broadcast_shapes(2))
    return [draw(arrays(s_logits, LOGITS)), draw(arrays(s_target, uniform(0.0, 1.0)))]


def softmax_cross_entropy_np(logits, target, axis):
    return -np.sum(target * log_softmax_np(logits, axis), axis=axis)


def sparse_softmax_cross_entropy_np(logits, labels):
    log_probs = log_softmax_np(logits, -1)
    return -np.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]


@st.composite
def probabilities_and_labels(draw):
    probs, labels = draw(logits_and_labels())
    return [draw(arrays(probs.shape, uniform(0.1, 1.0))), labels]


def sparse_crossentropy_from_probabilities_np(probs, labels):
    # Keras: renormalise, clip to [1e-7, 1 - 1e-7], take -log at the label
    p = probs / probs.sum(axis=-1, keepdims=True)
    picked = np.take_along_axis(p, labels[..., None], axis=-1)[..., 0]
    return -np.log(np.clip(picked, 1e-7, 1 - 1e-7))


def sigmoid_cross_entropy_np(logits, target):
    p = 1 / (1 + np.exp(-logits))
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


GRADCHECK_CASES = [
    OpCase("softmax", "", autograd.softmax, logits_and_axis(), softmax_np),
    OpCase("log_softmax", "", autograd.log_softmax, logits_and_axis(), log_softmax_np),
    OpCase("softmax_cross_entropy", "", autograd.softmax_cross_entropy,
           logits_and_distribution(), softmax_cross_entropy_np),
    OpCase("sparse_softmax_cross_entropy", "", autograd.sparse_softmax_cross_entropy,
           logits_and_labels(), sparse_softmax_cross_entropy_np),
    OpCase("sigmoid_cross_entropy", "", autograd.sigmoid_cross_entropy,
           logits_and_binary_targets(), sigmoid_cross_entropy_np),
    OpCase("sparse_crossentropy_from_probabilities", "",
           autograd.sparse_crossentropy_from_probabilities, probabilities_and_labels(),
           sparse_crossentropy_from_probabilities_np),
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


# ------------------------------------------------------------------ hand-derived values


def test_softmax_of_equal_huge_logits_is_uniform():
    x = autograd.tensor([1000.0, 1000.0], requires_grad=True)  # float32
    y = autograd.softmax(x)
    (y * autograd.tensor([1.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(y.numpy(), [0.5, 0.5])
    # Jacobian-vector product s * (g - s.g) = 0.5 * ([1, 3] - 2)
    np.testing.assert_allclose(x.grad.numpy(), [-0.5, 0.5])


def test_log_softmax_of_far_apart_logits_is_finite():
    x = autograd.tensor([1000.0, 0.0, -1000.0], requires_grad=True)  # float32
    y = autograd.log_softmax(x)
    y[1].backward()
    np.testing.assert_allclose(y.numpy(), [0.0, -1000.0, -2000.0])
    # d log_softmax_1 / dx = onehot(1) - softmax(x) = [-1, 1, 0]
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 1.0, 0.0])


def test_softmax_rows_sum_to_one_along_the_chosen_axis():
    x = autograd.tensor(np.arange(12.0).reshape(3, 4))
    np.testing.assert_allclose(autograd.softmax(x, axis=0).numpy().sum(axis=0), np.ones(4))
    np.testing.assert_allclose(autograd.softmax(x).numpy().sum(axis=-1), np.ones(3))


def test_cross_entropy_of_uniform_logits_is_log_of_the_class_count():
    logits = autograd.tensor(np.zeros((2, 4)), requires_grad=True)
    loss = autograd.sparse_softmax_cross_entropy(logits, np.array([0, 3]))
    np.testing.assert_allclose(loss.numpy(), [np.log(4), np.log(4)])
    loss.sum().backward()
    # softmax - one_hot
    np.testing.assert_allclose(logits.grad.numpy(),
                               [[-0.75, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, -0.75]])


def test_sigmoid_cross_entropy_at_zero_logit_is_log_two_with_slope_half_minus_target():
    logits = autograd.tensor([0.0, 0.0, 0.0], dtype="float64", requires_grad=True)
    target = autograd.tensor([0.0, 0.25, 1.0], dtype="float64", requires_grad=True)
    loss = autograd.sigmoid_cross_entropy(logits, target)
    np.testing.assert_allclose(loss.numpy(), np.full(3, np.log(2)))
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), [0.5, 0.25, -0.5])
    np.testing.assert_allclose(target.grad.numpy(), [0.0, 0.0, 0.0])  # d/dz = -logit


def test_sparse_and_one_hot_cross_entropy_agree():
    rng = np.random.default_rng(1)
    logits_np = rng.standard_normal((4, 3))
    labels = np.array([2, 0, 1, 2])
    a = autograd.tensor(logits_np, requires_grad=True)
    b = autograd.tensor(logits_np, requires_grad=True)
    sparse = autograd.sparse_softmax_cross_entropy(a, labels)
    dense = autograd.softmax_cross_entropy(b, np.eye(3)[labels])
    np.testing.assert_allclose(sparse.numpy(), dense.numpy(), rtol=1e-12)
    sparse.sum().backward()
    dense.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_sparse_cross_entropy_accepts_integer_valued_float_labels():
    logits = autograd.tensor(np.zeros((2, 3)))
    by_float = autograd.sparse_softmax_cross_entropy(logits, autograd.tensor([1.0, 2.0]))
    by_int = autograd.sparse_softmax_cross_entropy(logits, np.array([1, 2]))
    np.testing.assert_array_equal(by_float.numpy(), by_int.numpy())


# ------------------------------------------------------------------ logits of +-1000 in float32

HUGE = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], dtype=np.float32)


def test_sigmoid_cross_entropy_of_huge_float32_logits_is_finite_and_exact():
    logits = autograd.tensor(HUGE, requires_grad=True)
    target = np.array([[1.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    loss = autograd.sigmoid_cross_entropy(logits, target)
    loss.sum().backward()
    assert loss.dtype == np.float32 and logits.grad.dtype == np.float32
    # confident and right costs 0, confident and wrong costs |logit|
    np.testing.assert_array_equal(loss.numpy(), [[0.0, 1000.0], [0.0, 1000.0]])
    # gradient sigmoid(logit) - target
    np.testing.assert_array_equal(logits.grad.numpy(), [[0.0, -1.0], [0.0, 1.0]])


def test_softmax_cross_entropy_of_huge_float32_logits_is_finite_and_exact():
    logits = autograd.tensor(HUGE, requires_grad=True)
    target = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    loss = autograd.softmax_cross_entropy(logits, target)
    loss.sum().backward()
    np.testing.assert_array_equal(loss.numpy(), [0.0, 2000.0])
    np.testing.assert_array_equal(logits.grad.numpy(), [[0.0, 0.0], [-1.0, 1.0]])


def test_sparse_cross_entropy_of_huge_float32_logits_is_finite_and_exact():
    logits = autograd.tensor(HUGE, requires_grad=True)
    loss = autograd.sparse_softmax_cross_entropy(logits, np.array([0, 0]))
    loss.sum().backward()
    np.testing.assert_array_equal(loss.numpy(), [0.0, 2000.0])
    np.testing.assert_array_equal(logits.grad.numpy(), [[0.0, 0.0], [-1.0, 1.0]])


@pytest.mark.parametrize("op", [autograd.softmax, autograd.log_softmax])
def test_softmax_family_of_huge_float32_logits_has_finite_gradients(op):
    logits = autograd.tensor(HUGE, requires_grad=True)
    out = op(logits)
    (out * autograd.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert np.all(np.isfinite(out.numpy()))
    assert np.all(np.isfinite(logits.grad.numpy()))


# ------------------------------------------------------------------ errors


def test_sparse_cross_entropy_rejects_fractional_labels():
    with pytest.raises(TypeError, match="integer class labels.*softmax_cross_entropy"):
        autograd.sparse_softmax_cross_entropy(autograd.zeros(2, 3), np.array([0.5, 1.0]))


def test_sparse_cross_entropy_rejects_labels_out_of_range():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\] for 3 classes.*\[0, 3\]"):
        autograd.sparse_softmax_cross_entropy(autograd.zeros(2, 3), np.array([0, 3]))


# -------------------- PyTorch, live (pytest -m reference)


def torch_pair(values, requires_grad=True):
    torch = pytest.importorskip("torch")
    return (autograd.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


@pytest.mark.reference
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_and_log_softmax_match_torch(axis):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(2).standard_normal((3, 4)) * 5
    upstream = np.random.default_rng(3).standard_normal((3, 4))
    for ours, theirs in ((autograd.softmax, torch.softmax),
                         (autograd.log_softmax, torch.log_softmax)):
        x, xt = torch_pair(values)
        y, yt = ours(x, axis=axis), theirs(xt, dim=axis)
        y.backward(upstream)
        yt.backward(torch.tensor(upstream))
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.reference
def test_cross_entropies_match_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(4)
    logits_np = rng.standard_normal((5, 3)) * 4
    labels = np.array([0, 2, 1, 1, 0])
    probs = rng.dirichlet(np.ones(3), size=5)
    binary = rng.random((5, 3))
    checks = [
        (lambda x: autograd.sparse_softmax_cross_entropy(x, labels),
         lambda t: F.cross_entropy(t, torch.tensor(labels), reduction="none")),
        (lambda x: autograd.softmax_cross_entropy(x, probs),
         lambda t: F.cross_entropy(t, torch.tensor(probs), reduction="none")),
        (lambda x: autograd.sigmoid_cross_entropy(x, binary),
         lambda t: F.binary_cross_entropy_with_logits(t, torch.tensor(binary),
                                                      reduction="none")),
    ]
    for ours, theirs in checks:
        x, xt = torch_pair(logits_np)
        y, yt = ours(x), theirs(xt)
        y.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)
