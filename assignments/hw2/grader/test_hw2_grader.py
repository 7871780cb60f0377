"""hw2 grader tests: run after submission, never shown to students (only their messages)."""

import numpy as np

import autograd
import nn


def leaf(values, name=None):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True, name=name)


def random_array(shape, seed, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def random_leaf(shape, seed, low=-1.0, high=1.0, name=None):
    return leaf(random_array(shape, seed, low, high), name)


def numpy_log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# --- hw2.linear ---------------------------------------------------------------------------

def test_linear_batched_inputs():
    # (batch, time, features) inputs, as a Dense layer on a sequence sees them
    x, w, b = random_leaf((2, 3, 4), 10, name="x"), random_leaf((4, 5), 11, name="w"), \
        random_leaf((5,), 12, name="b")
    assert autograd.gradcheck(autograd.linear, [x, w, b])


def test_linear_without_bias():
    x, w = random_array((3, 4), 13), random_array((4, 2), 14)
    got = autograd.linear(x, w).numpy()
    assert np.allclose(got, x @ w, rtol=1e-12), f"linear(x, w) is x @ w, got {got}"
    assert autograd.gradcheck(lambda p, q: autograd.linear(p, q), [leaf(x), leaf(w)])


def test_linear_gradients_by_hand():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    w = leaf([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])
    b = leaf([10.0, 20.0, 30.0])
    out = autograd.linear(x, w, b)
    assert out.numpy().tolist() == [[11.0, 22.0, 38.0], [13.0, 24.0, 48.0]], (
        f"x @ w + b by hand is [[11, 22, 38], [13, 24, 48]], got {out.numpy().tolist()}")
    out.sum().backward()
    assert x.grad.tolist() == [[3.0, 4.0], [3.0, 4.0]], (
        f"dx = grad @ w.T: with grad all ones, each row of dx holds w's row sums [3, 4]; got "
        f"{x.grad.tolist()}")
    assert w.grad.tolist() == [[4.0, 4.0, 4.0], [6.0, 6.0, 6.0]], (
        f"dw = x.T @ grad: with grad all ones, row i of dw is the sum of x's column i; got "
        f"{w.grad.tolist()}")
    assert b.grad.tolist() == [2.0, 2.0, 2.0], (
        f"db sums grad over the rows (each bias entry was added to 2 rows); got {b.grad.tolist()}")


# --- hw2.log_softmax ----------------------------------------------------------------------

def test_log_softmax_large_logits_stay_finite():
    z = np.array([[1000.0, 1000.0, 990.0], [-1000.0, 0.0, 1000.0]])
    got = autograd.log_softmax(z).numpy()
    assert np.all(np.isfinite(got)), (
        f"log_softmax of logits around 1000 must stay finite: subtract the maximum before "
        f"exp (exp(1000) overflows); got {got.tolist()}")
    assert np.allclose(got, numpy_log_softmax(z), rtol=1e-12), (
        f"expected {numpy_log_softmax(z).tolist()}, got {got.tolist()}")
    assert autograd.gradcheck(autograd.log_softmax, [leaf(z)])


def test_log_softmax_other_axis():
    z = random_array((3, 4), 15, -3.0, 3.0)
    got = autograd.log_softmax(z, axis=0).numpy()
    assert np.allclose(got, numpy_log_softmax(z, axis=0), rtol=1e-12), (
        f"log_softmax(z, axis=0) normalizes each column (the sum runs along axis=0, not "
        f"always the last axis): expected {numpy_log_softmax(z, axis=0)[:, 0]} in column 0, "
        f"got {got[:, 0]}")
    assert autograd.gradcheck(lambda t: autograd.log_softmax(t, axis=0), [leaf(z)])


def test_log_softmax_in_a_sum():
    # the gradient of sum(log_softmax(z) * v) for a one-hot v is one-hot minus softmax
    z = leaf([[0.0, np.log(3.0)]])
    (autograd.log_softmax(z) * autograd.tensor([[1.0, 0.0]])).sum().backward()
    assert np.allclose(z.grad.numpy(), [[0.75, -0.75]], rtol=1e-12), (
        f"d log_softmax(z)_0 / dz = [1, 0] - softmax(z) = [1 - 1/4, -3/4]; got "
        f"{z.grad.numpy().tolist()}")


# --- hw2.softmax_cross_entropy ------------------------------------------------------------

def test_softmax_cross_entropy_soft_targets():
    # targets that do not sum to 1 (and need a gradient themselves)
    z = random_leaf((3, 4), 16, -2.0, 2.0, "logits")
    target = leaf(random_array((3, 4), 17, 0.0, 1.0), "target")
    assert autograd.gradcheck(autograd.softmax_cross_entropy, [z, target])


def test_softmax_cross_entropy_other_axis():
    z = random_array((4, 3), 18, -2.0, 2.0)
    target = np.eye(4)[:, [1, 0, 3]]  # one-hot down each column
    expected = -(target * numpy_log_softmax(z, axis=0)).sum(axis=0)
    got = autograd.softmax_cross_entropy(z, target, axis=0).numpy()
    assert np.allclose(got, expected, rtol=1e-12), (
        f"softmax_cross_entropy(..., axis=0): classes run down axis 0; expected {expected}, "
        f"got {got}")
    assert autograd.gradcheck(lambda t: autograd.softmax_cross_entropy(t, target, axis=0),
                              [leaf(z)])


def test_sparse_softmax_cross_entropy_batched_labels():
    z = random_array((2, 3, 4), 19, -2.0, 2.0)
    labels = np.array([[0, 3, 2], [1, 1, 0]])
    expected = -np.take_along_axis(numpy_log_softmax(z), labels[..., None], -1)[..., 0]
    got = autograd.sparse_softmax_cross_entropy(z, labels).numpy()
    assert np.allclose(got, expected, rtol=1e-12), (
        f"sparse cross-entropy: -log_softmax(logits)[label] for each of the (2, 3) labels; "
        f"expected {expected.tolist()}, got {got.tolist()}")
    assert autograd.gradcheck(lambda t: autograd.sparse_softmax_cross_entropy(t, labels),
                              [leaf(z)])


def test_cross_entropy_loss_of_a_classifier():
    # what model.fit runs: the mean over the batch of the sparse loss, from logits
    loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    z = random_leaf((5, 3), 20, -2.0, 2.0)
    labels = np.array([0, 2, 1, 1, 0])
    assert autograd.gradcheck(lambda t: loss(labels, t), [z])


# --- hw2.dense ----------------------------------------------------------------------------

def test_dense_without_bias():
    layer = nn.layers.Dense(4, use_bias=False)
    x = random_array((3, 5), 21).astype(np.float32)
    got = layer(x).numpy()
    shapes = [tuple(w.shape) for w in layer.weights]
    assert shapes == [(5, 4)], (
        f"Dense(4, use_bias=False) has only a kernel (5, 4), no bias; got weights {shapes}")
    assert layer.bias is None, "with use_bias=False, layer.bias stays None"
    assert np.allclose(got, x @ layer.kernel.numpy(), rtol=1e-5, atol=1e-6), (
        "Dense without bias computes x @ kernel")


def test_dense_uses_its_initializers_and_regularizers():
    layer = nn.layers.Dense(2, kernel_initializer="ones",
                            bias_initializer=nn.initializers.Constant(0.5),
                            kernel_regularizer=nn.regularizers.L2(0.1))
    layer.build((None, 3))
    assert np.array_equal(layer.kernel.numpy(), np.ones((3, 2))), (
        "the kernel is made with the layer's kernel_initializer ('ones' here): pass "
        "initializer=layer.kernel_initializer to add_weight")
    assert np.array_equal(layer.bias.numpy(), [0.5, 0.5]), (
        "the bias is made with the layer's bias_initializer (Constant(0.5) here)")
    assert len(layer.losses) == 1 and np.isclose(float(layer.losses[0].numpy()), 0.6), (
        "the kernel's regularizer (L2(0.1): 0.1 * sum(kernel ** 2) = 0.6) is passed to "
        f"add_weight, so layer.losses holds it; got {layer.losses}")
    names = [w.name.split("/")[-1] for w in layer.weights]
    assert names == ["kernel", "bias"], (
        f"the weights are named 'kernel' and 'bias', in that order, as in Keras (saved files "
        f"use the names); got {names}")


def test_dense_on_sequences_and_gradients_reach_the_weights():
    layer = nn.layers.Dense(3, activation="tanh", kernel_initializer="glorot_uniform")
    x = autograd.tensor(random_array((2, 4, 5), 22).astype(np.float32))
    out = layer(x)
    assert out.shape == (2, 4, 3), (
        f"Dense(3) on (2, 4, 5) inputs multiplies along the last axis: (2, 4, 3), got "
        f"{out.shape}")
    expected = np.tanh(x.numpy() @ layer.kernel.numpy() + layer.bias.numpy())
    assert np.allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6), (
        "Dense(3, activation='tanh') computes tanh(x @ kernel + bias)")
    out.sum().backward()
    assert layer.kernel.grad is not None and layer.bias.grad is not None, (
        "the kernel and the bias get gradients: call uses them through autograd ops")


# --- hw2.glorot ---------------------------------------------------------------------------

def test_glorot_uniform_on_a_conv_kernel():
    fans = nn.initializers.compute_fans((3, 3, 16, 32))
    assert tuple(fans) == (144, 288), (
        "a (3, 3, 16, 32) conv kernel has fan_in = 3 * 3 * 16 = 144 and fan_out = 3 * 3 * 32 "
        f"= 288 (the receptive field counts); got {fans}")
    values = nn.initializers.GlorotUniform(seed=1)((3, 3, 16, 32)).astype(np.float64)
    limit = np.sqrt(6.0 / (144 + 288))
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.99 * limit, (
        f"Glorot on a conv kernel: limit sqrt(6 / (144 + 288)) = {limit:.5f} (the receptive "
        f"field counts in both fans); largest value {np.abs(values).max():.5f}")


def test_fans_of_dense_kernels_and_vectors():
    assert tuple(nn.initializers.compute_fans((5, 7))) == (5, 7), (
        "a Dense kernel (in, out) = (5, 7) has fan_in 5 and fan_out 7")
    assert tuple(nn.initializers.compute_fans((6,))) == (6, 6), "a vector: both fans its size"


def test_he_and_lecun_use_fan_in():
    fan_in, fan_out = 50, 400
    he = nn.initializers.HeUniform(seed=2)((fan_in, fan_out)).astype(np.float64)
    limit = np.sqrt(6.0 / fan_in)
    assert np.abs(he).max() <= limit and np.abs(he).max() > 0.99 * limit, (
        f"HeUniform: limit sqrt(6 / fan_in) = {limit:.4f} with fan_in the kernel's first "
        f"axis (50); largest value {np.abs(he).max():.4f}")
    lecun = nn.initializers.LecunUniform(seed=3)((fan_in, fan_out)).astype(np.float64)
    assert abs(lecun.var() * fan_in - 1) < 0.05, (
        f"LecunUniform: variance 1 / fan_in = {1 / fan_in}, got {lecun.var():.5f}")


def test_glorot_normal_variance():
    values = nn.initializers.GlorotNormal(seed=4)((400, 600)).astype(np.float64)
    assert abs(values.var() * (400 + 600) / 2 - 1) < 0.03, (
        f"GlorotNormal: variance 2 / (fan_in + fan_out) = {2 / 1000}, got {values.var():.6f}")


# --- hw2.batch_norm_forward ---------------------------------------------------------------

def test_batch_norm_layer_moving_averages_over_steps():
    layer = nn.layers.BatchNormalization(momentum=0.8, epsilon=1e-3, dtype="float64")
    rng = np.random.default_rng(23)
    mm, mv = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rng.normal(2.0, 3.0, size=(16, 2))
        layer(x, training=True)
        mm = 0.8 * mm + 0.2 * x.mean(axis=0)
        mv = 0.8 * mv + 0.2 * x.var(axis=0)
    assert np.allclose(layer.moving_mean.numpy(), mm, rtol=1e-6), (
        f"after 3 training steps moving_mean = momentum * old + (1 - momentum) * batch mean "
        f"at each step: expected {mm}, got {layer.moving_mean.numpy()}")
    assert np.allclose(layer.moving_variance.numpy(), mv, rtol=1e-6), (
        f"moving_variance follows the batch variance (over n) the same way: expected {mv}, got "
        f"{layer.moving_variance.numpy()}")


def test_batch_norm_inference_uses_the_moving_averages():
    x = random_array((6, 2), 24, 1.0, 5.0)
    moving_mean = autograd.tensor(np.array([0.5, -0.5]))
    moving_variance = autograd.tensor(np.array([4.0, 0.25]))
    got = autograd.batch_norm(x, moving_mean, moving_variance, training=False,
                              epsilon=1e-3).numpy()
    expected = (x - [0.5, -0.5]) / np.sqrt(np.array([4.0, 0.25]) + 1e-3)
    assert np.allclose(got, expected, rtol=1e-10), (
        "at inference batch_norm uses the moving averages, not the batch's statistics: "
        f"expected {expected[0]} in row 0, got {got[0]}")
    assert moving_mean.numpy().tolist() == [0.5, -0.5] and \
        moving_variance.numpy().tolist() == [4.0, 0.25], (
            "inference must not change the moving averages")


def test_batch_norm_channels_first():
    x = random_array((4, 3, 2, 2), 25, -1.0, 4.0)
    got = autograd.batch_norm(x, None, None, training=True, axis=1, epsilon=1e-3).numpy()
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    variance = x.var(axis=(0, 2, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(variance + 1e-3)
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), (
        "with axis=1 (channels first) the statistics of each channel run over axes 0, 2 and 3")


def test_batch_norm_two_samples_by_hand():
    got = autograd.batch_norm(np.array([[0.0], [2.0]]), None, None, training=True,
                              epsilon=0.0).numpy()
    assert np.allclose(got.ravel(), [-1.0, 1.0], rtol=1e-12), (
        "batch [0, 2]: mean 1, variance ((0-1)^2 + (2-1)^2) / 2 = 1 (over n, not n - 1), so "
        f"the output is [-1, 1]; got {got.ravel().tolist()}")


# --- hw2.batch_norm_backward --------------------------------------------------------------

def test_batch_norm_backward_inference():
    x = random_leaf((5, 3), 26, -2.0, 2.0, "x")
    gamma, beta = leaf([2.0, -0.5, 1.0], "gamma"), leaf([0.0, 1.0, -1.0], "beta")
    moving_mean = autograd.tensor(np.array([0.1, -0.2, 0.3]))
    moving_variance = autograd.tensor(np.array([1.5, 0.5, 2.0]))
    assert autograd.gradcheck(
        lambda a, g, b: autograd.batch_norm(a, moving_mean, moving_variance, g, b,
                                            training=False), [x, gamma, beta])


def test_batch_norm_backward_channels_first():
    x = random_leaf((3, 2, 2, 3), 27, -2.0, 2.0, "x")
    gamma, beta = leaf([1.5, -0.7], "gamma"), leaf([0.3, 0.2], "beta")
    assert autograd.gradcheck(
        lambda a, g, b: autograd.batch_norm(a, None, None, g, b, axis=1, training=True),
        [x, gamma, beta])


def test_batch_norm_backward_without_gamma_and_beta():
    x = random_leaf((4, 3), 28, -2.0, 2.0, "x")
    assert autograd.gradcheck(lambda a: autograd.batch_norm(a, None, None, training=True), [x])


def test_layer_norm_backward_shares_the_formula():
    x = random_leaf((3, 5), 29, -2.0, 2.0, "x")
    gamma, beta = random_leaf((5,), 30, 0.5, 2.0, "gamma"), random_leaf((5,), 31, name="beta")
    assert autograd.gradcheck(lambda a, g, b: autograd.layer_norm(a, g, b), [x, gamma, beta])


# --- hw2.dropout --------------------------------------------------------------------------

def test_dropout_keeps_the_expected_value():
    x = np.full((200, 500), 3.0, dtype=np.float32)
    out = nn.layers.Dropout(0.4, seed=5)(x, training=True).numpy().astype(np.float64)
    assert abs(out.mean() / 3.0 - 1) < 0.01, (
        f"inverted dropout keeps the expected value: the mean of Dropout(0.4) on 3s is about "
        f"3 (kept values are scaled by 1 / (1 - rate)), got {out.mean():.4f}")


def test_dropout_only_while_training():
    layer = nn.layers.Dropout(0.5, seed=6)
    x = random_array((4, 5), 32).astype(np.float32)
    for training in (None, False):
        got = layer(x, training=training).numpy()
        assert np.array_equal(got, x), (
            f"Dropout(training={training}): at inference the inputs pass unchanged")


def test_dropout_gradient_is_the_mask():
    x = leaf(np.ones((50, 40)))
    out = nn.layers.Dropout(0.3, seed=7)(x, training=True)
    out.sum().backward()
    mask = out.numpy()  # x is all ones, so the output is the mask itself
    assert np.allclose(x.grad.numpy(), mask), (
        "the gradient of Dropout is the same mask: dropped inputs get 0, kept ones "
        "1 / (1 - rate)")
    assert np.allclose(np.unique(mask), [0.0, 1 / 0.7]), (
        f"the mask holds 0 and 1 / (1 - rate) = {1 / 0.7:.4f}, got {np.unique(mask)}")


def test_every_dropout_rescales():
    x = np.ones((100, 100), dtype=np.float32)
    for name, out in [("keras.random.dropout", nn.random.dropout(x, rate=0.2, seed=8)),
                      ("tf.nn.dropout", autograd.nn.dropout(x, rate=0.2, seed=8))]:
        values = np.unique(out.numpy())
        assert np.allclose(values, [0.0, 1.25]), (
            f"{name}(rate=0.2) gives 0 or 1 / (1 - 0.2) = 1.25, got {values}")
        kept = float((out.numpy() != 0).mean())
        assert abs(kept - 0.8) < 0.02, (
            f"{name}(rate=0.2) keeps a fraction 0.8 of the inputs, got {kept:.3f}")
