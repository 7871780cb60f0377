"""Embedding, masking and the recurrent layers: shapes, Keras semantics, masking,
state handling, saving and the errors learners meet."""

import numpy as np
import pytest

import autograd
import nn
from nn import layers
from nn.layers.masking import get_mask

pytestmark = pytest.mark.layers


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("cls, states", [(layers.SimpleRNN, 1), (layers.LSTM, 2),
                                         (layers.GRU, 1)])
def test_return_sequences_and_return_state_shapes(cls, states):
    out = cls(4, return_sequences=True, return_state=True)(_x(2, 5, 3))
    assert len(out) == 1 + states
    assert out[0].shape == (2, 5, 4)
    assert all(s.shape == (2, 4) for s in out[1:])
    # the last output is the final hidden state
    np.testing.assert_allclose(out[0].numpy()[:, -1], out[1].numpy())


@pytest.mark.parametrize("cls", [layers.SimpleRNN, layers.LSTM, layers.GRU])
def test_fused_layer_equals_the_cell_stepped_by_hand(cls):
    layer = cls(4, return_sequences=True)
    x = _x(2, 5, 3)
    fused = layer(x).numpy()
    cell = layer.cell
    states = [np.zeros((2, 4), "float32") for _ in np.atleast_1d(cell.state_size)]
    for t in range(5):
        out, states = cell(x[:, t], states)
        np.testing.assert_allclose(fused[:, t], out.numpy(), rtol=1e-5, atol=1e-6)


def test_rnn_with_a_builtin_cell_matches_the_layer():
    lstm = layers.LSTM(3, return_sequences=True)
    x = _x(2, 4, 5)
    expected = lstm(x).numpy()
    rnn = layers.RNN(layers.LSTMCell(3), return_sequences=True)
    rnn(x)
    rnn.set_weights(lstm.get_weights())
    np.testing.assert_allclose(rnn(x).numpy(), expected, rtol=1e-6)


def test_rnn_steps_a_users_own_cell_and_its_gradient_flows():
    class Accumulate(nn.layers.Layer):
        state_size = 2

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="w")

        def call(self, x, states):
            h = x @ self.w + states[0]
            return h, [h]

    layer = layers.RNN(Accumulate(), return_sequences=True)
    x = np.ones((1, 3, 2), "float32")
    out = layer(x)
    np.testing.assert_allclose(out.numpy()[0, :, 0], [2, 4, 6])
    out.sum().backward()
    assert layer.weights[0].grad is not None


def test_go_backwards_reads_from_the_end_and_returns_reversed_outputs():
    forward = layers.GRU(3, return_sequences=True)
    x = _x(2, 6, 4)
    forward(x)
    backward = layers.GRU(3, return_sequences=True, go_backwards=True)
    backward(x)
    backward.set_weights(forward.get_weights())
    np.testing.assert_allclose(backward(x).numpy(), forward(x[:, ::-1].copy()).numpy(),
                               rtol=1e-6)


def test_initial_state_is_used_and_gets_a_gradient():
    layer = layers.LSTM(3)
    h0 = autograd.tensor(_x(2, 3, seed=1), requires_grad=True)
    c0 = autograd.tensor(_x(2, 3, seed=2), requires_grad=True)
    x = _x(2, 4, 5)
    zero_start = layer(x).numpy()
    out = layer(x, initial_state=[h0, c0])
    assert not np.allclose(out.numpy(), zero_start)
    out.sum().backward()
    assert h0.grad is not None and c0.grad is not None


def test_stateful_layer_continues_from_the_last_batch_until_reset():
    layer = layers.SimpleRNN(3, stateful=True)
    x = _x(2, 4, 2)
    first = layer(x).numpy()
    second = layer(x).numpy()
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)
    # two halves of a sequence, fed one after the other, equal the whole sequence
    whole = layers.SimpleRNN(3)
    whole(np.concatenate([x, x], axis=1))
    whole.set_weights(layer.get_weights())
    layer.reset_states()
    layer(x)
    np.testing.assert_allclose(layer(x).numpy(), whole(np.concatenate([x, x], 1)).numpy(),
                               rtol=1e-5)


def test_dropout_only_in_training_and_the_same_mask_at_every_step():
    layer = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=3)
    x = _x(3, 5, 6)
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
    assert not np.allclose(layer(x, training=True).numpy(), layer(x).numpy())


def test_lstm_forget_bias_starts_at_one():
    layer = layers.LSTM(2)
    layer(_x(1, 2, 3))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])


def test_recurrent_kernel_is_orthogonal_by_default():
    layer = layers.GRU(4)
    layer(_x(1, 2, 3))
    u = layer.cell.recurrent_kernel.numpy()  # (4, 12): its rows are orthonormal
    np.testing.assert_allclose(u @ u.T, np.eye(4), atol=1e-5)


# ------------------------------------------------------------------ masking


def test_embedding_mask_zero_makes_the_lstm_skip_padding():
    nn.clear_session()
    embed = layers.Embedding(10, 4, mask_zero=True)
    lstm = layers.LSTM(3, return_sequences=True)
    padded = np.array([[3, 5, 0, 0], [2, 0, 0, 0]])
    seq = lstm(embed(padded)).numpy()
    # after the last real token the state (and output) is carried unchanged
    np.testing.assert_array_equal(seq[0, 2], seq[0, 1])
    np.testing.assert_array_equal(seq[1, 3], seq[1, 0])
    short = layers.LSTM(3)
    short(embed(np.array([[3, 5]])))
    short.set_weights(lstm.get_weights())
    np.testing.assert_allclose(short(embed(np.array([[3, 5]]))).numpy()[0], seq[0, 3],
                               rtol=1e-6)


def test_masked_steps_get_no_gradient():
    embed = layers.Embedding(10, 4, mask_zero=True)
    lstm = layers.GRU(3)
    ids = np.array([[3, 5, 0]])
    lstm(embed(ids)).sum().backward()
    assert np.all(embed.embeddings.grad.numpy()[0] == 0)  # id 0 is padding: no gradient
    assert np.any(embed.embeddings.grad.numpy()[3] != 0)


def test_masking_layer_masks_steps_equal_to_the_mask_value():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
    out = layers.Masking()(x)
    np.testing.assert_array_equal(get_mask(out), [[True, False, True]])
    seq = layers.SimpleRNN(2, return_sequences=True)(out).numpy()
    np.testing.assert_array_equal(seq[0, 1], seq[0, 0])


def test_explicit_mask_of_the_wrong_shape_is_explained():
    with pytest.raises(ValueError, match=r"mask has shape \(2, 3\).*mask of shape \(2, 4\)"):
        layers.LSTM(3)(_x(2, 4, 5), mask=np.ones((2, 3), bool))


# ------------------------------------------------------------------ wrappers


@pytest.mark.parametrize("merge_mode, width", [("concat", 6), ("sum", 3), ("mul", 3),
                                               ("ave", 3)])
def test_bidirectional_merges_a_forward_and_a_reversed_pass(merge_mode, width):
    layer = layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode=merge_mode)
    x = _x(2, 5, 4)
    out = layer(x).numpy()
    assert out.shape == (2, 5, width)
    fwd = layer.forward_layer(x).numpy()
    bwd = layer.backward_layer(x).numpy()[:, ::-1]
    expected = {"concat": np.concatenate([fwd, bwd], -1), "sum": fwd + bwd,
                "mul": fwd * bwd, "ave": (fwd + bwd) / 2}[merge_mode]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert [w.shape for w in layer.weights][:3] == [(4, 9), (3, 9), (2, 9)]
    assert len(layer.weights) == 6


def test_bidirectional_return_state_and_no_merge():
    out = layers.Bidirectional(layers.LSTM(3, return_state=True), merge_mode=None)(_x(2, 5, 4))
    assert [o.shape for o in out] == [(2, 3)] * 6


def test_time_distributed_applies_one_layer_to_every_step():
    dense = layers.Dense(2)
    layer = layers.TimeDistributed(dense)
    x = _x(3, 4, 5)
    out = layer(x).numpy()
    np.testing.assert_allclose(out[:, 2], dense(x[:, 2]).numpy(), rtol=1e-6)
    assert layer.compute_output_shape((None, 4, 5)) == (None, 4, 2)


# ------------------------------------------------------------------ models, summary, saving


def test_summary_shows_keras_shapes_and_parameter_counts(capsys):
    nn.clear_session()
    model = nn.Sequential([
        nn.Input(shape=(50,)),
        layers.Embedding(1000, 64),
        layers.LSTM(128, return_sequences=True),
        layers.Bidirectional(layers.GRU(32)),
        layers.Dense(1),
    ])
    model.summary()
    text = capsys.readouterr().out
    # Keras: 64000, 4*(64*128 + 128*128 + 128) = 98816, 2 * 3*(128*32 + 32*32 + 2*32) = 31104
    for expected in ("(None, 50, 64)", "64000", "(None, 50, 128)", "98816", "(None, 64)",
                     "31104", "Total params: 193,985"):
        assert expected in text


def test_save_and_load_round_trip(tmp_path):
    nn.clear_session()
    model = nn.Sequential([
        nn.Input(shape=(6,)),
        layers.Embedding(20, 4, mask_zero=True),
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.GRU(2, reset_after=False, go_backwards=True),
        layers.Dense(1),
    ])
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]])
    expected = model(ids).numpy()
    model.save(tmp_path / "seq.gradstack")
    loaded = nn.load_model(tmp_path / "seq.gradstack")
    np.testing.assert_allclose(loaded(ids).numpy(), expected, rtol=1e-6)
    assert loaded.layers[2].reset_after is False and loaded.layers[2].go_backwards


def test_an_embedding_lstm_model_learns_a_memory_task():
    # label = whether token 1 appears anywhere in the sequence: needs memory
    rng = np.random.default_rng(0)
    ids = rng.integers(2, 6, size=(256, 8))
    labels = rng.random(256) < 0.5
    where = rng.integers(0, 8, size=256)
    ids[labels, where[labels]] = 1
    autograd.manual_seed(0)
    model = nn.Sequential([nn.Input(shape=(8,)), layers.Embedding(6, 8), layers.LSTM(8),
                           layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=nn.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(ids, labels.astype("float32"), epochs=15, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95


# ------------------------------------------------------------------ learner errors


def test_a_2d_input_to_an_lstm_is_explained():
    with pytest.raises(ValueError, match=r"3-D input of shape \(batch, steps, features\).*"
                                         r"x\[\.\.\., None\].*Embedding"):
        layers.LSTM(4)(np.ones((8, 10)))


def test_float_ids_into_an_embedding_are_explained():
    with pytest.raises(ValueError, match="Embedding layer 'emb': ids must be integers.*Dense"):
        layers.Embedding(10, 2, name="emb")(np.array([[0.5, 1.5]]))


def test_ids_past_the_vocabulary_are_explained():
    with pytest.raises(ValueError, match=r"id 10 is out of range.*\[0, 9\].*input_dim=10"):
        layers.Embedding(10, 2)(np.array([[3, 10]]))


def test_wrong_number_of_initial_states_is_explained():
    with pytest.raises(ValueError, match=r"2 state\(s\).*LSTM takes \[h, c\]"):
        layers.LSTM(3)(_x(2, 4, 5), initial_state=[np.zeros((2, 3))])
