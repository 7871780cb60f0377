"""Optimizers against Keras's update equations, computed here by hand in float64
(elementwise scalar formulas, not the code under test)."""

import math

import numpy as np
import pytest

import autograd
import optim

pytestmark = pytest.mark.training

W0 = [0.5, -1.5, 2.0]
# Gradients for three steps (the tests feed them in directly).
GRADS = [[0.1, -0.2, 0.3], [0.4, 0.0, -0.5], [-0.3, 0.25, 0.05]]


def run(opt_factory, steps=3, grads=GRADS):
    w = autograd.tensor(W0, requires_grad=True)
    opt = opt_factory([w])
    for g in grads[:steps]:
        w.grad = autograd.tensor(g)
        opt.step()
        opt.zero_grad()
    return w.numpy().astype(np.float64), opt


def by_hand(update, steps=3, grads=GRADS):
    """Run a scalar update rule for each element; update(w, g, state, t) -> w."""
    out = []
    for i, w in enumerate(W0):
        state = {}
        for t, g in enumerate(grads[:steps], start=1):
            w = update(w, g[i], state, t)
        out.append(w)
    return np.array(out)


def test_sgd_plain():
    got, opt = run(lambda p: optim.SGD(p, learning_rate=0.1))
    expected = by_hand(lambda w, g, s, t: w - 0.1 * g)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert opt.iterations == 3


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    lr, mu = 0.1, 0.9

    def rule(w, g, s, t):
        v = mu * s.get("v", 0.0) - lr * g
        s["v"] = v
        return w + (mu * v - lr * g if nesterov else v)

    got, _ = run(lambda p: optim.SGD(p, learning_rate=lr, momentum=mu, nesterov=nesterov))
    np.testing.assert_allclose(got, by_hand(rule), rtol=1e-6)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam(amsgrad):
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7

    def rule(w, g, s, t):
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        vhat = max(s.get("vhat", 0.0), v) if amsgrad else v
        s.update(m=m, v=v, vhat=vhat)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        return w - alpha * m / (math.sqrt(vhat) + eps)

    # Gradients that shrink, so that amsgrad's max(v_hat, v) matters.
    grads = [[1.0, -2.0, 3.0], [0.1, 0.1, 0.1], [0.01, -0.01, 0.02]]
    got, _ = run(lambda p: optim.Adam(p, learning_rate=lr, amsgrad=amsgrad), grads=grads)
    np.testing.assert_allclose(got, by_hand(rule, grads=grads), rtol=1e-5)


def test_adamw_decays_weights_before_the_adam_step():
    lr, wd, b1, b2, eps = 0.01, 0.1, 0.9, 0.999, 1e-7

    def rule(w, g, s, t):
        w = w - w * wd * lr
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        s.update(m=m, v=v)
        return w - lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (math.sqrt(v) + eps)

    got, _ = run(lambda p: optim.AdamW(p, learning_rate=lr, weight_decay=wd))
    np.testing.assert_allclose(got, by_hand(rule), rtol=1e-5)


def test_adamw_default_weight_decay_is_kerass():
    assert optim.AdamW().weight_decay == 0.004


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop(centered, momentum):
    lr, rho, eps = 0.01, 0.9, 1e-7

    def rule(w, g, s, t):
        v = rho * s.get("v", 0.0) + (1 - rho) * g * g
        s["v"] = v
        if centered:
            a = rho * s.get("a", 0.0) + (1 - rho) * g
            s["a"] = a
            step = lr * g / math.sqrt(v - a * a + eps)
        else:
            step = lr * g / math.sqrt(v + eps)
        if momentum:
            s["mom"] = momentum * s.get("mom", 0.0) + step
            return w - s["mom"]
        return w - step

    got, _ = run(
        lambda p: optim.RMSprop(p, learning_rate=lr, momentum=momentum, centered=centered)
    )
    np.testing.assert_allclose(got, by_hand(rule), rtol=1e-5)


def test_adagrad():
    lr, eps = 0.1, 1e-7

    def rule(w, g, s, t):
        s["acc"] = s.get("acc", 0.1) + g * g
        return w - lr * g / math.sqrt(s["acc"] + eps)

    got, _ = run(lambda p: optim.Adagrad(p, learning_rate=lr))
    np.testing.assert_allclose(got, by_hand(rule), rtol=1e-5)


def test_weight_decay_on_sgd():
    got, _ = run(lambda p: optim.SGD(p, learning_rate=0.1, weight_decay=0.5))
    expected = by_hand(lambda w, g, s, t: (w - w * 0.5 * 0.1) - 0.1 * g)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_keras_default_hyperparameters():
    assert optim.SGD().learning_rate == pytest.approx(0.01)
    adam = optim.Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == pytest.approx(
        (0.001, 0.9, 0.999, 1e-7)
    )
    rms = optim.RMSprop()
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == (
        pytest.approx(0.001), 0.9, 0.0, 1e-7, False
    )
    assert optim.Adagrad().initial_accumulator_value == 0.1


# ------------------------------------------------------------------ clipping


def test_clipnorm_clips_each_gradient_to_its_norm():
    w = autograd.tensor([0.0, 0.0], requires_grad=True)
    v = autograd.tensor([0.0], requires_grad=True)
    opt = optim.SGD([w, v], learning_rate=1.0, clipnorm=1.0)
    w.grad = autograd.tensor([3.0, 4.0])  # norm 5 -> scaled to norm 1
    v.grad = autograd.tensor([0.5])  # norm 0.5 -> unchanged
    opt.step()
    np.testing.assert_allclose(w.numpy(), [-0.6, -0.8], rtol=1e-6)
    np.testing.assert_allclose(v.numpy(), [-0.5], rtol=1e-6)


def test_global_clipnorm_scales_all_gradients_together():
    w = autograd.tensor([0.0, 0.0], requires_grad=True)
    v = autograd.tensor([0.0], requires_grad=True)
    opt = optim.SGD([w, v], learning_rate=1.0, global_clipnorm=6.5)
    w.grad = autograd.tensor([3.0, 4.0])
    v.grad = autograd.tensor([12.0])  # global norm 13 -> factor 0.5
    opt.step()
    np.testing.assert_allclose(w.numpy(), [-1.5, -2.0], rtol=1e-6)
    np.testing.assert_allclose(v.numpy(), [-6.0], rtol=1e-6)


def test_clipvalue_clips_elements():
    w = autograd.tensor([0.0, 0.0, 0.0], requires_grad=True)
    opt = optim.SGD([w], learning_rate=1.0, clipvalue=0.5)
    w.grad = autograd.tensor([3.0, -4.0, 0.25])
    opt.step()
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.5, -0.25])


def test_only_one_kind_of_clipping():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue`"):
        optim.SGD(clipnorm=1.0, clipvalue=1.0)


# ------------------------------------------------------------------ schedules


def test_schedule_is_evaluated_at_the_step_count():
    schedule = optim.PiecewiseConstantDecay([0, 1], [1.0, 0.1, 0.01])
    got, opt = run(lambda p: optim.SGD(p, learning_rate=schedule))
    lrs = [1.0, 0.1, 0.01]  # steps 0, 1, 2
    expected = []
    for i, w in enumerate(W0):
        for t, g in enumerate(GRADS):
            w = w - lrs[t] * g[i]
        expected.append(w)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert opt.learning_rate == pytest.approx(0.01)


def test_exponential_decay():
    s = optim.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    assert s(2) == pytest.approx(0.1 * 0.5**0.5)
    s = optim.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    assert s(7) == pytest.approx(0.05)


def test_cosine_decay():
    s = optim.CosineDecay(2.0, decay_steps=100, alpha=0.1)
    assert s(0) == pytest.approx(2.0)
    assert s(50) == pytest.approx(2.0 * (0.9 * 0.5 + 0.1))
    assert s(100) == pytest.approx(0.2)
    assert s(1000) == pytest.approx(0.2)
    warm = optim.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert warm(2) == pytest.approx(0.5)
    assert warm(4) == pytest.approx(1.0)
    assert warm(9) == pytest.approx(0.5)


def test_piecewise_constant_needs_one_more_value():
    with pytest.raises(ValueError, match="one more value than boundaries"):
        optim.PiecewiseConstantDecay([10, 20], [1.0, 0.5])


def test_learning_rate_is_settable_but_not_over_a_schedule():
    opt = optim.Adam(0.1)
    opt.learning_rate = 0.05
    assert opt.learning_rate == pytest.approx(0.05)
    opt = optim.Adam(optim.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="is a schedule"):
        opt.learning_rate = 0.05


# ------------------------------------------------------------------ construction


def test_first_argument_is_learning_rate_or_params():
    w = autograd.tensor([1.0], requires_grad=True)
    assert optim.Adam(0.01).learning_rate == pytest.approx(0.01)
    assert optim.Adam(learning_rate=0.02).learning_rate == pytest.approx(0.02)
    opt = optim.SGD([w], 0.3)
    assert opt.params == [w] and opt.learning_rate == pytest.approx(0.3)
    opt = optim.SGD((p for p in [w]), learning_rate=0.3)
    assert opt.params == [w]


def test_two_learning_rates_is_an_error():
    with pytest.raises(TypeError, match="two learning rates"):
        optim.SGD(0.1, 0.9)


def test_params_must_require_grad():
    with pytest.raises(TypeError, match="parameter 0 is a Tensor of shape"):
        optim.SGD([autograd.tensor([1.0])], learning_rate=0.1)


def test_step_without_params_explains():
    with pytest.raises(RuntimeError, match="no parameters to update"):
        optim.SGD(0.1).step()


def test_step_updates_in_place_and_a_stale_graph_fails():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    data_before = w.data
    opt = optim.SGD([w], learning_rate=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    assert w.data is data_before  # the same array, changed in place
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_params_without_grad_are_skipped():
    a = autograd.tensor([1.0], requires_grad=True)
    b = autograd.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a, b], learning_rate=0.5)
    a.grad = autograd.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.5) and b.item() == 1.0


def test_get_by_name_case_insensitive():
    assert isinstance(optim.get("RMSprop"), optim.RMSprop)
    assert isinstance(optim.get("sgd"), optim.SGD)
    assert isinstance(optim.get("ADAMW"), optim.AdamW)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'adamm'"):
        optim.get("adamm")


def test_config_round_trip_with_schedule():
    opt = optim.SGD(optim.CosineDecay(0.1, 50), momentum=0.9, nesterov=True, clipnorm=2.0)
    again = optim.SGD.from_config(opt.get_config())
    assert again.get_config() == opt.get_config()
    assert isinstance(again._learning_rate, optim.CosineDecay)


def test_state_round_trip_resumes_exactly():
    def make():
        w = autograd.tensor(W0, requires_grad=True)
        return w, optim.Adam([w], learning_rate=0.1)

    w1, o1 = make()
    for g in GRADS:
        w1.grad = autograd.tensor(g)
        o1.step()
    w2, o2 = make()
    for g in GRADS[:2]:
        w2.grad = autograd.tensor(g)
        o2.step()
    state = {k: v.copy() for k, v in o2.get_state().items()}
    w3, o3 = make()
    with autograd.no_grad():
        w3.copy_(w2)
    o3.set_state(state)
    assert o3.iterations == 2
    w3.grad = autograd.tensor(GRADS[2])
    o3.step()
    np.testing.assert_array_equal(w3.numpy(), w1.numpy())


def test_set_state_rejects_other_shapes():
    opt = optim.Adam([autograd.tensor([1.0, 2.0], requires_grad=True)])
    state = opt.get_state()
    state["0/momentum"] = np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match="has shape"):
        opt.set_state(state)
