"""Every public name in ``autograd`` is accounted for, and every differentiable
op has a gradient test.

Each name in ``autograd.__all__`` is classified below by hand. The
differentiable ops must be exactly the ops that have a gradcheck case in the
``GRADCHECK_CASES`` registries of the test_ops_*.py modules (or, for
convolution and pooling, a gradient test in test_conv.py / test_pool.py). A new
op added to ``__all__`` makes this file fail until it is classified and tested.

Also here: each op's Tensor method agrees with its ``autograd.<name>`` function.
"""

from pathlib import Path

import numpy as np
import pytest
import test_ops_elementwise
import test_ops_linalg
import test_ops_nn
import test_ops_reduce
import test_ops_shape

import autograd
from autograd import tensorflow_names

pytestmark = pytest.mark.ops

HERE = Path(__file__).parent

DIFFERENTIABLE = "differentiable op"
NO_GRAD = "no-grad op"
CREATION = "creation"
TOOL = "tool"
DTYPE = "dtype"
CLASS = "class"
ELSEWHERE = "differentiable op tested in another file"
TENSORFLOW = "TensorFlow name (autograd/tensorflow_names.py), tested in test_tensorflow_names.py"

CLASSIFICATION = {
    # differentiable ops, each with gradcheck cases in a test_ops_*.py module
    **dict.fromkeys(
        [
            "add", "sub", "mul", "div", "pow", "neg", "abs", "astype",
            "exp", "log", "sqrt", "square", "sin", "cos",
            "tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus", "gelu",
            "maximum", "minimum", "clip", "where",
            "sum", "mean", "var", "std", "max", "min", "prod", "logsumexp",
            "reshape", "transpose", "expand_dims", "squeeze", "broadcast_to", "flatten",
            "getitem", "concatenate", "stack", "split", "pad",
            "matmul", "linear", "softmax", "log_softmax", "softmax_cross_entropy",
            "sparse_softmax_cross_entropy", "sigmoid_cross_entropy",
            "sparse_crossentropy_from_probabilities",
        ],
        DIFFERENTIABLE,
    ),
    # ops whose results are outside the graph (indices and bools)
    **dict.fromkeys(
        ["argmax", "argmin", "equal", "not_equal", "less", "less_equal", "greater",
         "greater_equal"],
        NO_GRAD,
    ),
    **dict.fromkeys(
        ["tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
         "rand", "randn", "uniform", "normal", "manual_seed", "get_generator"],
        CREATION,
    ),
    **dict.fromkeys(
        ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
         "gradcheck", "draw_graph", "trace", "topological_order", "as_array",
         "conv_output_shape", "grad", "strict", "is_strict", "register_mistake",
         "known_mistakes", "forget_mistakes"],
        TOOL,
    ),
    **dict.fromkeys(["float16", "float32", "float64", "int32", "int64", "bool_"], DTYPE),
    **dict.fromkeys(
        ["Tensor", "Function", "Context", "GradcheckError", "GraphDrawing", "TraceStep"], CLASS
    ),
    **dict.fromkeys(
        ["conv2d", "conv2d_transpose", "depthwise_conv2d", "max_pool2d", "avg_pool2d",
         "global_max_pool2d", "global_avg_pool2d",
         "embedding", "layer_norm", "batch_norm", "simple_rnn", "lstm", "gru",
         "scaled_dot_product_attention"],
        ELSEWHERE,
    ),
    **dict.fromkeys(["int8", "int16", "uint8"], DTYPE),
    **dict.fromkeys(["GradientTape", "Variable"], CLASS),
    **dict.fromkeys([name for name in tensorflow_names.__all__ if name not in
                     ("range", "round")] + ["data", "random", "newaxis"], TENSORFLOW),
}

# Where the ops classified ELSEWHERE have their gradient tests.
TESTED_IN = {
    "conv2d": "test_conv.py",
    "conv2d_transpose": "test_conv_transpose.py",
    "depthwise_conv2d": "test_conv_transpose.py",
    "max_pool2d": "test_pool.py",
    "avg_pool2d": "test_pool.py",
    "global_max_pool2d": "test_pool.py",
    "global_avg_pool2d": "test_pool.py",
    "embedding": "test_ops_recurrent.py",
    "scaled_dot_product_attention": "test_ops_recurrent.py",
    "layer_norm": "test_ops_recurrent.py",
    "batch_norm": "test_ops_batch_norm.py",
    "simple_rnn": "test_ops_recurrent.py",
    "lstm": "test_ops_recurrent.py",
    "gru": "test_ops_recurrent.py",
}

CASE_MODULES = [test_ops_elementwise, test_ops_reduce, test_ops_shape, test_ops_linalg,
                test_ops_nn]


def gradcheck_registry():
    """op name -> its gradcheck cases, from every test_ops_*.py module."""
    registry = {}
    for module in CASE_MODULES:
        for case in module.GRADCHECK_CASES:
            registry.setdefault(case.op, []).append(case)
    return registry


def public_names():
    return set(autograd.__all__)


def named(category):
    return {name for name, kind in CLASSIFICATION.items() if kind == category}


# ------------------------------------------------------------------ the classification


def test_every_public_name_is_classified():
    unclassified = sorted(public_names() - set(CLASSIFICATION))
    assert not unclassified, (
        f"autograd.__all__ has names this test does not know: {unclassified}. Add each to "
        "CLASSIFICATION in tests/autograd/test_op_coverage.py; a differentiable op also "
        "needs gradcheck cases in the GRADCHECK_CASES of a test_ops_*.py module."
    )


def test_every_classified_name_is_public():
    # conv and pool ops are being added by others; they may not be public yet
    stale = sorted(set(CLASSIFICATION) - public_names() - set(TESTED_IN))
    assert not stale, f"classified but not in autograd.__all__ (removed?): {stale}"


def test_public_names_exist_in_the_module():
    missing = sorted(name for name in public_names() if not hasattr(autograd, name))
    assert not missing, f"in autograd.__all__ but not defined: {missing}"


def test_every_differentiable_op_has_a_gradcheck_case():
    registry = gradcheck_registry()
    differentiable = named(DIFFERENTIABLE) & public_names()
    untested = sorted(differentiable - set(registry))
    assert not untested, f"differentiable ops without a gradcheck case: {untested}"
    unexpected = sorted(set(registry) - differentiable)
    assert not unexpected, (
        f"gradcheck cases for names that are not public differentiable ops: {unexpected}"
    )


def test_ops_tested_elsewhere_are_named_in_their_test_files():
    assert set(TESTED_IN) == named(ELSEWHERE)
    for name in sorted(named(ELSEWHERE) & public_names()):
        path = HERE / TESTED_IN[name]
        assert path.is_file(), f"{name} is public, so {path} must exist and test it"
        text = path.read_text()
        assert name in text, f"{path.name} does not mention {name}"
        assert "gradcheck" in text, f"{path.name} has no gradcheck test"


def test_the_registry_covers_functions_that_exist():
    for name, cases in gradcheck_registry().items():
        assert callable(getattr(autograd, name)), name
        assert len({case.id for case in cases}) == len(cases), f"duplicate case ids for {name}"


# ------------------------------------------------------------------ the other categories

NO_GRAD_CALLS = {
    "argmax": lambda x, y: autograd.argmax(x, axis=0),
    "argmin": lambda x, y: autograd.argmin(x),
    "equal": autograd.equal,
    "not_equal": autograd.not_equal,
    "less": autograd.less,
    "less_equal": autograd.less_equal,
    "greater": autograd.greater,
    "greater_equal": autograd.greater_equal,
}


def test_no_grad_ops_return_tensors_outside_the_graph():
    assert set(NO_GRAD_CALLS) == named(NO_GRAD)
    x = autograd.tensor([[1.0, 2.0], [3.0, 0.5]], requires_grad=True)
    y = autograd.tensor([2.0, 2.0], requires_grad=True)
    for name, call in NO_GRAD_CALLS.items():
        result = call(x, y)
        assert isinstance(result, autograd.Tensor), name
        assert result.dtype.kind in "biu", name
        assert not result.requires_grad and result.grad_fn is None, name


def test_dtypes_are_numpy_scalar_types():
    for name in named(DTYPE):
        assert getattr(autograd, name) is getattr(np, name)


def test_classes_are_classes_and_the_rest_are_callables():
    for name in named(CLASS):
        assert isinstance(getattr(autograd, name), type), name
    for name in named(CREATION) | named(TOOL):
        assert callable(getattr(autograd, name)), name


# ------------------------------------------------------------------ methods and functions

# Arguments (after the tensor itself) for every Tensor method that shares its name
# with a public op. The base tensor has shape (2, 1, 3) and values in [0.2, 1].
OTHER = np.array([0.9, 0.1, 0.5])
METHOD_ARGS = {
    "abs": ((), {}), "exp": ((), {}), "log": ((), {}), "sqrt": ((), {}),
    "square": ((), {}), "sin": ((), {}), "cos": ((), {}), "tanh": ((), {}),
    "sigmoid": ((), {}), "relu": ((), {}), "softplus": ((), {}),
    "leaky_relu": ((0.2,), {}), "elu": ((), {"alpha": 0.5}),
    "gelu": ((), {"approximate": True}),
    "clip": ((0.3, 0.7), {}), "maximum": ((OTHER,), {}), "minimum": ((OTHER,), {}),
    "astype": (("float32",), {}),
    "sum": ((), {"axis": 2, "keepdims": True}), "mean": ((), {"axis": (0, 2)}),
    "var": ((), {"axis": -1, "ddof": 1}), "std": ((), {"axis": 0}),
    "max": ((), {"axis": 2}), "min": ((), {}), "prod": ((), {"axis": 0}),
    "logsumexp": ((), {"axis": -1}), "argmax": ((), {"axis": 2}), "argmin": ((), {}),
    "reshape": ((3, 2), {}), "transpose": (((2, 0, 1),), {}), "expand_dims": ((0,), {}),
    "squeeze": ((1,), {}), "broadcast_to": (((2, 4, 3),), {}), "flatten": ((1,), {}),
    "pad": ((((0, 1), (1, 0), (2, 2)),), {}), "split": ((3,), {"axis": 2}),
    "matmul": ((np.ones((3, 2)),), {}), "softmax": ((), {"axis": 0}),
    "log_softmax": ((), {}), "pow": ((2.0,), {}),
}


def method_names():
    ops = named(DIFFERENTIABLE) | named(NO_GRAD)
    return sorted(name for name in ops & public_names() if hasattr(autograd.Tensor, name))


def test_every_op_method_has_arguments_in_the_table():
    assert set(method_names()) == set(METHOD_ARGS)


@pytest.mark.parametrize("name", sorted(METHOD_ARGS))
def test_method_and_function_agree_on_values_and_gradients(name):
    args, kwargs = METHOD_ARGS[name]
    values = np.random.default_rng(0).uniform(0.2, 1.0, size=(2, 1, 3))
    x_method = autograd.tensor(values, requires_grad=True)
    x_function = autograd.tensor(values, requires_grad=True)
    by_method = getattr(x_method, name)(*args, **kwargs)
    by_function = getattr(autograd, name)(x_function, *args, **kwargs)
    outs_m = by_method if isinstance(by_method, list) else [by_method]
    outs_f = by_function if isinstance(by_function, list) else [by_function]
    assert len(outs_m) == len(outs_f)
    for m, f in zip(outs_m, outs_f, strict=True):
        assert m.dtype == f.dtype
        np.testing.assert_array_equal(m.numpy(), f.numpy())
        assert m.requires_grad == f.requires_grad
    if outs_m[0].requires_grad:
        rng = np.random.default_rng(1)
        weights = [rng.standard_normal(o.shape) for o in outs_m]
        weighted_sum(outs_m, weights).backward()
        weighted_sum(outs_f, weights).backward()
        np.testing.assert_array_equal(x_method.grad.numpy(), x_function.grad.numpy())


def weighted_sum(outputs, weights):
    total = (outputs[0] * weights[0]).sum()
    for o, w in zip(outputs[1:], weights[1:], strict=True):
        total = total + (o * w).sum()
    return total


OPERATORS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "matmul": lambda a, b: a @ b.T,
    "equal": lambda a, b: a == b,
    "not_equal": lambda a, b: a != b,
    "less": lambda a, b: a < b,
    "less_equal": lambda a, b: a <= b,
    "greater": lambda a, b: a > b,
    "greater_equal": lambda a, b: a >= b,
}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_and_function_agree(name):
    a_np = np.array([[0.5, 1.0], [1.5, 2.0]])
    b_np = np.array([[2.0, 1.0], [0.5, 2.0]])
    a, b = autograd.tensor(a_np), autograd.tensor(b_np)
    expected = (autograd.matmul(a, b.T) if name == "matmul"
                else getattr(autograd, name)(a, b))
    got = OPERATORS[name](a, b)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_unary_operators_and_indexing_agree_with_functions():
    x = autograd.tensor([[-1.5, 2.0], [0.5, -3.0]])
    np.testing.assert_array_equal((-x).numpy(), autograd.neg(x).numpy())
    np.testing.assert_array_equal(abs(x).numpy(), autograd.abs(x).numpy())
    np.testing.assert_array_equal(x[:, 1].numpy(), autograd.getitem(x, (slice(None), 1)).numpy())
    np.testing.assert_array_equal(x.T.numpy(), autograd.transpose(x).numpy())


# ------------------------------------------------------------------ where ops live


def test_every_backward_lives_under_autograd_ops():
    import importlib
    import pkgutil

    import nn

    found = []
    for info in pkgutil.walk_packages(nn.__path__, "nn."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, autograd.Function)
                    and value.__module__ == info.name):
                found.append(f"{info.name}.{value.__name__}")
    assert not found, f"Function subclasses outside autograd/ops: {found}"


def test_a_cast_takes_its_dtype_as_a_keyword_and_returns_one_gradient():
    from autograd.ops.arithmetic import Cast

    x = autograd.tensor([1.5, -2.0], requires_grad=True)
    y = Cast.apply(x, dtype=np.float64)
    assert y.dtype == np.float64
    assert np.shape(Cast.backward(y.grad_fn, np.ones(2))) == (2,)  # one gradient, not two
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, -4.0])
    assert x.grad.dtype == np.float32
