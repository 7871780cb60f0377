"""autograd.batch_norm (the fused op behind BatchNormalization) and dropout_mask.

Gradients are gradchecked in float64 in both modes; values are compared with the same
formula written with primitive ops (the layer's composition before the fused op), bit for
bit, and with hand-derived numbers.
"""

import numpy as np
import pytest

import autograd
from autograd.random import dropout_mask

pytestmark = pytest.mark.ops


def leaf(values, name=None):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True, name=name)


CASES = [((6, 3), -1), ((4, 3, 2, 2), 1), ((2, 3, 3, 2), -1), ((5,), 0)]


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape, axis", CASES)
def test_batch_norm_gradcheck(shape, axis, training):
    rng = np.random.default_rng(len(shape) + axis)
    channels = shape[axis]
    x = leaf(rng.uniform(-2, 3, shape), "x")
    gamma, beta = leaf(rng.uniform(0.5, 2, channels), "gamma"), leaf(rng.normal(size=channels),
                                                                     "beta")
    mean, variance = autograd.tensor(rng.normal(size=channels)), autograd.tensor(
        rng.uniform(0.5, 2, channels))
    assert autograd.gradcheck(
        lambda a, g, b: autograd.batch_norm(a, mean, variance, g, b, axis=axis,
                                            training=training), [x, gamma, beta])


def test_batch_norm_gradcheck_without_gamma_and_beta():
    x = leaf(np.random.default_rng(1).uniform(-2, 2, (5, 4)))
    assert autograd.gradcheck(lambda a: autograd.batch_norm(a, None, None, training=True), [x])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, axis", CASES[:3])
def test_batch_norm_equals_the_primitive_composition_bit_for_bit(shape, axis, dtype):
    rng = np.random.default_rng(7)
    x = autograd.tensor(rng.normal(size=shape).astype(dtype))
    channels = shape[axis]
    gamma = autograd.tensor(rng.normal(size=channels).astype(np.float32))
    beta = autograd.tensor(rng.normal(size=channels).astype(np.float32))
    axis %= len(shape)
    reduce = tuple(a for a in range(len(shape)) if a != axis)
    features = tuple(shape[a] if a == axis else 1 for a in range(len(shape)))
    moving_mean, moving_variance = autograd.zeros(channels), autograd.ones(channels)
    got = autograd.batch_norm(x, moving_mean, moving_variance, gamma, beta, axis=axis,
                              training=True)
    mean, var = x.mean(axis=reduce, keepdims=True), x.var(axis=reduce, keepdims=True)
    composed = (x - mean) / (var + 0.001).sqrt() * gamma.reshape(features) + beta.reshape(
        features)
    assert got.dtype == composed.dtype and np.array_equal(got.numpy(), composed.numpy())
    expected_mean = autograd.zeros(channels).mul_(0.99).add_(mean.data.reshape(-1), alpha=0.01)
    assert np.array_equal(moving_mean.numpy(), expected_mean.numpy())
    got = autograd.batch_norm(x, moving_mean, moving_variance, gamma, beta, axis=axis)
    composed = ((x - moving_mean.reshape(features)) / (moving_variance.reshape(features)
                                                       + 0.001).sqrt()
                * gamma.reshape(features) + beta.reshape(features))
    assert np.array_equal(got.numpy(), composed.numpy())


def test_batch_norm_by_hand():
    moving_mean, moving_variance = autograd.tensor([0.5]), autograd.tensor([2.0])
    x = leaf([[0.0], [2.0]])
    out = autograd.batch_norm(x, moving_mean, moving_variance, training=True, momentum=0.75,
                              epsilon=0.0)
    assert out.numpy().ravel().tolist() == [-1.0, 1.0]  # mean 1, variance 1 (over n)
    assert moving_mean.numpy().tolist() == [0.75 * 0.5 + 0.25 * 1.0]
    assert moving_variance.numpy().tolist() == [0.75 * 2.0 + 0.25 * 1.0]
    (out * autograd.tensor([[1.0], [0.0]])).sum().backward()
    # d out_0 / d x: x_hat = (x - 1) / 1; out_0 = x_0 - (x_0 + x_1)/2 over sigma, which
    # depends on both: the gradient of out_0 alone is [0, 0] (out_0 = -1 for every
    # two-sample batch, whatever its values)
    assert np.allclose(x.grad.numpy().ravel(), [0.0, 0.0])
    inference = autograd.batch_norm(leaf([[3.0]]), moving_mean, moving_variance, epsilon=0.0)
    assert np.isclose(inference.item(), (3.0 - 0.625) / np.sqrt(1.75))


def test_batch_norm_explains_bad_arguments():
    with pytest.raises(ValueError, match=r"axis 2 is out of range for an input of shape \(4, 3\)"):
        autograd.batch_norm(np.ones((4, 3)), None, None, axis=2, training=True)
    with pytest.raises(ValueError, match="at inference .* moving_mean and moving_variance"):
        autograd.batch_norm(np.ones((4, 3)), None, None)


def test_layer_norm_backward_is_the_shared_normalization_backward():
    x = leaf(np.random.default_rng(2).normal(size=(3, 4)))
    gamma, beta = leaf(np.linspace(0.5, 2, 4)), leaf(np.linspace(-1, 1, 4))
    assert autograd.gradcheck(lambda a, g, b: autograd.layer_norm(a, g, b), [x, gamma, beta])


def test_dropout_mask_values_fraction_and_stream():
    mask = dropout_mask(np.random.default_rng(3), (200, 100), 0.3, np.float32)
    assert mask.dtype == np.float32 and set(np.unique(mask).tolist()) == {0.0,
                                                                         float(np.float32(1 / 0.7))}
    assert abs(float((mask == 0).mean()) - 0.3) < 0.02
    # the same draws as rng.random(shape, dtype=float32) >= rate: one uniform per entry
    draws = np.random.default_rng(3).random((200, 100), dtype=np.float32)
    assert np.array_equal(mask != 0, draws >= 0.3)


def test_gradcheck_blames_the_wrong_op_not_batch_norm():
    # In training the node computes its statistics from its own input, so gradcheck's
    # blame (each node re-run alone on nudged inputs) finds BatchNorm's backward right.
    class Triple(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 3.0

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.0  # wrong on purpose

    x = leaf(np.random.default_rng(4).normal(size=(5, 2)))
    with pytest.raises(autograd.GradcheckError) as failure:
        autograd.gradcheck(lambda a: autograd.batch_norm(Triple.apply(a) ** 2, None, None,
                                                         training=True), [x])
    assert failure.value.blame == "Triple", str(failure.value)
