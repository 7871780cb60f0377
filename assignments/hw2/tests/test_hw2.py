"""hw2 public tests: one test per task (run one with `pytest -m hw2_linear`).

Gradient checks are `autograd.gradcheck` in float64: when one fails, its report names the
input, the worst element, both values and what the mistake looks like. Expected values
are computed here with plain NumPy, never with the code under test.
"""

import numpy as np

import autograd
import nn


def leaf(values, name=None):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True, name=name)


def random_array(shape, seed, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def numeric_gradient(f, x, eps=1e-6):
    """Central finite differences of the scalar NumPy function f at x (float64)."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        out[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


class SavedContext:
    """What an op's forward leaves on ``ctx`` for its backward, filled in by hand so a
    public test can call ``backward`` on its own (before your forward exists)."""

    def __init__(self, saved, needs_input_grad, **attributes):
        self.saved_tensors = saved
        self.needs_input_grad = needs_input_grad
        self.__dict__.update(attributes)


def log_of_softmax(z):
    # the textbook formula, fine for these small logits (your op must also handle large ones)
    return np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))


# --- ops ----------------------------------------------------------------------------------

def test_linear():
    x, w, b = random_array((4, 3), 0), random_array((3, 2), 1), random_array((2,), 2)
    got = autograd.linear(x, w, b).numpy()
    assert np.allclose(got, x @ w + b, rtol=1e-12), (
        f"linear(x, w, b) must be x @ w + b (is the bias added?): expected {x @ w + b}, "
        f"got {got}")
    assert autograd.gradcheck(autograd.linear, [leaf(x, "x"), leaf(w, "w"), leaf(b, "b")])


def test_log_softmax():
    z = random_array((3, 4), 3, -2.0, 2.0)
    got = autograd.log_softmax(z).numpy()
    assert np.allclose(got, log_of_softmax(z), rtol=1e-12), (
        f"log_softmax(z) must be log(exp(z) / sum(exp(z))) along the last axis: expected "
        f"{log_of_softmax(z)}, got {got}")
    assert autograd.gradcheck(autograd.log_softmax, [leaf(z)])


def test_softmax_cross_entropy():
    from autograd.ops.cross_entropy import SoftmaxCrossEntropy

    z = random_array((3, 4), 4, -2.0, 2.0)
    target = np.eye(4)[[0, 3, 1]]
    # backward alone, on what forward saves (log_softmax(z), target), against finite
    # differences of the loss weighted by an incoming gradient of one value per row
    upstream = np.array([0.5, -1.0, 2.0])
    ctx = SavedContext((log_of_softmax(z), target), (True, False), axis=-1)
    grad_z, _ = SoftmaxCrossEntropy.backward(ctx, upstream)
    expected = numeric_gradient(
        lambda v: float((upstream * -(target * log_of_softmax(v)).sum(axis=-1)).sum()), z)
    assert np.allclose(grad_z, expected, rtol=1e-6, atol=1e-8), (
        "SoftmaxCrossEntropy.backward (called on its own): the gradient for the logits "
        f"disagrees with finite differences: expected row 0 {expected[0]}, got {grad_z[0]}")
    expected = -(target * log_of_softmax(z)).sum(axis=-1)
    got = autograd.softmax_cross_entropy(z, target).numpy()
    assert np.allclose(got, expected, rtol=1e-12), (
        f"softmax_cross_entropy: one loss per row, -sum(target * log_softmax(logits)): "
        f"expected {expected}, got {got}")
    assert autograd.gradcheck(lambda t: autograd.softmax_cross_entropy(t, target), [leaf(z)])
    labels = np.array([0, 3, 1])
    got = autograd.sparse_softmax_cross_entropy(z, labels).numpy()
    assert np.allclose(got, expected, rtol=1e-12), (
        f"sparse_softmax_cross_entropy with labels {labels.tolist()} is the same loss as "
        f"with one-hot targets: expected {expected}, got {got}")
    assert autograd.gradcheck(lambda t: autograd.sparse_softmax_cross_entropy(t, labels),
                              [leaf(z)])


# --- layers and initializers ---------------------------------------------------------------

def test_dense():
    layer = nn.layers.Dense(3, activation="relu")
    layer.build((None, 6))
    shapes = [tuple(w.shape) for w in layer.weights]
    assert shapes == [(6, 3), (3,)], (
        f"Dense(3) built for 6 input features has a kernel of shape (input features, units) "
        f"= (6, 3) and a bias of shape (3,), made with add_weight; got {shapes}")
    assert layer.trainable_weights == [layer.kernel, layer.bias], (
        "the kernel and the bias are the layer's trainable weights, in that order")
    x = random_array((2, 6), 5).astype(np.float32)
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    expected = np.maximum(x @ kernel + bias, 0)
    got = layer(x).numpy()
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-6), (
        f"Dense(3, activation='relu') computes relu(x @ kernel + bias) (is the activation "
        f"applied?): expected {expected}, got {got}")


def test_glorot():
    fan_in, fan_out = 300, 200
    values = nn.initializers.GlorotUniform(seed=0)((fan_in, fan_out)).astype(np.float64)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    assert values.shape == (fan_in, fan_out) and values.dtype == np.float64
    assert np.abs(values).max() <= limit, (
        f"GlorotUniform draws from [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out)) "
        f"= {limit:.5f}; got a value of {np.abs(values).max():.5f}")
    assert np.abs(values).max() > 0.99 * limit, (
        f"60,000 uniform values in [-limit, limit] reach close to limit = {limit:.5f}; the "
        f"largest is {np.abs(values).max():.5f}: is the limit too small?")
    variance = 2.0 / (fan_in + fan_out)
    assert abs(values.var() / variance - 1) < 0.03, (
        f"the variance of Glorot values is 2 / (fan_in + fan_out) = {variance:.6f}, got "
        f"{values.var():.6f}")


def test_batch_norm_forward():
    x = random_array((8, 3), 6, -2.0, 3.0)
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    moving_mean, moving_variance = autograd.zeros(3, dtype="float64"), autograd.ones(
        3, dtype="float64")
    got = autograd.batch_norm(x, moving_mean, moving_variance, gamma, beta, training=True,
                              momentum=0.9, epsilon=1e-3).numpy()
    mean, variance = x.mean(axis=0), x.var(axis=0)
    expected = (x - mean) / np.sqrt(variance + 1e-3) * gamma + beta
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), (
        "training: (x - batch mean) / sqrt(batch variance + epsilon) * gamma + beta, per "
        "feature, with the variance over n (not n - 1) and epsilon inside the square root; "
        f"expected {expected[0]} in the first row, got {got[0]}")
    expected_mean = 0.1 * mean  # 0.9 * 0 + (1 - 0.9) * mean
    assert np.allclose(moving_mean.numpy(), expected_mean, rtol=1e-10), (
        "training updates moving_mean = momentum * moving_mean + (1 - momentum) * batch "
        f"mean: expected {expected_mean}, got {moving_mean.numpy()}")
    got = autograd.batch_norm(x, moving_mean, moving_variance, gamma, beta, training=False,
                              epsilon=1e-3).numpy()
    mm, mv = expected_mean, 0.9 + 0.1 * variance
    expected = (x - mm) / np.sqrt(mv + 1e-3) * gamma + beta
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), (
        "inference: normalize with the moving averages, not the batch's statistics: "
        f"expected {expected[0]} in the first row, got {got[0]}")


def test_batch_norm_backward():
    from autograd.ops.batch_norm import BatchNorm

    values = random_array((6, 3), 7, -2.0, 3.0)
    g, b = np.array([1.5, 0.5, -1.0]), np.array([0.1, 0.2, 0.3])
    upstream = random_array((6, 3), 8)

    def loss(v, gamma=g, beta=b):  # sum(upstream * y), y the training output, in NumPy
        y = (v - v.mean(axis=0)) / np.sqrt(v.var(axis=0) + 1e-3) * gamma + beta
        return float((upstream * y).sum())

    # backward alone, on what forward saves (x_hat, 1 / std, gamma), in training mode
    inv_std = 1 / np.sqrt(values.var(axis=0, keepdims=True) + 1e-3)
    x_hat = (values - values.mean(axis=0, keepdims=True)) * inv_std
    ctx = SavedContext((x_hat, inv_std, g), (True, True, True), axes=(0,), training=True)
    got = BatchNorm.backward(ctx, upstream)
    for name, grad, expected in [
            ("x", got[0], numeric_gradient(loss, values)),
            ("gamma", got[1], numeric_gradient(lambda v: loss(values, gamma=v), g)),
            ("beta", got[2], numeric_gradient(lambda v: loss(values, beta=v), b))]:
        assert grad is not None and np.allclose(grad, expected, rtol=1e-5, atol=1e-7), (
            f"BatchNorm.backward (called on its own, training=True): the gradient for {name} "
            f"disagrees with finite differences: expected {expected.ravel()[:3]}..., got "
            f"{None if grad is None else np.ravel(grad)[:3]}...")
    # and through the whole op (this part needs your forward too)
    x = leaf(values, "x")
    gamma, beta = leaf(g, "gamma"), leaf(b, "beta")
    assert autograd.gradcheck(
        lambda a, g, b: autograd.batch_norm(a, None, None, g, b, training=True),
        [x, gamma, beta])


def test_dropout():
    layer = nn.layers.Dropout(0.25, seed=0)
    x = np.ones((100, 100), dtype=np.float32)
    out = layer(x, training=True).numpy()
    values = sorted(set(np.unique(out).tolist()))
    assert values == [0.0, np.float32(1 / 0.75)], (
        f"inverted dropout with rate 0.25 sets inputs to 0 or scales them by 1 / (1 - rate) "
        f"= {1 / 0.75:.4f}; the values of Dropout(0.25)(ones, training=True) are {values}")
    dropped = float((out == 0).mean())
    assert abs(dropped - 0.25) < 0.02, (
        f"rate=0.25 drops a fraction 0.25 of the inputs, got a fraction {dropped:.3f}")
    same = layer(x).numpy()
    assert np.array_equal(same, x), "at inference (training not True) Dropout returns its inputs"
