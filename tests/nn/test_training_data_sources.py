"""fit / evaluate / predict on what yields batches (issue 15 section 5): generators with
steps_per_epoch, tf.data-style datasets, keras.utils.PyDataset / Sequence objects;
validation_steps and validation_freq; a model with nothing to train."""

import numpy as np
import pytest

import autograd as tf
import nn
from nn import layers

RNG = np.random.default_rng(4)
X = RNG.normal(size=(64, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")


def model():
    nn.utils.set_random_seed(0)
    m = nn.Sequential([nn.Input((3,)), layers.Dense(1)])
    m.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    return m


class Batches(nn.utils.PyDataset):
    """keras.io's PyDataset pattern: __len__ and __getitem__(i) -> (x, y)."""

    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_a_generator_needs_steps_per_epoch_and_continues_across_epochs():
    seen = []

    def forever():
        i = 0
        while True:
            seen.append(i)
            yield X[i % 4 * 16:(i % 4 + 1) * 16], Y[i % 4 * 16:(i % 4 + 1) * 16]
            i += 1

    m = model()
    with pytest.raises(ValueError, match="steps_per_epoch"):
        m.fit(forever(), epochs=1, verbose=0)
    history = m.fit(forever(), steps_per_epoch=4, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    gen = forever()
    seen.clear()
    m.fit(gen, steps_per_epoch=3, epochs=2, verbose=0)
    assert seen == list(range(6))  # one generator, six batches, nothing drawn twice


def test_the_same_batches_as_arrays_give_the_same_training():
    on_arrays, on_dataset = model(), model()
    on_arrays.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
    on_dataset.fit(dataset, epochs=2, verbose=0)
    for a, b in zip(on_arrays.get_weights(), on_dataset.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert on_dataset.evaluate(dataset, verbose=0) == pytest.approx(
        on_arrays.evaluate(X, Y, batch_size=16, verbose=0), rel=1e-6)
    np.testing.assert_allclose(on_dataset.predict(dataset, verbose=0),
                               on_arrays.predict(X, verbose=0), rtol=1e-6)


def test_a_pydataset_runs_every_batch_and_gets_on_epoch_end():
    data = Batches(X, Y, 10)
    m = model()
    history = m.fit(data, epochs=2, verbose=0, validation_data=Batches(X[:20], Y[:20], 10))
    assert data.epochs_ended == 2
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert m.predict(data, verbose=0).shape == (64, 1)


def test_steps_validation_steps_and_validation_freq_on_arrays():
    m = model()
    counted = []
    batches = nn.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: counted.append(b))
    history = m.fit(X, Y, batch_size=8, epochs=4, steps_per_epoch=3, verbose=0,
                    validation_data=(X, Y), validation_steps=2, validation_freq=2,
                    callbacks=[batches])
    assert counted == [0, 1, 2] * 4
    assert len(history.history["val_loss"]) == 2  # after epochs 2 and 4
    expected = m.evaluate(X[:16], Y[:16], batch_size=8, verbose=0)[0]
    assert history.history["val_loss"][-1] == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="validation_freq"):
        m.fit(X, Y, epochs=1, verbose=0, validation_freq=0)
    with pytest.raises(ValueError, match="batches carry their targets"):
        m.fit(tf.data.Dataset.from_tensor_slices((X, Y)).batch(8), Y, verbose=0)


def test_a_model_without_trainable_weights_trains_nothing_and_logs_its_loss():
    frozen = model()
    frozen.layers[0].trainable = False
    before = frozen.get_weights()
    history = frozen.fit(X, Y, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    for a, b in zip(frozen.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_every_n_batches_counts_across_epochs(tmp_path):
    m = model()
    pattern = str(tmp_path / "ckpt-{epoch}-{batch}.weights.gradstack")
    checkpoint = nn.callbacks.ModelCheckpoint(pattern, save_weights_only=True, save_freq=3)
    m.fit(X, Y, batch_size=16, epochs=2, verbose=0, callbacks=[checkpoint])  # 4 batches each
    saved = sorted(p.name for p in tmp_path.iterdir())
    # the 3rd and 6th batches seen: epoch 1's batch 3, then epoch 2's batch 2
    assert saved == ["ckpt-1-3.weights.gradstack", "ckpt-2-2.weights.gradstack"]
    with pytest.raises(ValueError, match="positive number of batches"):
        nn.callbacks.ModelCheckpoint("x.gradstack", save_freq=0)


def test_tensorboard_says_what_to_use_instead():
    with pytest.raises(NotImplementedError, match=r"CSVLogger.*history.plot\(\)"):
        nn.callbacks.TensorBoard(log_dir="./logs")


class Interrupt(nn.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt("the machine went away")


def momentum_model():
    nn.utils.set_random_seed(0)
    m = nn.Sequential([nn.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    m.compile(optimizer=nn.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    return m


def test_backup_and_restore_continues_an_interrupted_fit_exactly(tmp_path):
    straight = momentum_model()
    straight.fit(X, Y, batch_size=16, epochs=4, shuffle=False, verbose=0)

    resumed = momentum_model()
    backup = nn.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        resumed.fit(X, Y, batch_size=16, epochs=4, shuffle=False, verbose=0,
                    callbacks=[backup, Interrupt(at_epoch=1)])
    assert (tmp_path / "backup" / "backup.gradstack").exists()
    again = momentum_model()  # a fresh process would rebuild the model like this
    epochs_run = []
    history = again.fit(X, Y, batch_size=16, epochs=4, shuffle=False, verbose=0,
                        callbacks=[backup, nn.callbacks.LambdaCallback(
                            on_epoch_begin=lambda e, logs: epochs_run.append(e))])
    assert epochs_run == [2, 3] and len(history.history["loss"]) == 2
    for a, b in zip(again.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)  # momentum restored too
    assert not (tmp_path / "backup" / "backup.gradstack").exists()  # deleted when done
