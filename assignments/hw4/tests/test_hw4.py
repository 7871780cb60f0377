"""hw4 public tests: one test per task (run one with `pytest -m hw4_adam`).

The optimizers are checked on float64 weights against values worked out by hand from the
update equations in the README; every assert says what was expected.
"""

import numpy as np

import autograd
import nn
import optim


def weights(values):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def steps(opt, w, grads):
    """Apply each gradient in turn (Keras's apply_gradients); return the weights after."""
    for g in grads:
        opt.apply_gradients([(np.asarray(g, dtype=np.float64), w)])
    return w.numpy()


# --- optimizers -----------------------------------------------------------------------------

def test_sgd_momentum():
    # A constant gradient g, lr 0.1, momentum 0.9: the velocity is -0.1 g after one step and
    # -(0.9 * 0.1 + 0.1) g = -0.19 g after two, so w moves by -0.1 g - 0.19 g = -0.29 g.
    w = weights([1.0, -2.0])
    got = steps(optim.SGD(learning_rate=0.1, momentum=0.9), w, [[1.0, 2.0]] * 2)
    expected = np.array([1.0 - 0.29, -2.0 - 0.58])
    assert np.allclose(got, expected, rtol=1e-12), (
        f"SGD(0.1, momentum=0.9), two steps with gradient [1, 2] from [1, -2]: expected "
        f"{expected}, got {got}")


def test_adam():
    # Step 1 with bias correction: m_hat = g and v_hat = g**2, so each weight moves by
    # lr * g / (|g| + epsilon'), almost exactly lr against the sign of its gradient.
    w = weights([0.5, 0.5, 0.5])
    got = steps(optim.Adam(learning_rate=0.01), w, [[4.0, -0.25, 1.0]])
    expected = np.array([0.49, 0.51, 0.49])
    assert np.allclose(got, expected, atol=1e-6), (
        f"Adam(0.01), one step with gradient [4, -0.25, 1]: with bias correction each weight "
        f"moves by 0.01 against its gradient's sign, to {expected}; got {got}")


# --- learning-rate schedules ----------------------------------------------------------------

def test_exponential_decay():
    schedule = optim.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    got = [schedule(step) for step in (0, 10, 5)]
    expected = [0.1, 0.05, 0.1 * 0.5**0.5]
    assert np.allclose(got, expected, rtol=1e-12), (
        f"ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5) at steps 0, 10, 5: expected "
        f"{expected}, got {got}")


def test_cosine_decay():
    schedule = optim.CosineDecay(1.0, decay_steps=100)
    got = [schedule(step) for step in (0, 50, 100)]
    assert np.allclose(got, [1.0, 0.5, 0.0], atol=1e-12), (
        f"CosineDecay(1.0, decay_steps=100) at steps 0, 50, 100: expected 1, 0.5 (half-way "
        f"down the half cosine) and 0; got {got}")


# --- gradient clipping ----------------------------------------------------------------------

def test_gradient_clipping():
    big, small = np.array([3.0, 4.0]), np.array([0.3, 0.4])     # norms 5 and 0.5
    got = optim.SGD(1.0, clipnorm=1.0).clip_gradients([big, small])
    assert np.allclose(got[0], [0.6, 0.8]) and np.allclose(got[1], [0.3, 0.4]), (
        f"clipnorm=1: [3, 4] (norm 5) becomes [0.6, 0.8], [0.3, 0.4] (norm 0.5) stays; got "
        f"{[g.tolist() for g in got]}")
    got = optim.SGD(1.0, global_clipnorm=1.0).clip_gradients([np.array([3.0, 0.0]),
                                                               np.array([0.0, 4.0])])
    assert np.allclose(got[0], [0.6, 0.0]) and np.allclose(got[1], [0.0, 0.8]), (
        f"global_clipnorm=1: [3, 0] and [0, 4] have a global norm of 5, so both are scaled "
        f"by 1/5; got {[g.tolist() for g in got]}")


# --- the training step ----------------------------------------------------------------------

def test_train_step():
    # Dense(1) without bias, mean squared error, SGD(0.1): one step moves the kernel by
    # -0.1 * dL/dw, where dL/dw = 2/N * x.T @ (x @ w - y), computed here by hand.
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]])
    y = np.array([[1.0], [0.0], [2.0], [-1.0]])
    model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(1, use_bias=False)])
    model.build((None, 2))
    w0 = np.array([[0.5], [-0.5]], dtype=np.float32)
    model.layers[0].kernel.assign(w0)
    model.compile(optimizer=optim.SGD(0.1), loss="mse")
    logs = model.train_on_batch(x, y, return_dict=True)
    residual = x @ w0 - y
    expected = w0 - 0.1 * 2 / len(x) * x.T @ residual
    got = model.layers[0].kernel.numpy()
    assert np.allclose(got, expected, atol=1e-5), (
        f"one train_step with SGD(0.1) on MSE: kernel expected {expected.ravel()}, got "
        f"{got.ravel()} (started at {w0.ravel()})")
    assert "loss" in logs and np.isclose(logs["loss"], float(np.mean(residual**2)), rtol=1e-5), (
        f"train_step returns the logs with the batch's loss {np.mean(residual**2):.5f} "
        f"(before the step); got {logs}")


# --- end to end -----------------------------------------------------------------------------

def digits():
    (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    return ((x_train.reshape(len(x_train), -1) / 16.0, y_train),
            (x_test.reshape(len(x_test), -1) / 16.0, y_test))


def train_digits(optimizer, epochs=10):
    """An MLP on the 8x8 digits trained with model.fit; its test accuracy."""
    nn.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = digits()
    model = nn.Sequential([nn.Input(shape=(64,)), nn.layers.Dense(64, activation="relu"),
                           nn.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return accuracy, history.history["loss"]


def test_train_to_accuracy():
    steps_per_epoch = 45                     # 1,438 training digits in batches of 32
    optimizer = optim.SGD(optim.CosineDecay(0.1, decay_steps=10 * steps_per_epoch),
                          momentum=0.9, nesterov=True, global_clipnorm=5.0)
    accuracy, losses = train_digits(optimizer)
    assert accuracy >= 0.95, (
        f"an MLP on the digits, 10 epochs of fit with SGD(Nesterov momentum 0.9, CosineDecay "
        f"from 0.1, global_clipnorm=5): test accuracy {accuracy:.3f}, expected at least 0.95; "
        f"the training loss per epoch was {[round(v, 3) for v in losses]}")
