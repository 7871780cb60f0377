"""Live round trips with real Keras 3 (marker ``reference``: needs the reference extra).

gradstack -> .keras -> Keras predicts the same; Keras -> .keras -> gradstack predicts
the same with the same layer names; .weights.h5 both ways; a trained model keeps
training in Keras from where gradstack stopped."""

from __future__ import annotations

import os

import numpy as np
import pytest

import nn

os.environ.setdefault("KERAS_BACKEND", "torch")
try:  # only the reference run (deselected by default) uses it; tests/conftest.py skips
    import keras  # those tests, or fails them in CI, when the extra is not installed
except ImportError:
    keras = None

pytestmark = [pytest.mark.reference, pytest.mark.training]

RNG = np.random.default_rng(0)


def set_random_weights(model):
    """Give every weight random values, so zero biases and unit scales do not hide a
    weight that was moved to the wrong place."""
    for layer in model.layers:
        layer.set_weights([RNG.normal(scale=0.5, size=w.shape).astype("float32")
                           for w in layer.get_weights()])


def gradstack_models():
    nn.clear_session()
    nn.utils.set_random_seed(0)
    mlp = nn.Sequential([nn.Input(shape=(6,)), nn.layers.Dense(8, activation="relu"),
                         nn.layers.Dense(8, activation="selu"), nn.layers.Dense(3)])
    image = nn.Input(shape=(10, 10, 3))
    x = nn.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(image)
    x = nn.layers.BatchNormalization()(x)
    x = nn.layers.Conv2D(4, 3, dilation_rate=2, padding="same")(x)
    x = nn.layers.MaxPooling2D(2, strides=1)(x)
    x = nn.layers.Dropout(0.3)(x)
    x = nn.layers.AveragePooling2D(2, padding="same")(x)
    x = nn.layers.Flatten()(x)
    convnet = nn.Model(image, nn.layers.Dense(2, activation="softmax")(x))
    convnet.get_layer("batch_normalization").set_weights(
        [RNG.uniform(0.5, 1.5, 4).astype("float32"), RNG.normal(size=4).astype("float32"),
         RNG.normal(size=4).astype("float32"), RNG.uniform(0.5, 2, 4).astype("float32")])
    a, b = nn.Input(shape=(4,)), nn.Input(shape=(4,))
    inner = nn.Sequential([nn.Input(shape=(4,)), nn.layers.Dense(4, activation="tanh")])
    branch = nn.layers.Dense(4)(b)
    joined = nn.layers.Concatenate()([nn.layers.Add()([inner(a), branch]), a,
                                      nn.layers.Multiply()([a, b])])
    two = nn.Model([a, b], nn.layers.Dense(2)(joined))
    sequences = nn.Sequential([
        nn.Input(shape=(5,), dtype="int32"), nn.layers.Embedding(10, 4, mask_zero=True),
        nn.layers.LSTM(3, return_sequences=True),
        nn.layers.Bidirectional(nn.layers.GRU(2, return_sequences=True)),
        nn.layers.TimeDistributed(nn.layers.Dense(2)), nn.layers.SimpleRNN(2)])
    tokens = RNG.integers(1, 10, (4, 5)).astype("int32")
    tokens[1:, 3:] = 0
    series_in = nn.Input(shape=(6, 3))
    h = nn.layers.Bidirectional(nn.layers.LSTM(3), merge_mode="sum")(
        nn.layers.Masking(0.0)(series_in))
    masked = nn.Model(series_in, nn.layers.Dense(2)(h))
    series = RNG.normal(size=(3, 6, 3)).astype(np.float32)
    series[0, 4:] = 0.0
    # The 1-D layers of the sequences issue, in one functional graph: convolutions
    # (causal, dilated, strided), the 1-D poolings and reshapings, layer normalization
    # and the three attention layers.
    steps = nn.Input(shape=(8, 3))
    c = nn.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu")(steps)
    c = nn.layers.ZeroPadding1D((1, 2))(c)
    c = nn.layers.Conv1D(4, 2, strides=2, padding="same")(c)
    c = nn.layers.MaxPooling1D(2, strides=1, padding="same")(c)
    c = nn.layers.UpSampling1D(2)(c)
    c = nn.layers.Cropping1D((1, 1))(c)
    c = nn.layers.AveragePooling1D(2)(c)
    c = nn.layers.LayerNormalization(epsilon=1e-4)(c)
    attended = nn.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2)(c, c)
    attended = nn.layers.MultiHeadAttention(1, 2, use_bias=False)(
        attended, c, attended, use_causal_mask=True)
    dot = nn.layers.Attention(use_scale=True)([attended, c])
    additive = nn.layers.AdditiveAttention()([c, attended])
    pooled = nn.layers.Concatenate()([nn.layers.GlobalAveragePooling1D()(dot),
                                      nn.layers.GlobalMaxPooling1D()(additive)])
    one_d = nn.Model(steps, nn.layers.Dense(2)(pooled))
    set_random_weights(one_d)
    return {"one_d": (one_d, RNG.normal(size=(3, 8, 3)).astype(np.float32)),
            "sequences": (sequences, tokens), "masked": (masked, series),
            "mlp": (mlp, RNG.random((5, 6), dtype=np.float32)),
            "convnet": (convnet, RNG.random((3, 10, 10, 3), dtype=np.float32)),
            "two_inputs": (two, [RNG.random((5, 4), dtype=np.float32),
                                 RNG.random((5, 4), dtype=np.float32)])}


@pytest.mark.parametrize("name", ["mlp", "convnet", "two_inputs", "sequences", "masked", "one_d"])
def test_gradstack_to_keras_predicts_the_same(tmp_path, name):
    model, x = gradstack_models()[name]
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in model.layers]


@pytest.mark.parametrize("name", ["mlp", "convnet", "two_inputs", "sequences", "masked", "one_d"])
def test_keras_to_gradstack_predicts_the_same(tmp_path, name):
    model, x = gradstack_models()[name]
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    theirs.save(tmp_path / "k.keras")  # now written by Keras itself
    ours = nn.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(ours.predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-5, atol=1e-5)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]


def test_layer_order_matches_keras_on_a_branching_graph(tmp_path):
    nn.clear_session()
    a = nn.Input(shape=(3,))
    d = [nn.layers.Dense(3, name=f"d{i}") for i in range(6)]
    left = d[1](d[0](a))
    right = d[2](a)
    mid = nn.layers.Add()([d[3](right), left])
    out = nn.layers.Concatenate()([d[4](mid), d[5](a), right])
    model = nn.Model(a, out)
    model.save(tmp_path / "b.keras")
    theirs = keras.saving.load_model(tmp_path / "b.keras")
    from nn.saving.keras_format.model_configs import keras_layer_order
    assert [x.name for x in keras_layer_order(model)] == [x.name for x in theirs.layers]
    x = RNG.random((2, 3), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_weights_h5_both_ways(tmp_path):
    model, x = gradstack_models()["convnet"]
    model.save_weights(tmp_path / "ours.weights.h5")
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    for w in theirs.weights:
        w.assign(np.zeros(w.shape, dtype="float32"))
    theirs.load_weights(tmp_path / "ours.weights.h5")
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    for w in theirs.weights:
        w.assign(w.numpy() + 0.01)
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    model.load_weights(tmp_path / "theirs.weights.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.asarray(theirs.predict(x, verbose=0)), rtol=1e-5, atol=1e-5)


def test_trained_model_keeps_training_in_keras_where_gradstack_stopped(tmp_path):
    rng = np.random.default_rng(1)
    x, y = rng.random((32, 6), dtype=np.float32), rng.integers(0, 3, 32)
    nn.utils.set_random_seed(2)
    model = nn.Sequential([nn.Input(shape=(6,)), nn.layers.Dense(8, activation="relu"),
                           nn.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "trained.keras")
    theirs = keras.saving.load_model(tmp_path / "trained.keras")
    assert int(theirs.optimizer.iterations.numpy()) == 8
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    # One more epoch on each side, same batches: same weights (same Adam state).
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    theirs.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for ours, w in zip(model.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(ours, w, rtol=1e-4, atol=1e-5)


def test_snake_case_is_keras_own_for_every_built_in_class():
    """Automatic names and the layer paths inside Keras files come from one snake_case:
    Keras 3's, so gradstack names every built-in class exactly as Keras does."""
    from keras.src.utils.naming import to_snake_case

    from nn.layers.naming import snake_case
    from nn.saving import registry

    names = [cls.__name__ for kind in registry.KINDS for cls in registry.builtin_classes(kind)]
    assert len(names) > 50
    names += ["L1L2", "MyResidualBlock2D", "ReLU", "PReLU", "LSTMCell"]
    assert [snake_case(n) for n in names] == [to_snake_case(n) for n in names]
