"""Write the Keras 3 files the default test suite reads without Keras installed.

Run with the reference extra (torch 2.13.0 CPU and Keras 3) from the repository root::

    KERAS_BACKEND=torch python tests/nn/keras_files/make_keras_files.py

It writes, next to this script, small models saved by real Keras 3:

- ``mlp.keras``: a Sequential MLP, compiled with Adam and trained one epoch (so the
  file holds compile settings and optimizer state);
- ``convnet.keras``: Conv2D (same/valid, strides, dilation), BatchNormalization with
  trained statistics, Dropout, both poolings, Flatten, Dense;
- ``two_inputs.keras``: a functional model with two inputs, Add, Concatenate and a
  nested Sequential;
- ``sequences.keras``: Embedding (mask_zero), LSTM, Bidirectional(GRU), TimeDistributed,
  SimpleRNN; ``masked.keras``: Masking and a Bidirectional LSTM in a functional model
  (Keras records its mask computation as operations in the graph);
- ``mlp.weights.h5``: the MLP's weights from ``save_weights``;
- ``expected.npz``: for each model, the input ``x_<name>`` (``x_<name>_0``, ``_1``
  for two inputs) and Keras's ``predict`` output ``y_<name>``; plus the layer names.

Keep the models tiny: the files are committed.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent


def mlp() -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ], name="mlp")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(1)
    model.fit(rng.random((32, 6), dtype=np.float32), rng.integers(0, 3, 32), epochs=1,
              batch_size=8, verbose=0)
    return model


def convnet() -> keras.Model:
    inputs = keras.Input(shape=(12, 12, 2), name="image")
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(4, 3, strides=2, padding="valid", activation="tanh")(x)
    x = keras.layers.Conv2D(3, 2, dilation_rate=2, padding="same")(x)
    x = keras.layers.Dropout(0.25)(x)
    x = keras.layers.AveragePooling2D(pool_size=1)(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(2)(x)
    model = keras.Model(inputs, outputs, name="convnet")
    bn = model.layers[2]
    rng = np.random.default_rng(2)
    bn.moving_mean.assign(rng.normal(size=4).astype("float32"))
    bn.moving_variance.assign(rng.uniform(0.5, 2.0, size=4).astype("float32"))
    bn.gamma.assign(rng.uniform(0.5, 1.5, size=4).astype("float32"))
    bn.beta.assign(rng.normal(size=4).astype("float32"))
    return model


def two_inputs() -> keras.Model:
    a = keras.Input(shape=(4,), name="left")
    b = keras.Input(shape=(4,), name="right")
    inner = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(4, activation="elu")],
                             name="inner")
    added = keras.layers.Add()([inner(a), b])
    joined = keras.layers.Concatenate()([added, a])
    return keras.Model([a, b], keras.layers.Dense(2, activation="sigmoid")(joined),
                       name="two_inputs")


def sequences() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(5,), dtype="int32"),
        keras.layers.Embedding(10, 4, mask_zero=True),
        keras.layers.LSTM(3, return_sequences=True),
        keras.layers.Bidirectional(keras.layers.GRU(2, return_sequences=True)),
        keras.layers.TimeDistributed(keras.layers.Dense(2)),
        keras.layers.SimpleRNN(2),
    ], name="sequences")


def masked() -> keras.Model:
    inputs = keras.Input(shape=(6, 3))
    x = keras.layers.Masking(0.0)(inputs)
    x = keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode="sum")(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x), name="masked")


def main() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    expected: dict[str, np.ndarray] = {}
    models = {"mlp": (mlp(), rng.random((5, 6), dtype=np.float32)),
              "convnet": (convnet(), rng.random((3, 12, 12, 2), dtype=np.float32)),
              "two_inputs": (two_inputs(), [rng.random((5, 4), dtype=np.float32),
                                            rng.random((5, 4), dtype=np.float32)])}
    tokens = rng.integers(1, 10, (4, 5)).astype("int32")
    tokens[1:, 3:] = 0  # padding: masked
    series = rng.normal(size=(3, 6, 3)).astype(np.float32)
    series[0, 4:] = 0.0  # masked steps
    models["sequences"] = (sequences(), tokens)
    models["masked"] = (masked(), series)
    for name, (model, x) in models.items():
        model.save(HERE / f"{name}.keras")
        if isinstance(x, list):
            for i, xi in enumerate(x):
                expected[f"x_{name}_{i}"] = xi
        else:
            expected[f"x_{name}"] = x
        expected[f"y_{name}"] = np.asarray(model.predict(x, verbose=0))
        expected[f"layers_{name}"] = np.array([layer.name for layer in model.layers])
    models["mlp"][0].save_weights(HERE / "mlp.weights.h5")
    np.savez(HERE / "expected.npz", **expected)
    print(f"wrote {sorted(p.name for p in HERE.glob('*') if p.suffix != '.py')} "
          f"with Keras {keras.__version__}")


if __name__ == "__main__":
    main()
