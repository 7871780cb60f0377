"""MultiHeadAttention, Attention, AdditiveAttention: masks, shapes, errors, saving.
(Values and gradients against Keras 3 are in tests/reference.)"""

import numpy as np
import pytest

import autograd
import nn
from nn import layers

pytestmark = pytest.mark.layers


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_mha_weights_have_keras_shapes_and_order():
    mha = layers.MultiHeadAttention(num_heads=4, key_dim=8, value_dim=6, output_shape=10)
    mha(_x(2, 5, 16), _x(2, 7, 12))
    assert [w.shape for w in mha.weights] == [
        (16, 4, 8), (4, 8), (12, 4, 8), (4, 8), (12, 4, 6), (4, 6), (4, 6, 10), (10,)]


def test_mha_equals_attention_written_out_with_numpy():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    q, v = _x(2, 4, 5), _x(2, 6, 5, seed=1)
    out = mha(q, v).numpy()
    wq, bq, wk, bk, wv, bv, wo, bo = mha.get_weights()
    heads = []
    for h in range(2):
        qh, kh, vh = q @ wq[:, h] + bq[h], v @ wk[:, h] + bk[h], v @ wv[:, h] + bv[h]
        s = qh @ kh.transpose(0, 2, 1) / np.sqrt(3)
        w = np.exp(s - s.max(-1, keepdims=True))
        heads.append((w / w.sum(-1, keepdims=True)) @ vh)
    expected = sum(heads[h] @ wo[h] for h in range(2)) + bo
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_causal_mask_hides_the_future():
    mha = layers.MultiHeadAttention(2, 4)
    x = _x(1, 6, 8)
    out, scores = mha(x, x, use_causal_mask=True, return_attention_scores=True)
    assert np.all(np.triu(scores.numpy()[0, 0], k=1) < 1e-7)
    changed = x.copy()
    changed[0, 4:] += 5.0
    np.testing.assert_allclose(mha(changed, changed, use_causal_mask=True).numpy()[0, :4],
                               out.numpy()[0, :4], rtol=1e-5)


def test_padded_keys_change_nothing_for_real_queries():
    nn.clear_session()
    embed = layers.Embedding(10, 8, mask_zero=True)
    mha = layers.MultiHeadAttention(2, 4)
    padded = embed(np.array([[3, 5, 7, 0, 0]]))
    short = embed(np.array([[3, 5, 7]]))
    np.testing.assert_allclose(mha(padded, padded).numpy()[0, :3],
                               mha(short, short).numpy()[0], rtol=1e-5, atol=1e-6)


def test_attention_mask_argument_and_its_shape_error():
    mha = layers.MultiHeadAttention(1, 2)
    x = _x(2, 3, 4)
    allowed = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]], bool)[None].repeat(2, 0)
    _, scores = mha(x, x, attention_mask=allowed, return_attention_scores=True)
    np.testing.assert_array_less(scores.numpy()[:, 0][~allowed], 1e-7)
    with pytest.raises(ValueError, match=r"attention_mask has shape \(2, 4\).*\(2, 3, 3\)"):
        mha(x, x, attention_mask=np.ones((2, 4), bool))


def test_attention_scores_are_differentiable():
    mha = layers.MultiHeadAttention(2, 2)
    x = autograd.tensor(_x(1, 3, 4), requires_grad=True)
    _, scores = mha(x, x, return_attention_scores=True)
    (scores * autograd.tensor(_x(1, 2, 3, 3))).sum().backward()
    assert x.grad is not None and np.any(x.grad.numpy() != 0)


def test_mha_without_value_is_explained():
    with pytest.raises(ValueError, match=r"needs a value.*layer\(x, x\)"):
        layers.MultiHeadAttention(2, 2)(_x(1, 3, 4))


def test_dot_and_additive_attention_shapes_and_scores():
    q, v = _x(2, 3, 4), _x(2, 5, 4, seed=1)
    out, w = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (2, 3, 4) and w.shape == (2, 3, 5)
    np.testing.assert_allclose(w.numpy().sum(-1), 1, rtol=1e-6)
    assert layers.AdditiveAttention()([q, v]).shape == (2, 3, 4)


def test_transformer_block_saves_and_loads(tmp_path):
    nn.clear_session()
    inputs = nn.Input(shape=(6,))
    x = layers.Embedding(20, 8)(inputs)
    a = layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)
    x = layers.LayerNormalization()(layers.Add()([x, a]))
    outputs = layers.Dense(20)(x)
    model = nn.Model(inputs, outputs)
    ids = np.array([[1, 2, 3, 4, 5, 6]])
    expected = model(ids).numpy()
    model.save(tmp_path / "block.gradstack")
    np.testing.assert_allclose(nn.load_model(tmp_path / "block.gradstack")(ids).numpy(),
                               expected, rtol=1e-5)
