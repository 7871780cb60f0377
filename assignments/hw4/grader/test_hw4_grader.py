"""hw4 grader tests: run after submission, never shown to students (only their messages).

Where a test needs many steps, the expected weights come from the update equations
written out below in plain NumPy (`by_hand`), one line per equation of the README.
"""

import numpy as np

import autograd
import nn
import optim

GRADS = [[1.0, -2.0, 0.5], [0.5, 1.5, -1.0], [-1.0, 0.25, 2.0], [2.0, -0.5, 0.1]]
START = [0.5, -1.0, 2.0]


def weights(values=START):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def steps(opt, w, grads=GRADS):
    for g in grads:
        opt.apply_gradients([(np.asarray(g, dtype=np.float64), w)])
    return w.numpy()


def by_hand(rule, grads=GRADS, start=START):
    """Run ``rule(w, g, state, t)`` (t = 1 for the first step) over ``grads``."""
    w, state = np.array(start), {}
    for t, g in enumerate(grads, start=1):
        w = rule(w, np.array(g), state, t)
    return w


def close(got, expected, what, rtol=1e-9):
    assert np.allclose(got, expected, rtol=rtol, atol=1e-12), (
        f"{what}: expected {np.round(expected, 6).tolist()}, got {np.round(got, 6).tolist()}")


# --- hw4.sgd_momentum -----------------------------------------------------------------------

def momentum_rule(lr, m, nesterov):
    def rule(w, g, state, t):
        v = m * state.get("v", 0.0) - lr * g
        state["v"] = v
        return w + (m * v - lr * g if nesterov else v)
    return rule


def test_sgd_momentum_changing_gradients():
    got = steps(optim.SGD(0.05, momentum=0.8), weights())
    close(got, by_hand(momentum_rule(0.05, 0.8, False)),
          "SGD(0.05, momentum=0.8) over 4 different gradients (v = m*v - lr*g; w += v)")


def test_sgd_nesterov_looks_ahead():
    got = steps(optim.SGD(0.05, momentum=0.8, nesterov=True), weights())
    close(got, by_hand(momentum_rule(0.05, 0.8, True)),
          "SGD(0.05, momentum=0.8, nesterov=True) over 4 gradients (v = m*v - lr*g; "
          "w += m*v - lr*g)")


def test_sgd_nesterov_one_step_by_hand():
    # After one step v = -lr g, and the Nesterov step is m*v - lr*g = -(1 + m) lr g.
    got = steps(optim.SGD(0.1, momentum=0.5, nesterov=True), weights([1.0]), [[2.0]])
    close(got, [1.0 - 1.5 * 0.1 * 2.0], "SGD(0.1, momentum=0.5, nesterov=True), one step, g=2")


def test_sgd_velocity_is_kept_in_the_optimizer_state():
    opt = optim.SGD(0.1, momentum=0.9)
    steps(opt, weights([1.0, 1.0]), [[1.0, -1.0]] * 2)
    velocity = opt.get_state()["0/momentum"]
    close(velocity, [-0.19, 0.19], "the velocity in opt.get_state()['0/momentum'] after two "
          "steps of gradient [1, -1] (update state['momentum'] in place)")


# --- hw4.adam -------------------------------------------------------------------------------

def adam_rule(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False):
    def rule(w, g, state, t):
        m = b1 * state.get("m", 0.0) + (1 - b1) * g
        v = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        state["m"], state["v"] = m, v
        if amsgrad:
            state["vmax"] = np.maximum(state.get("vmax", 0.0), v)
            v = state["vmax"]
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        return w - alpha * m / (np.sqrt(v) + eps)
    return rule


def test_adam_several_steps():
    got = steps(optim.Adam(0.01), weights())
    close(got, by_hand(adam_rule(0.01)), "Adam(0.01) over 4 gradients", rtol=1e-7)


def test_adam_other_betas_and_epsilon():
    got = steps(optim.Adam(0.1, beta_1=0.5, beta_2=0.8, epsilon=0.1), weights())
    close(got, by_hand(adam_rule(0.1, 0.5, 0.8, 0.1)),
          "Adam(0.1, beta_1=0.5, beta_2=0.8, epsilon=0.1) over 4 gradients", rtol=1e-7)


def test_adam_amsgrad_keeps_the_largest_velocity():
    grads = [[3.0, 0.1], [0.1, 0.1], [0.1, 3.0], [0.1, 0.1]]
    got = steps(optim.Adam(0.1, beta_2=0.5, amsgrad=True), weights([0.0, 0.0]), grads)
    close(got, by_hand(adam_rule(0.1, b2=0.5, amsgrad=True), grads, [0.0, 0.0]),
          "Adam(0.1, beta_2=0.5, amsgrad=True): the denominator uses the largest v so far",
          rtol=1e-7)


def test_adam_state_holds_both_averages():
    opt = optim.Adam(0.01)
    steps(opt, weights([1.0]), [[2.0]])
    state = opt.get_state()
    close([state["0/momentum"][0], state["0/velocity"][0]], [0.2, 0.004],
          "after one step with g=2: m = (1 - beta_1) g = 0.2 and v = (1 - beta_2) g^2 = 0.004 "
          "in the optimizer state (update them in place)")


def test_adamw_is_adam_after_the_decay():
    lr, decay = 0.01, 0.1
    rule = adam_rule(lr)
    got = steps(optim.AdamW(lr, weight_decay=decay), weights())
    close(got, by_hand(lambda w, g, s, t: rule(w - w * decay * lr, g, s, t)),
          "AdamW(0.01, weight_decay=0.1): decay the weights, then the Adam step", rtol=1e-7)


# --- hw4.exponential_decay ------------------------------------------------------------------

def test_exponential_decay_between_and_beyond_decay_steps():
    s = optim.ExponentialDecay(2.0, decay_steps=4, decay_rate=0.1)
    close([s(0), s(1), s(4), s(6), s(12)], [2.0 * 0.1 ** (k / 4) for k in (0, 1, 4, 6, 12)],
          "ExponentialDecay(2.0, decay_steps=4, decay_rate=0.1) at steps 0, 1, 4, 6, 12")


def test_exponential_decay_staircase_drops_in_whole_steps():
    s = optim.ExponentialDecay(1.0, decay_steps=10, decay_rate=0.5, staircase=True)
    close([s(0), s(9), s(10), s(19), s(20), s(25)], [1.0, 1.0, 0.5, 0.5, 0.25, 0.25],
          "staircase=True: the exponent step // decay_steps, at steps 0, 9, 10, 19, 20, 25")


def test_exponential_decay_drives_the_optimizer_from_step_zero():
    # The optimizer asks for the rate at its iteration count: 0 for the first step.
    w = weights([0.0])
    steps(optim.SGD(optim.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)), w,
          [[1.0]] * 3)
    close(w.numpy(), [-(1.0 + 0.5 + 0.25)], "SGD on ExponentialDecay(1, 1, 0.5), three steps "
          "of gradient 1: rates 1, 0.5, 0.25")


# --- hw4.cosine_decay -----------------------------------------------------------------------

def cosine(step, lr, decay_steps, alpha=0.0):
    step = min(step, decay_steps)
    return lr * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * step / decay_steps)) + alpha)


def test_cosine_decay_with_alpha():
    s = optim.CosineDecay(0.5, decay_steps=20, alpha=0.2)
    close([s(k) for k in (0, 5, 10, 20)], [cosine(k, 0.5, 20, 0.2) for k in (0, 5, 10, 20)],
          "CosineDecay(0.5, decay_steps=20, alpha=0.2) at 0, 5, 10, 20 (it ends at alpha * 0.5)")


def test_cosine_decay_stays_at_the_floor_after_decay_steps():
    s = optim.CosineDecay(1.0, decay_steps=10, alpha=0.1)
    close([s(10), s(15), s(30)], [0.1, 0.1, 0.1],
          "CosineDecay(1.0, decay_steps=10, alpha=0.1) after step 10 stays at 0.1 (the cosine "
          "must not come back up)")


def test_cosine_decay_warmup_then_decay():
    s = optim.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    got = [s(k) for k in (0, 2, 4, 9, 14, 20)]
    expected = [0.0, 0.5, 1.0, cosine(5, 1.0, 10), 0.0, 0.0]
    close(got, expected, "CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4) "
          "at 0, 2, 4, 9, 14, 20: a linear rise to 1.0 over 4 steps, then the cosine from 1.0")


def test_cosine_decay_drives_the_optimizer_from_step_zero():
    w = weights([0.0])
    steps(optim.SGD(optim.CosineDecay(1.0, decay_steps=2)), w, [[1.0]] * 3)
    close(w.numpy(), [-(1.0 + 0.5 + 0.0)], "SGD on CosineDecay(1.0, decay_steps=2), three steps "
          "of gradient 1: rates 1, 0.5, 0")


# --- hw4.gradient_clipping ------------------------------------------------------------------

def clipped(opt, grads):
    return [g.tolist() for g in opt.clip_gradients([np.array(g, dtype=np.float64)
                                                    for g in grads])]


def test_global_clipnorm_is_one_norm_over_all_gradients():
    # Each gradient alone has norm 0.8 < 1, but together sqrt(0.64 + 0.64) = 1.131 > 1.
    grads = [[0.8, 0.0], [0.0, 0.0, 0.8]]
    got = clipped(optim.SGD(1.0, global_clipnorm=1.0), grads)
    scale = 1.0 / np.sqrt(1.28)
    close(np.concatenate(got), np.concatenate(grads) * scale,
          "global_clipnorm=1 with gradients of norm 0.8 each (global norm 1.131): both are "
          "scaled by the same 1/1.131")


def test_global_clipnorm_leaves_small_gradients_alone():
    grads = [[0.3, 0.0], [0.0, -0.4]]   # global norm 0.5
    got = clipped(optim.SGD(1.0, global_clipnorm=1.0), grads)
    close(np.concatenate(got), np.concatenate(grads),
          "global_clipnorm=1 with a global norm of 0.5: the gradients are unchanged")


def test_clipnorm_is_per_gradient():
    grads = [[6.0, 8.0], [0.0, 0.5], [-1.0, 0.0, 0.0]]   # norms 10, 0.5, 1
    got = clipped(optim.SGD(1.0, clipnorm=2.0), grads)
    expected = [[1.2, 1.6], [0.0, 0.5], [-1.0, 0.0, 0.0]]
    close(np.concatenate(got), np.concatenate(expected),
          "clipnorm=2 clips each gradient to norm 2 on its own: norms 10, 0.5, 1")


def test_clipping_a_zero_gradient_gives_zeros():
    for opt in (optim.SGD(1.0, clipnorm=1.0), optim.SGD(1.0, global_clipnorm=1.0)):
        got = clipped(opt, [[0.0, 0.0]])
        assert got == [[0.0, 0.0]], f"clipping a zero gradient must give zeros (no 0/0), got {got}"


def test_clipping_happens_before_the_update():
    w = weights([0.0, 0.0])
    steps(optim.SGD(0.5, global_clipnorm=1.0), w, [[30.0, 40.0]])
    close(w.numpy(), [-0.3, -0.4], "SGD(0.5, global_clipnorm=1), gradient [30, 40]: the step "
          "is 0.5 * [0.6, 0.8]")


# --- hw4.train_step -------------------------------------------------------------------------

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]])
Y = np.array([[1.0], [0.0], [2.0], [-1.0]])
W0 = np.array([[0.5], [-0.5]], dtype=np.float32)


def linear_model(**dense):
    model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(1, use_bias=False, **dense)])
    model.build((None, 2))
    model.layers[0].kernel.assign(W0)
    return model


def mse_gradient(w):
    return 2 / len(X) * X.T @ (X @ w - Y)


def test_train_step_forgets_the_previous_gradient():
    model = linear_model()
    model.compile(optimizer=optim.SGD(0.1), loss="mse")
    model.train_on_batch(X, Y)
    w1 = model.layers[0].kernel.numpy().astype(np.float64)
    model.train_on_batch(X, Y)
    expected = w1 - 0.1 * mse_gradient(w1)
    close(model.layers[0].kernel.numpy(), expected, "the second of two train_steps moves by "
          "-lr * (this batch's gradient) only: the old gradients must be zeroed first",
          rtol=1e-5)


def test_train_step_adds_the_regularization_losses():
    model = linear_model(kernel_regularizer=nn.regularizers.L2(0.5))
    model.compile(optimizer=optim.SGD(0.1), loss="mse")
    logs = model.train_on_batch(X, Y, return_dict=True)
    w0 = W0.astype(np.float64)
    expected = w0 - 0.1 * (mse_gradient(w0) + 2 * 0.5 * w0)
    close(model.layers[0].kernel.numpy(), expected, "with kernel_regularizer=L2(0.5) the step "
          "includes the penalty's gradient 2 * 0.5 * w: the loss is compute_loss (compiled loss "
          "+ model.losses)", rtol=1e-5)
    expected_loss = float(np.mean((X @ w0 - Y) ** 2) + 0.5 * np.sum(w0**2))
    assert np.isclose(logs["loss"], expected_loss, rtol=1e-5), (
        f"the logged loss includes the L2 penalty: expected {expected_loss:.5f}, got "
        f"{logs['loss']:.5f}")


class TrainingProbe(nn.layers.Layer):
    """Remembers the ``training`` value of every call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def test_train_step_runs_the_forward_pass_in_training_mode():
    probe = TrainingProbe()
    model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(1), probe])
    model.compile(optimizer=optim.SGD(0.1), loss="mse")
    probe.seen.clear()
    model.train_on_batch(X, Y)
    assert probe.seen == [True], (
        f"the forward pass of train_step must run with training=True (dropout on, batch "
        f"statistics updated); the layers saw training={probe.seen}")


def test_train_step_updates_batch_norm_statistics():
    model = nn.Sequential([nn.Input(shape=(2,)), nn.layers.BatchNormalization(momentum=0.5),
                           nn.layers.Dense(1)])
    model.compile(optimizer=optim.SGD(0.1), loss="mse")
    model.train_on_batch(X, Y)
    moving_mean = model.layers[0].moving_mean.numpy()
    expected = 0.5 * X.mean(axis=0)
    close(moving_mean, expected, "BatchNormalization(momentum=0.5) after one train_step: its "
          "moving mean is half the batch mean (the forward pass runs with training=True)",
          rtol=1e-5)


def test_train_step_returns_the_running_metrics():
    model = linear_model()
    model.compile(optimizer=optim.SGD(0.0), loss="mse", metrics=["mae"])
    logs = model.train_on_batch(X, Y, return_dict=True)
    residual = X @ W0.astype(np.float64) - Y
    got = (logs.get("loss"), logs.get("mae"))
    expected = (float(np.mean(residual**2)), float(np.mean(np.abs(residual))))
    assert got[0] is not None and got[1] is not None and np.allclose(got, expected, rtol=1e-5), (
        f"train_step returns compute_metrics' logs, here loss and mae = {expected}; got {logs}")


def test_fit_with_adam_lowers_the_loss():
    nn.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    model = nn.Sequential([nn.Input(shape=(3,)), nn.layers.Dense(1)])
    model.compile(optimizer=optim.Adam(0.05), loss="mse")
    losses = model.fit(x, y, epochs=20, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.05 * losses[0], (
        f"fit on a linear problem: the loss should fall at least 20-fold in 20 epochs, got "
        f"{losses[0]:.4f} -> {losses[-1]:.4f}")


# --- hw4.train_to_accuracy ------------------------------------------------------------------

def digits():
    (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    return ((x_train.reshape(len(x_train), -1) / 16.0, y_train),
            (x_test.reshape(len(x_test), -1) / 16.0, y_test))


def train_digits(optimizer, epochs=10, dropout=0.0):
    nn.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = digits()
    layers = [nn.Input(shape=(64,)), nn.layers.Dense(64, activation="relu")]
    if dropout:
        layers.append(nn.layers.Dropout(dropout))
    layers.append(nn.layers.Dense(10, activation="softmax"))
    model = nn.Sequential(layers)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return accuracy, [round(v, 3) for v in history.history["loss"]]


def test_train_to_accuracy_with_adam_and_exponential_decay():
    optimizer = optim.Adam(optim.ExponentialDecay(0.01, decay_steps=100, decay_rate=0.8),
                           clipnorm=1.0)
    accuracy, losses = train_digits(optimizer, dropout=0.1)
    assert accuracy >= 0.95, (
        f"an MLP (with dropout) on the digits, 10 epochs of fit with Adam(ExponentialDecay from "
        f"0.01), clipnorm=1: test accuracy {accuracy:.3f}, expected at least 0.95; training "
        f"loss per epoch {losses}")


def test_train_to_accuracy_with_plain_momentum():
    accuracy, losses = train_digits(optim.SGD(0.02, momentum=0.9), epochs=15)
    assert accuracy >= 0.95, (
        f"an MLP on the digits, 15 epochs of fit with SGD(0.02, momentum=0.9): test accuracy "
        f"{accuracy:.3f}, expected at least 0.95; training loss per epoch {losses}")
