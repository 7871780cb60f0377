"""compile / fit / evaluate / predict on a tiny hand-written model (the interface
contract of nn.Model), so that these tests do not depend on nn.layers."""

import re
import warnings

import numpy as np
import pytest
from training_helpers import TinyMLP, blobs

import autograd
import nn.utils
import optim
from nn import callbacks, losses, metrics

pytestmark = pytest.mark.training


def compiled(units=(16, 3), output_activation="softmax", loss="sparse_categorical_crossentropy",
             optimizer=None, metrics_=("accuracy",), seed=0, **kwargs):
    nn.utils.set_random_seed(seed)
    model = TinyMLP(units, output_activation=output_activation, **kwargs)
    model.compile(optimizer or optim.Adam(0.01), loss, list(metrics_))
    return model


# ------------------------------------------------------------------ errors


def test_fit_before_compile_says_what_to_do():
    x, y = blobs()
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model"):
        TinyMLP().fit(x, y)
    with pytest.raises(ValueError, match=r"compile\(\)"):
        TinyMLP().evaluate(x, y)


def test_predict_needs_no_compile():
    x, _ = blobs()
    assert TinyMLP((4, 2)).predict(x[:3], verbose=0).shape == (3, 2)


def test_x_and_y_of_different_lengths():
    x, y = blobs(n=100)
    with pytest.raises(ValueError) as err:
        compiled().fit(x, y[:99], verbose=0)
    msg = str(err.value)
    assert "x has 100" in msg and "y has 99" in msg and "same length" in msg


def test_one_hot_labels_with_sparse_loss_name_both_shapes_and_the_fix():
    x, y = blobs(n=40)
    with pytest.raises(ValueError) as err:
        compiled().fit(x, nn.utils.to_categorical(y, 3), verbose=0)
    msg = str(err.value)
    assert "(32, 3)" in msg and "(32,)" in msg and "categorical_crossentropy" in msg


# ------------------------------------------------------------------ fit


def test_fit_learns_and_history_has_keras_keys():
    x, y = blobs(n=200)
    model = compiled()
    history = model.fit(x, y, epochs=8, batch_size=16, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.epoch == list(range(8))
    assert history.params == {"verbose": 0, "epochs": 8, "steps": 10}
    assert model.history is history
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9


def test_same_seed_same_history_bit_for_bit():
    x, y = blobs()
    runs = []
    for _ in range(2):
        model = compiled(seed=7)
        runs.append(model.fit(x, y, epochs=3, batch_size=8, verbose=0).history)
    assert runs[0] == runs[1]


def test_a_hand_written_loop_gives_the_same_weights_as_fit():
    x, y = blobs(n=64)
    loss_fn = losses.SparseCategoricalCrossentropy()

    model_a = compiled(optimizer=optim.SGD(0.1, momentum=0.9), seed=3)
    model_a.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)

    nn.utils.set_random_seed(3)
    model_b = TinyMLP((16, 3), output_activation="softmax")
    model_b.build(x.shape)
    opt = optim.SGD(model_b.trainable_weights, learning_rate=0.1, momentum=0.9)
    for _ in range(2):
        for start in range(0, 64, 16):
            loss = loss_fn(y[start:start + 16], model_b(x[start:start + 16], training=True))
            loss.backward()
            opt.step()
            opt.zero_grad()
    for a, b in zip(model_a.get_weights(), model_b.get_weights(), strict=False):
        np.testing.assert_array_equal(a, b)


def test_train_step_is_one_gradient_step_by_hand():
    # One linear unit, MSE, SGD: w <- w - lr * 2/N * X^T (Xw + b - y)
    nn.utils.set_random_seed(0)
    model = TinyMLP((1,), output_activation=None)
    model.compile(optim.SGD(0.05), "mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], np.float32)
    y = np.array([[1.0], [0.0], [2.0]], np.float32)
    model.build(x.shape)
    w, b = (a.astype(np.float64) for a in model.get_weights())
    residual = x @ w + b - y
    expected_loss = float(np.mean(residual**2))
    w_new = w - 0.05 * 2 / 3 * x.T @ residual
    b_new = b - 0.05 * 2 / 3 * residual.sum(axis=0)
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], w_new, rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[1], b_new, rtol=1e-5)


def test_regularization_losses_are_added_to_the_loss():
    x, y = blobs(n=32)
    model = compiled(l2=0.01, metrics_=())
    model.build(x.shape)
    penalty = sum(0.01 * float(np.sum(k.astype(np.float64) ** 2))
                  for k in model.get_weights()[::2])
    data_loss = losses.SparseCategoricalCrossentropy()(y, model(x)).item()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(data_loss + penalty, rel=1e-5)


def test_sample_weight_and_class_weight_agree():
    x, y = blobs(n=48)
    class_weight = {0: 2.0, 1: 0.5, 2: 1.0}
    a = compiled(metrics_=())
    a.fit(x, y, epochs=2, batch_size=16, shuffle=False, class_weight=class_weight, verbose=0)
    b = compiled(metrics_=())
    weights = np.array([class_weight[c] for c in y], np.float32)
    b.fit(x, y, epochs=2, batch_size=16, shuffle=False, sample_weight=weights, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=False):
        np.testing.assert_array_equal(wa, wb)
    # and the weights matter: unweighted training ends elsewhere
    c = compiled(metrics_=())
    c.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_validation_split_holds_out_the_last_samples():
    x, y = blobs(n=40)
    model = compiled()
    history = model.fit(x, y, epochs=1, validation_split=0.25, shuffle=False, verbose=0)
    val_loss, val_acc = model.evaluate(x[30:], y[30:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(val_acc)
    assert history.params["steps"] == 1  # 30 training samples, batch 32


def test_initial_epoch_and_stop_training():
    x, y = blobs(n=32)
    model = compiled()
    history = model.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]

    stopper = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1)
    )
    history = model.fit(x, y, epochs=10, callbacks=[stopper], verbose=0)
    assert history.epoch == [0, 1]


def test_float64_and_list_inputs_are_accepted():
    x, y = blobs(n=20)
    model = compiled()
    model.fit(x.astype(np.float64).tolist(), y.tolist(), epochs=1, verbose=0)
    assert model.predict(x.astype(np.float64), verbose=0).dtype == np.float32


# ------------------------------------------------------------------ evaluate / predict


def test_evaluate_returns_float_list_or_dict():
    x, y = blobs(n=50)
    model = compiled()
    loss, acc = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and 0 <= acc <= 1
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": acc}
    assert model.metrics_names == ["loss", "accuracy"]
    bare = compiled(metrics_=())
    assert isinstance(bare.evaluate(x, y, verbose=0), float)


def test_evaluate_loss_is_the_mean_over_samples_not_batches():
    x, y = blobs(n=40)
    model = compiled(metrics_=())
    whole = losses.SparseCategoricalCrossentropy()(y, model(x)).item()
    # batches of 32 and 8: a mean of batch means would weigh the 8 samples 4x too much
    assert model.evaluate(x, y, batch_size=32, verbose=0) == pytest.approx(whole, rel=1e-5)


def test_predict_batches_match_one_call_and_return_numpy():
    x, _ = blobs(n=70)
    model = compiled()
    out = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, model(x).numpy(), rtol=1e-6, atol=1e-7)
    assert isinstance(model.predict_on_batch(x[:4]), np.ndarray)


def test_train_and_test_on_batch():
    x, y = blobs(n=16)
    model = compiled()
    out = model.train_on_batch(x, y)
    assert isinstance(out, list) and len(out) == 2
    logs = model.test_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


def test_metric_objects_and_functions_in_compile():
    x, y = blobs(n=30)

    def always_one(y_true, y_pred):
        return np.ones(len(y_true))

    model = compiled(metrics_=[metrics.SparseCategoricalAccuracy(name="acc"), always_one])
    history = model.fit(x, y, verbose=0)
    assert list(history.history) == ["loss", "acc", "always_one"]
    assert history.history["always_one"] == [1.0]


def test_custom_train_step_is_used_by_fit():
    class CountingMLP(TinyMLP):
        steps = 0

        def train_step(self, data):
            CountingMLP.steps += 1
            return super().train_step(data)

    x, y = blobs(n=40)
    model = CountingMLP((4, 3), output_activation="softmax")
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=10, verbose=0)
    assert CountingMLP.steps == 8


def test_an_unknown_optimizer_name_is_explained():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        TinyMLP().compile("adamm", "mse")


# ------------------------------------------------------------------ NaN


def test_nan_loss_warns_without_terminate_on_nan():
    x, y = blobs(n=32)
    x[0, 0] = np.nan
    model = compiled()
    with pytest.warns(UserWarning, match="The loss became nan .*TerminateOnNaN"):
        history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert len(history.epoch) == 2


def test_terminate_on_nan_stops_with_a_message(capsys):
    x, y = blobs(n=32)
    x[0, 0] = np.nan
    model = compiled()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning when TerminateOnNaN is used
        history = model.fit(x, y, epochs=5, batch_size=8, shuffle=False, verbose=0,
                            callbacks=[callbacks.TerminateOnNaN()])
    assert history.epoch == [0]
    out = capsys.readouterr().out
    assert "Batch 0: Invalid loss (nan), terminating training" in out
    assert "learning rate" in out


# ------------------------------------------------------------------ printed output


def test_verbose_1_to_a_pipe_prints_one_clean_line_per_epoch(capsys):
    x, y = blobs(n=40)
    compiled().fit(x, y, epochs=2, batch_size=10, validation_split=0.25)
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    pattern = (r"^3/3 \[={30}\] - \d+s \d+(us|ms)/step - loss: \d\.\d{4} - accuracy: "
               r"\d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$")
    assert re.match(pattern, lines[1]), lines[1]
    assert re.match(pattern, lines[3]), lines[3]


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = blobs(n=40)
    compiled().fit(x, y, epochs=2, batch_size=10, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert re.match(r"^4/4 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - \d+ms/epoch - "
                    r"\d+(us|ms)/step$", lines[1]), lines[1]


def test_verbose_0_is_silent_and_one_epoch_has_no_epoch_line(capsys):
    x, y = blobs(n=40)
    model = compiled()
    model.fit(x, y, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y)
    out = capsys.readouterr().out
    assert not out.startswith("Epoch") and out.startswith("2/2 [")


def test_evaluate_and_predict_print_a_bar(capsys):
    x, y = blobs(n=40)
    model = compiled()
    model.evaluate(x, y)
    model.predict(x)
    lines = capsys.readouterr().out.splitlines()
    assert re.match(r"^2/2 \[={30}\] - \d+s \d+(us|ms)/step - loss: \d\.\d{4} - accuracy: "
                    r"\d\.\d{4}$", lines[0]), lines[0]
    assert re.match(r"^2/2 \[={30}\] - \d+s \d+(us|ms)/step$", lines[1]), lines[1]


# ------------------------------------------------------------------ optimizer wiring


def test_compile_default_optimizer_is_rmsprop_and_gets_the_weights():
    x, y = blobs(n=16)
    model = TinyMLP((3,), output_activation="softmax")
    model.compile(loss="sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, optim.RMSprop)
    model.fit(x, y, verbose=0)
    assert model.optimizer.params == model.trainable_weights
    assert model.optimizer.iterations == 1


def test_optimizer_updates_weights_in_place():
    x, y = blobs(n=16)
    model = compiled()
    model.build(x.shape)
    arrays = [w.data for w in model.trainable_weights]
    model.fit(x, y, verbose=0)
    assert all(w.data is a for w, a in zip(model.trainable_weights, arrays, strict=False))
    assert autograd.is_grad_enabled()


def test_sample_weights_shape_the_loss_not_the_metrics():
    x, y = blobs(n=32)
    model = compiled()
    weights = np.where(y == 0, 0.0, 1.0)
    weighted = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    plain = model.evaluate(x, y, verbose=0, return_dict=True)
    assert weighted["accuracy"] == plain["accuracy"]
    assert weighted["loss"] != plain["loss"]
