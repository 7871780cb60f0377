"""Several inputs and outputs in compile/fit/evaluate (issue 15 section 2): losses,
loss weights and metrics per output, targets and inputs by list or by name, logs
named as Keras names them (checked against Keras 3.15.1 by hand: loss,
<output>_loss, <output>_<metric>, val_ versions)."""

import numpy as np
import pytest

import nn
from nn import layers

RNG = np.random.default_rng(21)
N = 24
XA, XB = RNG.random((N, 4)).astype("float32"), RNG.random((N, 3)).astype("float32")
PRICE, KIND = RNG.random((N, 1)).astype("float32"), RNG.integers(0, 3, N)


def two_headed():
    nn.utils.set_random_seed(3)
    a, b = nn.Input((4,), name="a"), nn.Input((3,), name="b")
    hidden = layers.Dense(8, activation="relu")(layers.concatenate([a, b]))
    price = layers.Dense(1, name="price")(hidden)
    kind = layers.Dense(3, activation="softmax", name="kind")(hidden)
    return nn.Model([a, b], [price, kind])


def test_functional_guide_pattern_dicts_everywhere():
    model = two_headed()
    model.compile(optimizer=nn.optimizers.RMSprop(1e-3),
                  loss={"price": nn.losses.MeanSquaredError(),
                        "kind": nn.losses.SparseCategoricalCrossentropy()},
                  loss_weights={"price": 1.0, "kind": 0.2},
                  metrics={"price": ["mae"], "kind": ["accuracy"]})
    history = model.fit({"a": XA, "b": XB}, {"price": PRICE, "kind": KIND}, epochs=2,
                        batch_size=8, verbose=0, validation_split=0.25)
    assert sorted(history.history) == sorted(
        ["loss", "price_loss", "kind_loss", "price_mae", "kind_accuracy", "val_loss",
         "val_price_loss", "val_kind_loss", "val_price_mae", "val_kind_accuracy"])
    scores = model.evaluate([XA, XB], [PRICE, KIND], verbose=0, return_dict=True)
    price, kind = model.predict({"a": XA, "b": XB}, verbose=0)
    mse = float(np.mean((price - PRICE) ** 2))
    ce = float(np.mean(-np.log(np.clip(kind[np.arange(N), KIND], 1e-7, 1))))
    assert scores["price_loss"] == pytest.approx(mse, rel=1e-4)
    assert scores["kind_loss"] == pytest.approx(ce, rel=1e-4)
    assert scores["loss"] == pytest.approx(mse + 0.2 * ce, rel=1e-4)  # the weighted total
    assert scores["price_mae"] == pytest.approx(float(np.mean(np.abs(price - PRICE))), rel=1e-4)
    assert scores["kind_accuracy"] == pytest.approx(float(np.mean(kind.argmax(1) == KIND)))
    as_list = model.evaluate([XA, XB], [PRICE, KIND], verbose=0)
    assert as_list == pytest.approx([scores[k] for k in ("loss", "price_loss", "kind_loss",
                                                         "price_mae", "kind_accuracy")])


def test_list_forms_and_one_loss_for_every_output():
    model = two_headed()
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[0.5, 1.0], metrics=[["mae"], ["accuracy"]])
    first = model.evaluate([XA, XB], [PRICE, KIND], verbose=0, return_dict=True)
    assert first["loss"] == pytest.approx(0.5 * first["price_loss"] + first["kind_loss"],
                                          rel=1e-5)
    model.fit([XA, XB], [PRICE, KIND], epochs=3, verbose=0)
    assert model.evaluate([XA, XB], [PRICE, KIND], verbose=0, return_dict=True)["loss"] < \
        first["loss"]
    same = two_headed()
    same.compile(optimizer="sgd", loss="mse")  # one loss, used for each output
    onehot = np.eye(3, dtype="float32")[KIND]
    scores = same.evaluate([XA, XB], [PRICE, onehot], verbose=0, return_dict=True)
    assert scores["loss"] == pytest.approx(scores["price_loss"] + scores["kind_loss"], rel=1e-5)


def test_an_output_without_a_loss_is_not_trained():
    model = two_headed()
    model.compile(optimizer=nn.optimizers.SGD(0.1), loss={"price": "mse"})
    head = model.get_layer("kind")
    before = [w.copy() for w in head.get_weights()]
    history = model.fit([XA, XB], {"price": PRICE}, epochs=2, verbose=0)
    assert "kind_loss" not in history.history or all(
        v == 0 for v in history.history["kind_loss"])
    for w, b in zip(head.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)


def test_sample_weight_per_output():
    model = two_headed()
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"])
    weights = np.zeros(N, dtype="float32")
    weights[:4] = 1.0
    scores = model.evaluate([XA, XB], [PRICE, KIND], verbose=0, return_dict=True,
                            sample_weight={"price": weights, "kind": np.ones(N)})
    price, _ = model.predict([XA, XB], verbose=0)
    # sum_over_batch_size: the weighted sum over the batch size, as Keras
    expected = float(np.sum(weights * ((price - PRICE) ** 2)[:, 0]) / N)
    assert scores["price_loss"] == pytest.approx(expected, rel=1e-4)


def test_mistakes_get_messages_naming_the_outputs():
    model = two_headed()
    with pytest.raises(ValueError, match=r"list with one list per output"):
        model.compile(optimizer="sgd", loss=["mse", "mse"], metrics=["mae"])
    with pytest.raises(ValueError, match=r"names outputs \['prize'\]"):
        model.compile(optimizer="sgd", loss={"prize": "mse"})
    with pytest.raises(ValueError, match="3 entries but the model has 2 outputs"):
        model.compile(optimizer="sgd", loss=["mse", "mse", "mse"])
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match="one entry per output"):
        model.fit([XA, XB], PRICE, verbose=0)
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        model.predict({"a": XA}, verbose=0)
    with pytest.raises(ValueError, match="must be a number >= 0"):
        model.compile(optimizer="sgd", loss="mse", loss_weights=[1.0, -1.0])


def test_a_compiled_multi_output_model_saves_weights_and_compile_settings(tmp_path):
    model = two_headed()
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5])
    model.fit([XA, XB], [PRICE, KIND], epochs=1, verbose=0)
    path = tmp_path / "two.gradstack"
    model.save(path)
    loaded = nn.models.load_model(path)
    assert loaded.compiled
    for got, expected in zip(loaded.predict([XA, XB], verbose=0),
                             model.predict([XA, XB], verbose=0), strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    logs = loaded.evaluate([XA, XB], [PRICE, KIND], verbose=0, return_dict=True)
    parts = [value for name, value in logs.items() if name.endswith("_loss")]
    assert logs["loss"] == pytest.approx(parts[0] + 0.5 * parts[1], rel=1e-5)


def test_single_output_models_keep_model_loss():
    model = nn.Sequential([nn.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert isinstance(model.loss, nn.losses.MeanSquaredError)
    history = model.fit(XA, PRICE, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]


def test_the_functional_guide_ticket_model_runs_as_written():
    # keras.io "The Functional API", "Models with multiple inputs and outputs", with the
    # imports changed and the sizes made small (num_words, samples, lengths, units).
    keras = nn
    num_tags, num_words, num_departments = 12, 500, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 16)(title_input)
    body_features = layers.Embedding(num_words, 16)(body_input)
    title_features = layers.LSTM(16)(title_features)
    body_features = layers.LSTM(8)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input],
                        outputs={"priority": priority_pred, "department": department_pred})
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    title_data = np.random.randint(num_words, size=(64, 10))
    body_data = np.random.randint(num_words, size=(64, 20))
    tags_data = np.random.randint(2, size=(64, num_tags)).astype("float32")
    priority_targets = np.random.random(size=(64, 1))
    dept_targets = np.random.randint(2, size=(64, num_departments))
    history = model.fit({"title": title_data, "body": body_data, "tags": tags_data},
                        {"priority": priority_targets, "department": dept_targets},
                        epochs=2, batch_size=32, verbose=0)
    assert sorted(history.history) == ["department_loss", "loss", "priority_loss"]
    assert all(np.isfinite(v) for v in history.history["loss"])
    out = model.predict({"title": title_data, "body": body_data, "tags": tags_data}, verbose=0)
    assert sorted(out) == ["department", "priority"] and out["department"].shape == (64, 4)
