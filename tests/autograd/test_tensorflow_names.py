"""TensorFlow's names on autograd (``import autograd as tf``): values against
NumPy or hand-worked numbers, gradients of the compositions against finite
differences, TensorFlow's seeding rules, Variable, GradientTape and
``optimizer.apply_gradients``."""

import subprocess
import sys

import numpy as np
import pytest

import autograd as tf
import optim


def f64(*shape, seed=0):
    values = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)
    return tf.tensor(values, dtype="float64", requires_grad=True)


# ------------------------------------------------------------------ importing


def test_importing_autograd_imports_nothing_of_nn():
    code = "import sys, autograd; print(any(m == 'nn' or m.startswith('nn.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tf_keras_is_the_nn_package_on_first_use():
    import nn

    assert tf.keras is nn
    assert tf.keras.layers.Dense is nn.layers.Dense


def test_star_import_does_not_hide_builtins():
    namespace = {}
    exec("from autograd import *", namespace)
    for builtin in ("print", "range", "round", "bool"):
        assert builtin not in namespace


# ------------------------------------------------------------------ making tensors


def test_constant_uses_tensorflow_default_dtypes_and_shape():
    assert tf.constant([1, 2]).dtype == np.int32
    assert tf.constant([1.5]).dtype == np.float32
    assert tf.constant(np.arange(3)).dtype == np.arange(3).dtype  # arrays keep theirs
    np.testing.assert_array_equal(tf.constant(7.0, shape=(2, 2)).numpy(), [[7, 7], [7, 7]])
    np.testing.assert_array_equal(tf.constant([1, 2, 3, 4], shape=[2, 2]).numpy(),
                                  [[1, 2], [3, 4]])
    assert tf.constant([1, 2], dtype=tf.float32).dtype == np.float32


def test_convert_to_tensor_returns_a_tensor_as_is():
    x = tf.tensor([1.0], requires_grad=True)
    assert tf.convert_to_tensor(x) is x
    assert tf.convert_to_tensor([1, 2]).dtype == np.int32
    assert tf.is_tensor(x) and not tf.is_tensor([1.0])


def test_zeros_and_ones_take_a_shape_keyword_or_tuple_or_dims():
    for t in (tf.zeros(shape=(2, 3)), tf.zeros((2, 3)), tf.zeros(2, 3), tf.ones(shape=[2, 3])):
        assert t.shape == (2, 3)
    assert tf.zeros(tf.shape(tf.ones((4, 5)))).shape == (4, 5)
    assert tf.ones((2,), dtype=tf.int32).dtype == np.int32


def test_range_fill_linspace_one_hot():
    np.testing.assert_array_equal(tf.range(5).numpy(), [0, 1, 2, 3, 4])
    assert tf.range(5).dtype == np.int32
    np.testing.assert_array_equal(tf.range(1, 7, 2).numpy(), [1, 3, 5])
    np.testing.assert_array_equal(tf.fill([2], 9).numpy(), [9, 9])
    np.testing.assert_allclose(tf.linspace(0.0, 1.0, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    hot = tf.one_hot([2, 0, 5], depth=3)
    np.testing.assert_array_equal(hot.numpy(), [[0, 0, 1], [1, 0, 0], [0, 0, 0]])
    assert hot.dtype == np.float32
    np.testing.assert_array_equal(tf.one_hot([1], 2, on_value=5.0, off_value=-1.0).numpy(),
                                  [[-1, 5]])


# ------------------------------------------------------------------ shapes and casts


def test_shape_rank_size_cast():
    x = tf.ones((3, 4))
    assert tf.shape(x).dtype == np.int32
    np.testing.assert_array_equal(tf.shape(x).numpy(), [3, 4])
    assert int(tf.shape(x)[0]) == 3
    assert tf.rank(x) == 2 and tf.size(x) == 12
    assert tf.cast(tf.constant([1.7, -0.2]), tf.int32).numpy().tolist() == [1, 0]
    assert tf.cast([1, 0], tf.bool).dtype == np.bool_


def test_cast_between_floats_keeps_the_gradient():
    x = tf.tensor([1.0, 2.0], requires_grad=True)
    (tf.cast(x, tf.float64) * 3.0).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.numpy().tolist() == [3.0, 3.0]


def test_reshape_and_transpose_accept_both_call_forms():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    for y in (tf.reshape(x, [3, 2]), tf.reshape(x, shape=(3, 2)), tf.reshape(x, 3, 2),
              tf.reshape(x, tf.constant([3, 2]))):
        np.testing.assert_array_equal(y.numpy(), np.arange(6.0).reshape(3, 2))
    cube = tf.zeros((2, 3, 4))
    assert tf.transpose(cube).shape == (4, 3, 2)
    assert tf.transpose(cube, perm=[1, 0, 2]).shape == (3, 2, 4)
    assert tf.transpose(cube, [2, 0, 1]).shape == (4, 2, 3)
    assert tf.transpose(cube, 2, 0, 1).shape == (4, 2, 3)


def test_matmul_transpose_flags():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(tf.matmul(a, b, transpose_b=True).numpy(), a @ b.T)
    np.testing.assert_allclose(tf.matmul(a.T, b.T, transpose_a=True).numpy(), a @ b.T)
    x, w = f64(2, 3), f64(4, 3, seed=1)
    tf.gradcheck(lambda s, t: tf.matmul(s, t, transpose_b=True), [x, w])


def test_concat_stack_unstack_split():
    a, b = tf.ones((2, 1)), tf.zeros((2, 2))
    assert tf.concat([a, b], axis=1).shape == (2, 3)
    assert tf.stack([a, a], axis=0).shape == (2, 2, 1)
    parts = tf.unstack(tf.constant([[1, 2], [3, 4]]), axis=1)
    assert [p.numpy().tolist() for p in parts] == [[1, 3], [2, 4]]
    # tf.split with a list gives the sizes of the parts (NumPy's split gives cut points).
    from autograd.tensorflow_names import split

    assert [p.shape[1] for p in split(tf.zeros((1, 5)), [2, 3], axis=1)] == [2, 3]


def test_tile_matches_numpy_and_its_gradient_adds_the_copies():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(tf.tile(x, [2, 3]).numpy(), np.tile(x, [2, 3]))
    t = f64(2, 3)
    tf.gradcheck(lambda s: tf.tile(s, [3, 2]), [t])
    t.grad = None
    tf.tile(t, [3, 2]).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full((2, 3), 6.0))  # 3 * 2 copies


def test_gather_along_an_axis():
    params = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(tf.gather(params, [2, 0]).numpy(), params[[2, 0]])
    np.testing.assert_array_equal(tf.gather(params, [3, 3, 1], axis=1).numpy(),
                                  params[:, [3, 3, 1]])
    tf.gradcheck(lambda s: tf.gather(s, [1, 1, 0], axis=1), [f64(2, 3)])


# ------------------------------------------------------------------ math


def test_reductions_take_lists_of_axes_and_keepdims():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(tf.reduce_sum(x, axis=[0, 2]).numpy(), x.sum(axis=(0, 2)))
    np.testing.assert_allclose(tf.reduce_mean(x, 1, keepdims=True).numpy(),
                               x.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(tf.reduce_max(x).numpy(), 23.0)
    np.testing.assert_allclose(tf.reduce_min(x, axis=-1).numpy(), x.min(axis=-1))
    np.testing.assert_allclose(tf.reduce_prod([[1.0, 2.0], [3.0, 4.0]], axis=0).numpy(), [3, 8])
    np.testing.assert_allclose(tf.math.reduce_std(x).numpy(), x.std(), rtol=1e-6)
    np.testing.assert_allclose(tf.math.reduce_variance(x, axis=0).numpy(), x.var(axis=0))
    np.testing.assert_allclose(tf.reduce_logsumexp([0.0, 0.0]).numpy(), np.log(2.0), rtol=1e-6)
    assert bool(tf.reduce_any([False, True])) and not bool(tf.reduce_all([False, True]))


def test_reduce_mean_of_integers_is_an_integer_as_in_tensorflow():
    assert tf.reduce_mean(tf.constant([1, 2])).numpy() == 1


def test_math_argmax_defaults_to_axis_0_as_in_tensorflow():
    x = [[1.0, 5.0], [3.0, 2.0]]
    np.testing.assert_array_equal(tf.math.argmax(x).numpy(), [1, 0])
    np.testing.assert_array_equal(tf.math.argmax(x, axis=1).numpy(), [1, 0])


@pytest.mark.parametrize("name, fn, reference", [
    ("reciprocal", tf.reciprocal, lambda a: 1 / a),
    ("rsqrt", tf.rsqrt, lambda a: 1 / np.sqrt(a)),
    ("log1p", tf.log1p, np.log1p),
    ("squared_difference", lambda t: tf.squared_difference(t, 0.25), lambda a: (a - 0.25) ** 2),
    ("l2_normalize", lambda t: tf.math.l2_normalize(t, axis=1),
     lambda a: a / np.sqrt((a * a).sum(axis=1, keepdims=True))),
    ("clip_by_value", lambda t: tf.clip_by_value(t, 0.7, 1.2), lambda a: np.clip(a, 0.7, 1.2)),
    ("relu6", lambda t: tf.nn.relu6(t * 8 - 4), lambda a: np.clip(a * 8 - 4, 0, 6)),
    ("silu", tf.nn.silu, lambda a: a / (1 + np.exp(-a))),
    ("leaky_relu", lambda t: tf.nn.leaky_relu(t - 1), lambda a: np.where(a > 1, a - 1,
                                                                           0.2 * (a - 1))),
    ("l2_loss", tf.nn.l2_loss, lambda a: (a * a).sum() / 2),
    ("subtract", lambda t: tf.subtract(t, 1.0), lambda a: a - 1),
    ("divide", lambda t: tf.divide(1.0, t), lambda a: 1 / a),
])
def test_compositions_match_numpy_and_gradcheck(name, fn, reference):
    x = f64(3, 4)
    np.testing.assert_allclose(fn(x).numpy(), reference(x.numpy()), rtol=1e-10)
    tf.gradcheck(fn, [x])


def test_top_k_values_indices_and_gradient():
    x = tf.constant([[1.0, 9.0, 3.0, 7.0]])
    result = tf.math.top_k(x, k=2)
    np.testing.assert_array_equal(result.values.numpy(), [[9.0, 7.0]])
    np.testing.assert_array_equal(result.indices.numpy(), [[1, 3]])
    tf.gradcheck(lambda t: tf.math.top_k(t, k=2).values, [f64(2, 4)])
    assert tf.math.in_top_k([3, 0], [[1.0, 9.0, 3.0, 7.0], [1.0, 9.0, 3.0, 7.0]], 2
                            ).numpy().tolist() == [True, False]


def test_confusion_matrix_rows_are_true_classes():
    m = tf.math.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], num_classes=3)
    np.testing.assert_array_equal(m.numpy(), [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_functions_without_gradient_stay_outside_the_graph():
    x = tf.tensor([-1.5, 0.4, 2.5], requires_grad=True)
    for fn in (tf.sign, tf.round, tf.floor, tf.ceil, tf.stop_gradient):
        assert fn(x).grad_fn is None and not fn(x).requires_grad
    np.testing.assert_array_equal(tf.sign(x).numpy(), [-1, 1, 1])


# ------------------------------------------------------------------ tf.nn


def test_nn_softmax_and_cross_entropies_by_hand():
    logits = tf.constant([[0.0, 0.0], [0.0, np.log(3.0)]])
    np.testing.assert_allclose(tf.nn.softmax(logits).numpy(), [[0.5, 0.5], [0.25, 0.75]],
                               rtol=1e-6)
    np.testing.assert_allclose(tf.nn.log_softmax(logits).numpy(),
                               np.log([[0.5, 0.5], [0.25, 0.75]]), rtol=1e-6)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=logits)
    np.testing.assert_allclose(sparse.numpy(), [np.log(2), -np.log(0.75)], rtol=1e-6)
    dense = tf.nn.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0], [0.0, 1.0]],
                                                    logits=logits)
    np.testing.assert_allclose(dense.numpy(), sparse.numpy(), rtol=1e-6)
    binary = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[0.0])
    np.testing.assert_allclose(binary.numpy(), [np.log(2)], rtol=1e-6)
    mean, variance = tf.nn.moments(tf.constant([1.0, 3.0]), axes=[0])
    assert mean.item() == 2.0 and variance.item() == 1.0


def test_nn_dropout_zeroes_about_rate_and_keeps_the_expected_value():
    tf.random.set_seed(0)
    x = tf.ones((1000,))
    y = tf.nn.dropout(x, rate=0.25).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.05
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        tf.nn.dropout(x, rate=1.0)


def test_nn_conv2d_and_pools_take_tensorflow_strides():
    x = np.random.default_rng(0).normal(size=(1, 4, 4, 2)).astype(np.float32)
    w = np.random.default_rng(1).normal(size=(3, 3, 2, 5)).astype(np.float32)
    a = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")
    b = tf.conv2d(x, w, padding="same")
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    assert tf.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID").shape == (1, 2, 2, 2)
    np.testing.assert_allclose(tf.nn.avg_pool2d(np.ones((1, 2, 2, 1)), 2, 2).numpy(), [[[[1]]]])


# ------------------------------------------------------------------ tf.random


def test_set_seed_repeats_draws_and_op_seeds_give_a_fresh_sequence_each_call():
    tf.random.set_seed(3)
    first = [tf.random.normal((3,), seed=1).numpy(), tf.random.normal((3,), seed=1).numpy()]
    tf.random.set_seed(3)
    again = [tf.random.normal((3,), seed=1).numpy(), tf.random.normal((3,), seed=1).numpy()]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])  # as in TensorFlow's eager mode
    tf.random.set_seed(4)
    assert not np.array_equal(tf.random.normal((3,), seed=1).numpy(), first[0])


def test_manual_seed_still_seeds_every_draw():
    tf.manual_seed(5)
    a = (tf.rand(2).numpy(), tf.random.uniform((2,)).numpy())
    tf.manual_seed(5)
    b = (tf.rand(2).numpy(), tf.random.uniform((2,)).numpy())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert tf.get_generator() is tf.random.get_generator()


def test_random_distributions_arguments():
    tf.random.set_seed(0)
    x = tf.random.normal((20000,), mean=2.0, stddev=0.5).numpy()
    assert abs(x.mean() - 2.0) < 0.02 and abs(x.std() - 0.5) < 0.02
    u = tf.random.uniform((1000,), minval=-2.0, maxval=-1.0).numpy()
    assert u.min() >= -2.0 and u.max() < -1.0
    ints = tf.random.uniform((1000,), minval=0, maxval=3, dtype=tf.int32)
    assert ints.dtype == np.int32 and set(np.unique(ints.numpy())) == {0, 1, 2}
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform((2,), dtype="int32")
    t = tf.random.truncated_normal((5000,), stddev=1.0).numpy()
    assert np.abs(t).max() <= 2.0
    rows = np.arange(10)
    assert sorted(tf.random.shuffle(rows).numpy().tolist()) == rows.tolist()
    samples = tf.random.categorical([[0.0, -1e9]], num_samples=5)
    assert samples.shape == (1, 5) and samples.numpy().tolist() == [[0] * 5]


def test_initializer_objects_are_called_with_shape_and_dtype():
    tf.random.set_seed(0)
    w = tf.random_normal_initializer(stddev=0.05)(shape=(200, 50), dtype="float32")
    assert w.shape == (200, 50) and w.dtype == np.float32
    assert abs(float(w.numpy().std()) - 0.05) < 0.005
    np.testing.assert_array_equal(tf.zeros_initializer()(shape=(3,), dtype="float32").numpy(),
                                  [0, 0, 0])
    np.testing.assert_array_equal(tf.ones_initializer()((2,)).numpy(), [1, 1])
    np.testing.assert_array_equal(tf.constant_initializer(4.0)((2,)).numpy(), [4, 4])
    u = tf.random_uniform_initializer(-1.0, 1.0)((1000,)).numpy()
    assert u.min() >= -1.0 and u.max() < 1.0


# ------------------------------------------------------------------ Variable


def test_variable_assign_methods_and_flags():
    v = tf.Variable(initial_value=[1.0, 2.0], trainable=True, name="v")
    assert v.requires_grad and v.trainable and v.dtype == np.float32
    v.assign([3.0, 4.0])
    v.assign_add(tf.constant([1.0, 1.0]))
    v.assign_sub([0.5, 0.5])
    np.testing.assert_array_equal(v.numpy(), [3.5, 4.5])
    assert v.grad_fn is None  # assignments are not recorded
    with pytest.raises(ValueError, match=r"shape \(3,\) to the variable 'v' of shape \(2,\)"):
        v.assign([1.0, 2.0, 3.0])
    frozen = tf.Variable(0.0, trainable=False)
    assert not frozen.requires_grad and not frozen.trainable
    step = tf.Variable(0)  # an integer counter: state, never a gradient
    step.assign_add(1)
    assert step.numpy() == 1 and not step.requires_grad
    assert tf.Variable(lambda: tf.zeros((2,))).shape == (2,)
    with pytest.raises(ValueError, match="initial value"):
        tf.Variable()


def test_layer_weights_are_tf_variables():
    import nn

    layer = nn.layers.Dense(2)
    layer.build((None, 3))
    assert isinstance(layer.kernel, tf.Variable)


# ------------------------------------------------------------------ GradientTape


def test_tape_gradient_of_a_watched_constant_by_hand():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x * x  # dy/dx = 3 x^2 = 27
    assert tape.gradient(y, x).item() == pytest.approx(27.0)
    assert not x.requires_grad  # unwatched again after the tape closed
    assert tape.watched_variables() == [x]


def test_tape_does_not_touch_grad_and_returns_the_structure_it_was_given():
    w = tf.Variable([[1.0, 2.0]])
    b = tf.Variable([0.5])
    w.grad = tf.tensor([[10.0, 10.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w) + 3.0 * tf.reduce_sum(b)
    grads = tape.gradient(loss, {"w": w, "pair": (b, w)})
    np.testing.assert_array_equal(grads["w"].numpy(), [[2.0, 4.0]])
    np.testing.assert_array_equal(grads["pair"][0].numpy(), [3.0])
    assert isinstance(grads["pair"], tuple)
    np.testing.assert_array_equal(w.grad.numpy(), [[10.0, 10.0]])  # untouched
    assert b.grad is None


def test_non_persistent_tape_refuses_a_second_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, x)


def test_persistent_tape_gives_several_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert tape.gradient(z, x).item() == pytest.approx(108.0)  # 4 x^3
    assert tape.gradient(y, x).item() == pytest.approx(6.0)
    assert tape.gradient(z, y).item() == pytest.approx(18.0)  # an intermediate source
    del tape


def test_unconnected_sources_give_none_or_zeros():
    a, b = tf.Variable([1.0]), tf.Variable([2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        y = a * 2
    assert tape.gradient(y, [a, b])[1] is None
    np.testing.assert_array_equal(tape.gradient(y, b, unconnected_gradients="zero").numpy(),
                                  [0.0, 0.0])
    frozen = tf.Variable(1.0, trainable=False)
    with tf.GradientTape() as tape:
        y = frozen * 2
    assert tape.gradient(y, frozen) is None


def test_non_scalar_targets_and_output_gradients():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0])  # of sum(y)
    np.testing.assert_array_equal(
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 0.0])).numpy(), [2.0, 0.0])
    np.testing.assert_array_equal(tape.gradient([y, x], x).numpy(), [3.0, 5.0])


def test_jacobian_by_hand():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x * tf.constant([1.0, 10.0])
    np.testing.assert_array_equal(tape.jacobian(y, x).numpy(), [[2.0, 0.0], [0.0, 40.0]])


def test_tape_errors_name_the_fix():
    with tf.GradientTape() as tape:
        with pytest.raises(TypeError, match="can only watch Tensors"):
            tape.watch(3.0)
        y = tf.Variable(1.0) * 2
    with pytest.raises(TypeError, match="source 0 is a float"):
        tape.gradient(y, [1.0])


def test_stop_recording_and_tape_inside_no_grad():
    x = tf.Variable(2.0)
    with tf.no_grad():
        with tf.GradientTape() as tape:
            y = x * x
            with tape.stop_recording():
                z = x * 3
    assert tape.gradient(y, x).item() == 4.0
    assert z.grad_fn is None


# ------------------------------------------------------------------ apply_gradients


def test_apply_gradients_sgd_by_hand_and_leaves_grad_alone():
    w = tf.Variable([1.0, -2.0])
    w.grad = tf.tensor([100.0, 100.0])
    opt = optim.SGD(learning_rate=0.1)
    opt.apply_gradients(zip([tf.constant([1.0, 1.0])], [w]))
    np.testing.assert_allclose(w.numpy(), [0.9, -2.1])
    assert opt.iterations == 1 and w.grad.numpy().tolist() == [100.0, 100.0]


def test_apply_gradients_equals_step_for_adam():
    rng = np.random.default_rng(0)
    start, grads = rng.normal(size=(3,)), [rng.normal(size=(3,)) for _ in range(3)]
    a, b = tf.Variable(start.copy()), tf.tensor(start.copy(), requires_grad=True)
    opt_a, opt_b = optim.Adam(learning_rate=0.1), optim.Adam([b], learning_rate=0.1)
    for g in grads:
        opt_a.apply_gradients([(g, a)])
        b.grad = tf.tensor(g)
        opt_b.step()
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_apply_gradients_skips_none_adds_new_variables_and_explains_mistakes():
    a, b = tf.Variable([1.0]), tf.Variable([1.0])
    opt = optim.SGD(learning_rate=1.0)
    opt.apply_gradients([(tf.constant([1.0]), a), (None, b)])
    assert a.numpy().tolist() == [0.0] and b.numpy().tolist() == [1.0]
    c = tf.Variable([5.0])
    opt.apply_gradients([(tf.constant([1.0]), c)])
    assert c.numpy().tolist() == [4.0] and len(opt.params) == 3
    with pytest.raises(ValueError, match="no gradients provided for any variable"):
        opt.apply_gradients([(None, a)])
    with pytest.raises(ValueError, match=r"shape \(2,\), but the variable has shape \(1,\)"):
        opt.apply_gradients([(tf.constant([1.0, 2.0]), a)])
    with pytest.raises(TypeError, match=r"\(gradient, variable\) pairs"):
        opt.apply_gradients([a])


def test_apply_gradients_keeps_the_momentum_of_known_variables_when_one_is_added():
    a = tf.Variable([0.0])
    opt = optim.SGD(learning_rate=1.0, momentum=0.5)
    opt.apply_gradients([(tf.constant([1.0]), a)])  # velocity -1, a = -1
    opt.apply_gradients([(tf.constant([1.0]), a), (tf.constant([0.0]), tf.Variable([0.0]))])
    assert a.numpy().tolist() == [-2.5]  # velocity 0.5 * -1 - 1 = -1.5


# ------------------------------------------------------------------ tf.data


def test_dataset_slices_batches_and_keeps_structure():
    x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    batches = list(tf.data.Dataset.from_tensor_slices((x, y)).batch(2))
    assert [b[0].shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    assert isinstance(batches[0][0], tf.Tensor)
    np.testing.assert_array_equal(batches[2][1].numpy(), [4])
    ds = tf.data.Dataset.from_tensor_slices({"a": x, "b": y}).batch(5, drop_remainder=True)
    (element,) = list(ds)
    assert set(element) == {"a", "b"} and element["a"].shape == (5, 2)
    assert len(tf.data.Dataset.from_tensor_slices(y).batch(2)) == 3
    with pytest.raises(ValueError, match="same first dimension"):
        tf.data.Dataset.from_tensor_slices((x, np.arange(4)))


def test_dataset_shuffle_is_a_permutation_new_each_epoch_and_seeded():
    tf.random.set_seed(0)
    ds = tf.data.Dataset.from_tensor_slices(np.arange(50)).shuffle(buffer_size=50, seed=1)
    first, second = [int(v) for v in ds], [int(v) for v in ds]
    assert sorted(first) == list(range(50)) and first != second and first != list(range(50))
    tf.random.set_seed(0)
    ds = tf.data.Dataset.from_tensor_slices(np.arange(50)).shuffle(buffer_size=50, seed=1)
    assert [int(v) for v in ds] == first
    # A buffer of 1 keeps the order; a small buffer only moves elements a little ahead.
    assert [int(v) for v in tf.data.Dataset.range(5).shuffle(1)] == [0, 1, 2, 3, 4]
    assert [int(v) for v in tf.data.Dataset.range(10).shuffle(3)][0] in (0, 1, 2)


def test_dataset_map_filter_take_skip_repeat_cache_unbatch():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(6.0), np.arange(6)))
    mapped = ds.map(lambda x, y: (x * 2, y), num_parallel_calls=tf.data.AUTOTUNE)
    assert [float(x) for x, _ in mapped.take(3)] == [0.0, 2.0, 4.0]
    assert [int(y) for _, y in ds.skip(4)] == [4, 5]
    assert [int(y) for _, y in ds.filter(lambda x, y: y < 3)] == [0, 1, 2]
    assert len(ds.repeat(3)) == 18 and ds.repeat().cardinality() == -2
    assert [int(v) for v in tf.data.Dataset.range(3).repeat().take(7)] == [0, 1, 2, 0, 1, 2, 0]
    assert [int(v) for v in ds.batch(4).unbatch().map(lambda x, y: y)] == list(range(6))
    assert ds.prefetch(tf.data.AUTOTUNE) is ds
    calls = []
    cached = tf.data.Dataset.range(3).map(lambda v: calls.append(1) or v).cache()
    list(cached), list(cached)
    assert len(calls) == 3
    zipped = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(5)))
    assert len(zipped) == 3 and [tuple(map(int, p)) for p in zipped][-1] == (2, 2)
