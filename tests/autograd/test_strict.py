"""Strict mode (autograd.strict(), GRADSTACK_STRICT=1): read-only incoming grads,
NaN/inf from a backward, explained exceptions, bounds-checked Numba kernels. And
the one explanation that is always on: forward and backward get NumPy arrays."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import Function

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]


def leaf(values):
    return autograd.tensor(values, dtype="float64", requires_grad=True)


class DoubleInPlace(Function):
    """2x whose backward doubles the incoming grad in place."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad):
        grad *= 2
        return grad


class LogWithoutGuard(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(np.abs(x) + 1.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / x  # wrong, and 1/0 at x == 0


class BackwardWithShapeBug(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b, grad @ a  # the second should be a.T @ grad


class StubbedForward(Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("hw1-relu: write the forward of ReLU")

    @staticmethod
    def backward(ctx, grad):
        return grad


class ForwardUsingTensorMethods(Function):
    @staticmethod
    def forward(ctx, x):
        return x.tanh()  # x is an ndarray here

    @staticmethod
    def backward(ctx, grad):
        return grad


class BackwardUsingTensorMethods(Function):
    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.relu()


def test_strict_is_off_by_default_and_on_inside_the_block():
    assert not autograd.is_strict()
    with autograd.strict():
        assert autograd.is_strict()
        with autograd.strict(False):
            assert not autograd.is_strict()
        assert autograd.is_strict()
    assert not autograd.is_strict()


def test_strict_works_as_a_decorator():
    @autograd.strict()
    def check():
        return autograd.is_strict()

    assert check() and not autograd.is_strict()


def test_changing_the_incoming_grad_in_place_raises_in_strict_mode_only():
    x = leaf([1.0, 2.0])
    DoubleInPlace.apply(x).sum().backward()  # silently "works" outside strict mode
    with autograd.strict(), pytest.raises(ValueError) as info:
        DoubleInPlace.apply(leaf([1.0, 2.0])).sum().backward()
    message = str(info.value)
    assert "read-only" in message and "instead of changing it in place" in message
    assert "<DoubleInPlace>.backward at node 2" in message


def test_nan_or_inf_from_a_backward_names_op_node_and_input():
    x = leaf([0.0, 1.0, 2.0])
    LogWithoutGuard.apply(x).sum().backward()  # no check outside strict mode
    assert np.isinf(x.grad.numpy()[0])
    with autograd.strict(), pytest.raises(RuntimeError) as info:
        (LogWithoutGuard.apply(leaf([0.0, 1.0, 2.0])) * 3).sum().backward()
    message = str(info.value)
    assert "<LogWithoutGuard>.backward returned 1 inf value(s)" in message
    assert "for input 0 (shape (3,))" in message
    assert "node 3 in backward order" in message  # Sum, Mul, then this op
    assert "incoming gradient was finite" in message


def test_nan_is_counted_separately_from_inf():
    with autograd.strict(), pytest.raises(RuntimeError, match=r"1 nan and 1 inf value"):
        x = leaf([0.0, -0.0, 1.0])
        LogWithoutGuard.apply(x).backward(grad=np.array([0.0, 1.0, 1.0]))  # 0/0, 1/-0


def test_exception_in_backward_keeps_its_type_and_gains_the_op_and_shapes():
    a = leaf(np.ones((2, 3)))
    b = leaf(np.ones((3, 4)))
    with autograd.strict(), pytest.raises(ValueError) as info:
        BackwardWithShapeBug.apply(a, b).sum().backward()
    message = str(info.value)
    assert "matmul" in message  # NumPy's own words come first
    assert "<BackwardWithShapeBug>.backward" in message
    assert "forward's inputs: (2, 3), (3, 4)" in message
    assert "incoming gradient: (2, 4) float64" in message
    assert isinstance(info.value.__cause__, ValueError)  # the original, chained


def test_exception_in_forward_keeps_its_type_and_message_first():
    with autograd.strict(), pytest.raises(NotImplementedError) as info:
        StubbedForward.apply(leaf([1.0, 2.0]))
    message = str(info.value)
    assert message.startswith("hw1-relu: write the forward of ReLU")
    assert "strict mode: in <StubbedForward>.forward; inputs: (2,)" in message


def test_outside_strict_mode_exceptions_pass_unchanged():
    with pytest.raises(NotImplementedError) as info:
        StubbedForward.apply(leaf([1.0]))
    assert str(info.value) == "hw1-relu: write the forward of ReLU"
    assert info.value.__cause__ is None


def test_tensor_method_in_forward_says_forward_gets_numpy_arrays():
    # always on: it is the learner's first custom op
    with pytest.raises(AttributeError) as info:
        ForwardUsingTensorMethods.apply(leaf([1.0]))
    message = str(info.value)
    assert "'numpy.ndarray' object has no attribute 'tanh'" in message
    assert "<ForwardUsingTensorMethods>.forward receives NumPy arrays" in message
    assert "np.tanh(x) instead of x.tanh()" in message


def test_tensor_method_in_backward_says_backward_gets_numpy_arrays():
    with pytest.raises(AttributeError) as info:
        BackwardUsingTensorMethods.apply(leaf([1.0])).sum().backward()
    message = str(info.value)
    assert "<BackwardUsingTensorMethods>.backward receives NumPy arrays" in message
    assert "np.tanh(x) instead of x.tanh()" in message  # there is no np.relu


def test_strict_mode_is_per_thread():
    import threading

    seen = []
    with autograd.strict():
        thread = threading.Thread(target=lambda: seen.append(autograd.is_strict()))
        thread.start()
        thread.join(10)
    assert seen == [False]


def test_correct_ops_pass_in_strict_mode():
    x = leaf([[0.5, -1.0], [2.0, 0.25]])
    with autograd.strict():
        loss = ((x @ x).tanh() + x.exp()).sum()
        loss.backward()
        assert autograd.gradcheck(lambda t: (t @ t).tanh().sum(axis=0), [leaf(x.numpy())])
    assert np.isfinite(x.grad.numpy()).all()


def run_python(code, env_extra, cwd):
    env = dict(os.environ)
    env.pop("GRADSTACK_STRICT", None)
    env.update(env_extra)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(cwd)])
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def test_environment_variable_turns_strict_mode_on_for_the_process(tmp_path):
    result = run_python(
        """
        import threading
        import numpy as np
        import autograd
        from autograd import Function

        class Bad(Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1.0
            @staticmethod
            def backward(ctx, grad):
                return grad * np.inf

        seen = []
        t = threading.Thread(target=lambda: seen.append(autograd.is_strict()))
        t.start(); t.join()
        print("strict", autograd.is_strict(), seen[0])
        try:
            Bad.apply(autograd.tensor([1.0], requires_grad=True)).sum().backward()
        except RuntimeError as error:
            print("raised", "<Bad>.backward returned 1 inf" in str(error))
        """,
        {"GRADSTACK_STRICT": "1"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["strict True True", "raised True"]


def test_environment_variable_compiles_kernels_bounds_checked_in_their_own_cache(tmp_path):
    (tmp_path / "offbyone.py").write_text(textwrap.dedent(
        """
        from numba import njit

        @njit(cache=True)
        def last_plus_one(a):
            return a[a.shape[0]]   # one past the end
        """
    ))
    cache = tmp_path / "numba-cache"
    result = run_python(
        """
        import os
        import numpy as np
        import autograd
        from offbyone import last_plus_one
        print(autograd.strict_mode.kernels_bounds_checked())
        print(os.environ["NUMBA_CACHE_DIR"])
        try:
            last_plus_one(np.zeros(3))
        except IndexError:
            print("IndexError")
        """,
        {"GRADSTACK_STRICT": "1", "NUMBA_CACHE_DIR": str(cache)},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    flag, cache_dir, outcome = result.stdout.split("\n")[:3]
    assert (flag, outcome) == ("True", "IndexError")
    assert Path(cache_dir) == cache / "gradstack-boundscheck"
    if os.environ.get("NUMBA_DISABLE_JIT") != "1":
        # the checked build was cached apart from the normal one
        assert list((cache / "gradstack-boundscheck").rglob("offbyone.last_plus_one*"))
        assert not list(cache.glob("offbyone*")) and not (tmp_path / "__pycache__").exists()
