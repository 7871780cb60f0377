"""Saving and loading: exact round trips, exact resumption, atomic writes, and
clear errors for files that do not fit."""

import os

import numpy as np
import pytest
from training_helpers import TinyMLP, blobs

import nn.utils
import optim
from nn import callbacks, losses
from nn.saving import SavedFileError, load_model, register_serializable

pytestmark = pytest.mark.training

CUSTOM = {"TinyMLP": TinyMLP}


def trained(seed=0, epochs=1, optimizer=None, metrics=("accuracy",)):
    nn.utils.set_random_seed(seed)
    x, y = blobs(n=64)
    model = TinyMLP((8, 3), output_activation="softmax")
    model.compile(optimizer or optim.Adam(0.01), "sparse_categorical_crossentropy",
                  list(metrics))
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
    return model, x, y


def test_round_trip_predicts_bit_for_bit_and_keeps_compile_state(tmp_path):
    model, x, y = trained()
    path = tmp_path / "model.gradstack"
    model.save(path)
    again = load_model(path, custom_objects=CUSTOM)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert again.optimizer.get_config() == model.optimizer.get_config()
    assert isinstance(again.loss, losses.SparseCategoricalCrossentropy)
    assert again.optimizer.iterations == model.optimizer.iterations == 4
    state, again_state = model.optimizer.get_state(), again.optimizer.get_state()
    assert list(again_state) == list(state)
    for key, value in state.items():
        np.testing.assert_array_equal(again_state[key], value)
    assert again.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


@pytest.mark.parametrize("optimizer", [
    lambda: optim.Adam(0.01),
    lambda: optim.SGD(optim.ExponentialDecay(0.1, 3, 0.5), momentum=0.9),
    lambda: optim.RMSprop(0.01, centered=True, momentum=0.5),
])
def test_resuming_from_a_save_continues_exactly(tmp_path, optimizer):
    x, y = blobs(n=64)

    nn.utils.set_random_seed(11)
    straight = TinyMLP((8, 3), output_activation="softmax")
    straight.compile(optimizer(), "sparse_categorical_crossentropy", ["accuracy"])
    h_straight = straight.fit(x, y, epochs=2, batch_size=16, verbose=0)

    nn.utils.set_random_seed(11)
    first = TinyMLP((8, 3), output_activation="softmax")
    first.compile(optimizer(), "sparse_categorical_crossentropy", ["accuracy"])
    first.fit(x, y, epochs=1, batch_size=16, verbose=0)
    first.save(tmp_path / "half.gradstack")
    resumed = load_model(tmp_path / "half.gradstack", custom_objects=CUSTOM)
    h_resumed = resumed.fit(x, y, epochs=2, initial_epoch=1, batch_size=16, verbose=0)

    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=False):
        np.testing.assert_array_equal(a, b)
    assert h_resumed.history["loss"] == h_straight.history["loss"][1:]


def test_save_writes_exactly_the_path_given(tmp_path):
    model, _, _ = trained()
    # (.keras and .h5 mean Keras's formats: tests/nn/test_saving_keras.py)
    for name in ("model.bin", "weights", "m.data"):
        model.save(tmp_path / name)
    model.save_weights(tmp_path / "w.weights.gradstack")
    assert sorted(os.listdir(tmp_path)) == ["m.data", "model.bin", "w.weights.gradstack",
                                            "weights"]


def test_weights_round_trip_and_wrong_architecture(tmp_path):
    model, x, _ = trained()
    path = tmp_path / "w.weights.gradstack"
    model.save_weights(path)
    nn.utils.set_random_seed(5)
    fresh = TinyMLP((8, 3), output_activation="softmax")
    fresh.build(x.shape)
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))

    other = TinyMLP((9, 3))
    other.build(x.shape)
    with pytest.raises(SavedFileError, match=r"shape \(4, 8\) in the file but \(4, 9\)"):
        other.load_weights(path)
    deeper = TinyMLP((8, 8, 3))
    deeper.build(x.shape)
    with pytest.raises(SavedFileError, match="holds 4 weights but the model has 6"):
        deeper.load_weights(path)


def test_load_model_of_a_weights_file_says_so(tmp_path):
    model, _, _ = trained()
    model.save_weights(tmp_path / "w")
    with pytest.raises(SavedFileError, match="load_weights"):
        load_model(tmp_path / "w", custom_objects=CUSTOM)


def test_unregistered_class_is_refused_and_registration_allows_it(tmp_path):
    @register_serializable()
    class RegisteredMLP(TinyMLP):
        pass

    nn.utils.set_random_seed(0)
    x, _ = blobs(n=8)
    model = RegisteredMLP((3,))
    model.build(x.shape)
    model.save(tmp_path / "r")
    assert isinstance(load_model(tmp_path / "r"), RegisteredMLP)

    plain = TinyMLP((3,))
    plain.build(x.shape)
    plain.save(tmp_path / "p")
    with pytest.raises(SavedFileError, match="TinyMLP"):
        load_model(tmp_path / "p")


def test_custom_loss_function_needs_custom_objects(tmp_path):
    def my_loss(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean(axis=-1)

    nn.utils.set_random_seed(0)
    x, y = blobs(n=16)
    model = TinyMLP((1,))
    model.compile("sgd", my_loss)
    model.fit(x, y[:, None].astype(np.float32), verbose=0)
    model.save(tmp_path / "c")
    with pytest.warns(UserWarning, match=r"custom loss 'my_loss'.*custom_objects"):
        bare = load_model(tmp_path / "c", custom_objects=CUSTOM)
    assert not bare.compiled
    full = load_model(tmp_path / "c", custom_objects={**CUSTOM, "my_loss": my_loss})
    assert full.compiled and full.loss.fn is my_loss


def test_loading_does_not_consume_random_numbers(tmp_path):
    model, _, _ = trained()
    model.save(tmp_path / "m")
    nn.utils.set_random_seed(3)
    load_model(tmp_path / "m", custom_objects=CUSTOM)
    after_load = nn.utils.random.autograd.get_generator().random()
    nn.utils.set_random_seed(3)
    assert nn.utils.random.autograd.get_generator().random() == after_load


# ------------------------------------------------------------------ atomic writes


def test_interrupted_save_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    model, x, _ = trained()
    path = tmp_path / "m.gradstack"
    model.save(path)
    before = path.read_bytes()
    trained(seed=1)[0]  # change nothing in `model`; just another model
    model.fit(x, np.zeros(len(x), int), verbose=0)  # new weights to save

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gradstack"]

    def fail_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail_fsync)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gradstack"]


def test_save_to_a_missing_folder_explains(tmp_path):
    model, _, _ = trained()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "nope" / "m.gradstack")


def test_model_checkpoint_files_load(tmp_path):
    model, x, y = trained()
    model.fit(x, y, epochs=2, validation_split=0.25, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "best"), save_best_only=True)])
    assert isinstance(load_model(tmp_path / "best", custom_objects=CUSTOM), TinyMLP)


def test_a_registered_custom_schedule_is_saved_and_restored(tmp_path):
    @register_serializable()
    class HalfEveryStep(optim.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return self.start * 0.5**step

        def get_config(self):
            return {"start": self.start}

    model, x, y = trained(optimizer=optim.SGD(HalfEveryStep(0.4)))
    model.save(tmp_path / "s")
    again = load_model(tmp_path / "s", custom_objects=CUSTOM)
    assert isinstance(again.optimizer._learning_rate, HalfEveryStep)
    assert again.optimizer.learning_rate == model.optimizer.learning_rate == 0.4 * 0.5**4


def test_keras_name_of_the_register_decorator():
    import nn

    assert nn.saving.register_keras_serializable is nn.saving.register_serializable
