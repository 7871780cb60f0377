"""fit, saving and resuming on real nn models (Sequential, functional), and the
digits convnet that must reach 97% test accuracy."""

import gc
import importlib.util
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import nn
import optim
from nn import layers

pytestmark = pytest.mark.training


def flat_digits():
    """The digits as rows of 64 pixels in [0, 1], for the Dense models below."""
    (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    x_train = (x_train / 16.0).astype(np.float32).reshape(len(x_train), -1)
    x_test = (x_test / 16.0).astype(np.float32).reshape(len(x_test), -1)
    return (x_train, y_train), (x_test, y_test)


def mlp(dropout=0.0):
    stack = [layers.Input((64,)), layers.Dense(32, activation="relu")]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(10, activation="softmax"))
    return nn.Sequential(stack)


def load_demo():
    """demo.py at the repository root, imported as a module (it runs nothing on import)."""
    path = Path(__file__).resolve().parents[2] / "demo.py"
    spec = importlib.util.spec_from_file_location("gradstack_demo", path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return demo


@pytest.mark.slow
def test_the_demo_convnet_reaches_97_percent():
    # The README's demo command trains exactly this: demo.py's model and recipe.
    demo = load_demo()
    (x_train, y_train), (x_test, y_test) = demo.load_digits()
    nn.utils.set_random_seed(0)
    model = demo.build_model()
    demo.train(model, x_train, y_train, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f} (loss {loss:.4f})"


def test_memory_stays_flat_over_2000_steps():
    (x_train, y_train), _ = flat_digits()
    x, y = x_train[:64], y_train[:64]
    nn.utils.set_random_seed(0)
    model = mlp()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(x, y, batch_size=32, epochs=50, verbose=0)  # warm-up: 100 steps
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        model.fit(x, y, batch_size=32, epochs=1000, verbose=0)  # 2,000 steps
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 2**20, f"memory grew by {growth / 2**20:.2f} MiB over 2,000 steps"


def test_fit_on_sequential_learns_digits():
    (x_train, y_train), (x_test, y_test) = flat_digits()
    nn.utils.set_random_seed(0)
    model = mlp()
    model.compile(optim.Adam(3e-3), "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(x_train, y_train, epochs=5, validation_split=0.1, verbose=0)
    assert history.history["val_accuracy"][-1] > 0.9
    assert model.evaluate(x_test, y_test, verbose=0)[1] > 0.9


def test_functional_model_and_keras_optimizer_alias():
    (x_train, y_train), _ = flat_digits()
    nn.utils.set_random_seed(0)
    inputs = nn.Input(shape=(64,))
    outputs = layers.Dense(10, activation="softmax")(layers.Dense(16, activation="relu")(inputs))
    model = nn.Model(inputs, outputs)
    model.compile(optimizer=nn.optimizers.SGD(0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x_train, y_train, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "acc"]
    assert nn.optimizers.Adam is optim.Adam


def test_same_seed_same_history_with_dropout():
    (x_train, y_train), _ = flat_digits()
    runs = []
    for _ in range(2):
        nn.utils.set_random_seed(5)
        model = mlp(dropout=0.3)
        model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
        runs.append(model.fit(x_train[:256], y_train[:256], epochs=2, verbose=0).history)
    assert runs[0] == runs[1]


def test_save_load_sequential_bit_for_bit(tmp_path):
    (x_train, y_train), (x_test, _) = flat_digits()
    nn.utils.set_random_seed(0)
    model = mlp(dropout=0.2)
    model.compile(optim.Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(x_train[:128], y_train[:128], verbose=0)
    model.save(tmp_path / "mlp.gradstack")
    for again in (nn.models.load_model(tmp_path / "mlp.gradstack"),
                  nn.load_model(tmp_path / "mlp.gradstack")):
        assert type(again) is type(model)
        np.testing.assert_array_equal(again.predict(x_test, verbose=0),
                                      model.predict(x_test, verbose=0))
        assert [w.name for w in again.weights] == [w.name for w in model.weights]
        assert again.optimizer.iterations == model.optimizer.iterations


def test_resume_sequential_with_dropout_exactly(tmp_path):
    (x_train, y_train), _ = flat_digits()
    x, y = x_train[:160], y_train[:160]

    nn.utils.set_random_seed(21)
    straight = mlp(dropout=0.25)
    straight.compile(optim.Adam(2e-3), "sparse_categorical_crossentropy", ["accuracy"])
    straight.fit(x, y, epochs=2, verbose=0)

    nn.utils.set_random_seed(21)
    first = mlp(dropout=0.25)
    first.compile(optim.Adam(2e-3), "sparse_categorical_crossentropy", ["accuracy"])
    first.fit(x, y, epochs=1, verbose=0)
    first.save(tmp_path / "half.gradstack")
    resumed = nn.models.load_model(tmp_path / "half.gradstack")
    resumed.fit(x, y, epochs=2, initial_epoch=1, verbose=0)

    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=False):
        np.testing.assert_array_equal(a, b)


def test_save_load_functional_and_weights(tmp_path):
    nn.utils.set_random_seed(0)
    inputs = nn.Input(shape=(8, 8, 1))
    h = layers.Conv2D(4, 3, activation="relu")(inputs)
    outputs = layers.Dense(3)(layers.Flatten()(h))
    model = nn.Model(inputs, outputs)
    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype(np.float32)
    model.save(tmp_path / "f.gradstack")
    again = nn.models.load_model(tmp_path / "f.gradstack")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not again.compiled

    model.save_weights(tmp_path / "f.weights.gradstack")
    nn.utils.set_random_seed(1)
    inputs = nn.Input(shape=(8, 8, 1))
    other = nn.Model(inputs, layers.Dense(3)(layers.Flatten()(
        layers.Conv2D(4, 3, activation="relu")(inputs))))
    other.load_weights(tmp_path / "f.weights.gradstack")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))

    wider = nn.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(5, 3), layers.Flatten(),
                           layers.Dense(3)])
    with pytest.raises(nn.saving.SavedFileError, match="another architecture"):
        wider.load_weights(tmp_path / "f.weights.gradstack")


def test_regularizers_reach_the_loss():
    (x_train, y_train), _ = flat_digits()
    nn.utils.set_random_seed(0)
    model = nn.Sequential([layers.Input((64,)),
                           layers.Dense(10, kernel_regularizer=nn.regularizers.L2(0.1))])
    model.compile("sgd", nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = x_train[:32], y_train[:32]
    data_loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)(y, model(x)).item()
    kernel = model.layers[-1].kernel.numpy().astype(np.float64)
    expected = data_loss + 0.1 * np.sum(kernel**2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_two_input_functional_model_fits_predicts_and_saves(tmp_path):
    nn.utils.set_random_seed(0)
    a, b = nn.Input(shape=(3,)), nn.Input(shape=(2,))
    model = nn.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    xa, xb = rng.random((20, 3)), rng.random((20, 2))
    y = xa.sum(axis=1, keepdims=True) - xb[:, :1]
    history = model.fit([xa, xb], y, epochs=3, batch_size=4, validation_split=0.2, verbose=0)
    assert list(history.history) == ["loss", "val_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict([xa, xb], verbose=0).shape == (20, 1)
    model.save(tmp_path / "two.gradstack")
    again = nn.load_model(tmp_path / "two.gradstack")
    np.testing.assert_array_equal(again.predict([xa, xb], verbose=0),
                                  model.predict([xa, xb], verbose=0))
    with pytest.raises(ValueError, match="x has 20/19"):
        model.fit([xa, xb[:19]], y, verbose=0)


def test_a_large_random_seed_in_the_config_is_not_mistaken_for_a_huge_size(tmp_path):
    model = nn.Sequential([layers.Input((4,)), layers.Dropout(0.5, seed=2**31 - 1),
                           layers.Dense(2)])
    model.save(tmp_path / "seeded.gradstack")
    assert isinstance(nn.load_model(tmp_path / "seeded.gradstack"), nn.Sequential)
