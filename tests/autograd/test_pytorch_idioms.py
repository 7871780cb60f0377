"""PyTorch idioms work on gradstack, or fail loudly: in-place operators (the manual
SGD step), PyTorch's names (dim=, keepdim=, pow, clamp, view, permute, unsqueeze)
and the warning for .grad of a tensor that is not a leaf."""

import warnings

import numpy as np
import pytest

import autograd

pytestmark = pytest.mark.engine


def f64(values, requires_grad=True):
    return autograd.tensor(values, dtype="float64", requires_grad=requires_grad)


# ------------------------------------------------------------------ in-place operators


def test_sgd_step_under_no_grad_changes_the_weight_in_place():
    w = f64([1.0, -2.0])
    (w * w).sum().backward()  # grad 2w = [2, -4]
    same = w
    version = w._version
    with autograd.no_grad():
        w -= 0.5 * w.grad
    assert w is same  # not rebound to a new tensor
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])
    assert w._version == version + 1
    assert w.requires_grad and w.is_leaf


@pytest.mark.parametrize("op, expected", [
    ("+=", [3.0, 4.0]), ("-=", [-1.0, 0.0]), ("*=", [2.0, 4.0]), ("/=", [0.5, 1.0]),
])
def test_each_operator_works_in_place_on_a_tensor_without_grad(op, expected):
    t = autograd.tensor([1.0, 2.0])
    same = t
    namespace = {"t": t, "two": autograd.tensor([2.0, 2.0])}
    exec(f"t {op} two", namespace)  # noqa: S102 - the four operators, one at a time
    assert namespace["t"] is same
    np.testing.assert_array_equal(same.numpy(), expected)
    assert same._version == 1


def test_numbers_and_arrays_work_too():
    t = autograd.tensor([[1.0, 2.0], [3.0, 4.0]])
    t += 1
    t *= np.array([1.0, 10.0])  # broadcasts to t's shape
    np.testing.assert_array_equal(t.numpy(), [[2.0, 30.0], [4.0, 50.0]])


def test_in_place_on_a_leaf_that_requires_grad_while_recording_says_no_grad():
    w = f64([1.0, 2.0])
    with pytest.raises(RuntimeError) as info:
        w -= 0.1
    message = str(info.value)
    assert "leaf tensor that requires grad" in message and "shape (2,)" in message
    assert "with autograd.no_grad():" in message and "p -= lr * p.grad" in message
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])  # unchanged


def test_in_place_on_a_result_of_an_op_is_recorded_like_an_assignment():
    x = f64([0.5, -1.0, 2.0])
    b = f64([1.0, 2.0, 3.0])

    def fn(x, b):
        h = x * 2.0
        h += b
        h *= x
        return h

    assert autograd.gradcheck(fn, [x, b])  # d/dx = 4x + b, d/db = x


def test_in_place_into_a_plain_tensor_keeps_gradients_to_the_other_operand():
    w = f64([1.0, 2.0])
    total = autograd.zeros(2, dtype="float64")
    total += w * 3.0  # must not drop w's gradient on the floor
    total.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


def test_in_place_change_of_a_saved_tensor_is_caught_at_backward():
    a = autograd.tensor([1.0, 2.0])  # does not require grad, so += is allowed
    w = f64([3.0, 4.0])
    y = (a * w).sum()  # Mul saves a for w's gradient
    a += 1
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_in_place_shape_and_dtype_mistakes_are_explained():
    t = autograd.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(2, 2\).*t's shape \(2,\)"):
        t += np.ones((2, 2))
    counts = autograd.tensor([1, 2])
    with pytest.raises(TypeError, match="cannot be stored in t's dtype int64"):
        counts /= 2


# ------------------------------------------------------------------ micrograd's README


def test_micrograd_readme_example_gives_its_published_numbers():
    # The example at the top of micrograd's README, with autograd tensors for Values.
    a = autograd.tensor(-4.0, dtype="float64", requires_grad=True)
    b = autograd.tensor(2.0, dtype="float64", requires_grad=True)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.item():.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad.item():.4f}" == "138.8338"
    assert f"{b.grad.item():.4f}" == "645.5773"


# ------------------------------------------------------------------ a 2-16-16-1 MLP, by hand


def mlp_arrays(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 2))
    arrays = {"x": x, "y": np.sin(x[:, :1]) * np.cos(x[:, 1:])}
    for k, (n_in, n_out) in enumerate([(2, 16), (16, 16), (16, 1)], start=1):
        arrays[f"w{k}"] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        arrays[f"b{k}"] = np.zeros(n_out)
    return arrays


PARAMS = ("w1", "b1", "w2", "b2", "w3", "b3")


def train_with_in_place_sgd(arrays, steps, lr):
    """The manual SGD loop of every from-scratch course, as written for PyTorch."""
    params = [autograd.tensor(arrays[k], requires_grad=True) for k in PARAMS]
    w1, b1, w2, b2, w3, b3 = params
    x, y = autograd.tensor(arrays["x"]), autograd.tensor(arrays["y"])
    losses = []
    for _ in range(steps):
        h = (x @ w1 + b1).tanh()
        h = (h @ w2 + b2).tanh()
        loss = ((h @ w3 + b3 - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
    return np.array(losses), {k: p.numpy() for k, p in zip(PARAMS, params)}


def train_with_numpy_backprop(arrays, steps, lr):
    """The same training with the backward written out by hand in NumPy."""
    p = {k: arrays[k].copy() for k in PARAMS}
    x, y = arrays["x"], arrays["y"]
    losses = []
    for _ in range(steps):
        h1 = np.tanh(x @ p["w1"] + p["b1"])
        h2 = np.tanh(h1 @ p["w2"] + p["b2"])
        out = h2 @ p["w3"] + p["b3"]
        losses.append(np.mean((out - y) ** 2))
        d_out = 2 * (out - y) / out.size
        d_z2 = (d_out @ p["w3"].T) * (1 - h2**2)
        d_z1 = (d_z2 @ p["w2"].T) * (1 - h1**2)
        grads = {"w3": h2.T @ d_out, "b3": d_out.sum(0), "w2": h1.T @ d_z2,
                 "b2": d_z2.sum(0), "w1": x.T @ d_z1, "b1": d_z1.sum(0)}
        for k in PARAMS:
            p[k] -= lr * grads[k]
    return np.array(losses), p


def test_manual_sgd_trains_a_2_16_16_1_mlp_like_hand_written_backprop():
    arrays = mlp_arrays()
    losses, weights = train_with_in_place_sgd(arrays, steps=40, lr=0.2)
    expected_losses, expected_weights = train_with_numpy_backprop(arrays, steps=40, lr=0.2)
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-10)
    for k in PARAMS:
        np.testing.assert_allclose(weights[k], expected_weights[k], rtol=1e-10, atol=1e-12)
    assert losses[-1] < 0.5 * losses[0]  # it trained


# ------------------------------------------------------------------ PyTorch's names


REDUCTIONS = ["sum", "mean", "prod", "logsumexp", "argmax", "argmin"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_dim_and_keepdim_mean_axis_and_keepdims(name):
    x = f64(np.arange(1.0, 7.0).reshape(2, 3) / 4)
    by_dim = getattr(x, name)(dim=1, keepdim=True)
    by_axis = getattr(x, name)(axis=1, keepdims=True)
    assert by_dim.shape == (2, 1)
    np.testing.assert_array_equal(by_dim.numpy(), by_axis.numpy())
    np.testing.assert_array_equal(getattr(autograd, name)(x, dim=0).numpy(),
                                  getattr(x, name)(axis=0).numpy())


def test_max_and_min_with_dim_return_values_and_indices_as_pytorch():
    x = f64([[1.0, 5.0, 3.0], [4.0, 2.0, 0.0]])
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 4.0] and indices.tolist() == [1, 0]
    result = x.min(dim=0, keepdim=True)
    assert result.values.tolist() == [[1.0, 2.0, 0.0]] and result.indices.tolist() == [[0, 1, 1]]
    assert x.max(axis=1).tolist() == [5.0, 4.0]  # gradstack's own spelling: one tensor
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])


def test_var_and_std_with_dim_divide_by_n_minus_one_as_pytorch():
    x = f64([1.0, 2.0, 3.0, 4.0])  # mean 2.5, squared deviations sum to 5
    assert x.var(dim=0).item() == pytest.approx(5 / 3)
    assert x.var(axis=0).item() == pytest.approx(5 / 4)  # NumPy and Keras divide by n
    assert x.var(dim=0, unbiased=False).item() == pytest.approx(5 / 4)
    assert x.std(dim=0, correction=0).item() == pytest.approx(np.sqrt(5 / 4))
    assert x.std(dim=0).item() == pytest.approx(np.sqrt(5 / 3))


def test_softmax_family_takes_dim():
    x = f64([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(x.softmax(dim=0).numpy(), x.softmax(axis=0).numpy())
    np.testing.assert_array_equal(autograd.log_softmax(x, dim=0).numpy(),
                                  autograd.log_softmax(x, axis=0).numpy())
    np.testing.assert_array_equal(x.softmax().numpy(), x.softmax(axis=-1).numpy())


def test_both_spellings_at_once_are_an_error():
    x = f64([[1.0, 2.0]])
    with pytest.raises(TypeError, match="both axis=1 and dim=0"):
        x.sum(axis=1, dim=0)
    with pytest.raises(TypeError, match="ddof and unbiased"):
        x.var(dim=1, ddof=0, unbiased=True)


def test_pow_clamp_view_permute_unsqueeze():
    x = f64(np.array([[-2.0, 0.5, 3.0], [1.5, -0.25, 0.75]]))  # no value on a kink
    np.testing.assert_array_equal(x.pow(2).numpy(), x.numpy() ** 2)
    np.testing.assert_array_equal(x.clamp(min=0.0).numpy(), np.maximum(x.numpy(), 0))
    np.testing.assert_array_equal(x.clamp(max=1.0).numpy(), np.minimum(x.numpy(), 1))
    assert x.view(3, 2).shape == (3, 2) and x.view(-1).shape == (6,)
    assert x.view((1, 6)).shape == (1, 6)
    assert x.unsqueeze(1).shape == (2, 1, 3)
    assert x.unsqueeze(0).permute(2, 0, 1).shape == (3, 1, 2)
    assert autograd.gradcheck(lambda t: t.pow(3) + t.clamp(min=-1.0, max=1.0), [x])
    assert autograd.gradcheck(lambda t: t.view(3, 2).unsqueeze(0).permute(2, 1, 0), [x])


def test_clamp_gradient_is_zero_where_clamped():
    x = f64([-2.0, 0.5, 3.0])
    x.clamp(min=0.0, max=1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])


# ------------------------------------------------------------------ .grad of a non-leaf


def test_reading_grad_of_a_non_leaf_warns_naming_retain_grad():
    x = f64([1.0, 2.0])
    h = x * 2
    (h * h).sum().backward()
    with pytest.warns(UserWarning) as caught:
        assert h.grad is None
    (message,) = [str(w.message) for w in caught]
    assert "<Mul>" in message and "shape (2,)" in message
    assert ".retain_grad()" in message and "leaves" in message


def test_no_warning_on_leaves_or_after_retain_grad():
    x = f64([1.0, 2.0])
    h = (x * 2).retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None and h.grad is None  # before backward: nothing yet, no warning
        (h * h).sum().backward()
        np.testing.assert_array_equal(h.grad.numpy(), [4.0, 8.0])
        np.testing.assert_array_equal(x.grad.numpy(), [8.0, 16.0])
        assert autograd.tensor([1.0]).grad is None
