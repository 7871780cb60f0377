"""Config helpers (issue 15 section 5): to_json / model_from_json, clone_model,
custom_object_scope, layers.serialize / deserialize, and a subclassed model with
Keras's documented ``from_config(cls, config)`` loaded with custom_objects."""

import json
import threading

import numpy as np
import pytest

import nn
from nn import layers

RNG = np.random.default_rng(11)


def functional_model():
    inputs = nn.Input((4,), name="x")
    hidden = layers.Dense(8, activation="relu")(inputs)
    return nn.Model(inputs, [layers.Dense(2, name="a")(hidden), layers.Dense(1, name="b")(hidden)])


def test_to_json_and_back_gives_the_same_architecture_with_new_weights():
    for model in (nn.Sequential([nn.Input((4,)), layers.Dense(3, activation="tanh"),
                                 layers.Dense(1)]), functional_model()):
        text = model.to_json(indent=2)
        assert json.loads(text)["class_name"] in ("Sequential", "Functional")
        again = nn.models.model_from_json(text)
        assert type(again) is type(model)
        assert [w.shape for w in again.get_weights()] == [w.shape for w in model.get_weights()]
        assert [layer.get_config()["name"] for layer in again.layers] == \
            [layer.get_config()["name"] for layer in model.layers]
        again.set_weights(model.get_weights())
        x = RNG.normal(size=(5, 4)).astype("float32")
        got, expected = again.predict(x, verbose=0), model.predict(x, verbose=0)
        for a, b in zip(got if isinstance(got, list) else [got],
                        expected if isinstance(expected, list) else [expected], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    with pytest.raises(ValueError, match="not valid JSON"):
        nn.models.model_from_json("{nope")


def test_clone_model_has_new_weights_and_the_same_outputs_once_copied():
    nn.utils.set_random_seed(0)
    model = nn.Sequential([nn.Input((4,)), layers.Dense(3), layers.Dense(1)])
    clone = nn.models.clone_model(model)
    assert clone is not model and clone.layers[0] is not model.layers[0]
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])
    clone.set_weights(model.get_weights())
    x = RNG.normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    f = functional_model()
    assert [w.shape for w in nn.models.clone_model(f).get_weights()] == \
        [w.shape for w in f.get_weights()]


def test_clone_function_changes_layers_on_the_way():
    model = nn.Sequential([nn.Input((4,)), layers.Dense(3, activation="relu"),
                           layers.Dropout(0.5), layers.Dense(1)])

    def no_dropout(layer):
        if isinstance(layer, layers.Dropout):
            return layers.Dropout(0.0)
        return type(layer).from_config(layer.get_config())

    clone = nn.models.clone_model(model, clone_function=no_dropout)
    assert [type(layer).__name__ for layer in clone.layers] == ["Dense", "Dropout", "Dense"]
    assert clone.layers[1].rate == 0.0 and clone.input_shape == (None, 4)
    with pytest.raises(NotImplementedError, match="Sequential"):
        nn.models.clone_model(functional_model(), clone_function=no_dropout)


class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_object_scope_resolves_names_for_loading_and_is_per_thread(tmp_path):
    model = nn.Sequential([nn.Input((2,)), Scale(3.0, name="scale")])
    path = tmp_path / "scale.gradstack"
    model.save(path)
    with pytest.raises(nn.saving.SavedFileError, match="Scale"):
        nn.models.load_model(path)
    seen_in_other_thread = []
    with nn.utils.custom_object_scope({"Scale": Scale}):
        loaded = nn.models.load_model(path)
        worker = threading.Thread(target=lambda: seen_in_other_thread.append(
            "Scale" in nn.saving.registry.scoped_objects()))
        worker.start()
        worker.join()
    assert seen_in_other_thread == [False]
    assert loaded.predict(np.ones((1, 2)), verbose=0).tolist() == [[3.0, 3.0]]
    with nn.saving.CustomObjectScope({"Scale": Scale}):
        again = nn.layers.deserialize(nn.layers.serialize(Scale(5.0)))
    assert isinstance(again, Scale) and again.factor == 5.0
    with pytest.raises(KeyError, match="Unknown class 'Scale'"):
        nn.layers.deserialize({"class_name": "Scale", "config": {}})


class Residual(nn.Model):
    """A subclassed model with Keras's documented from_config(cls, config)."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, x):
        return x + self.dense(x)

    def get_config(self):
        return {"units": self.units, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def test_load_model_with_a_subclassed_model_whose_from_config_takes_only_config(tmp_path):
    model = Residual(4, name="res")
    x = RNG.normal(size=(2, 4)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "res.gradstack"
    model.save(path)
    loaded = nn.models.load_model(path, custom_objects={"Residual": Residual})
    assert isinstance(loaded, Residual)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
