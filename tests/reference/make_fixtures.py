"""Write the reference fixtures: inputs, outputs and gradients from PyTorch and Keras 3.

The default test suite compares gradstack with the values stored here, so every
machine checks real reference numbers without installing torch or Keras. This
script is the only thing that writes them::

    pip install -e ".[reference]"
    python tests/reference/make_fixtures.py          # rewrites tests/reference/fixtures/*.npz

and ``pytest -m reference`` (in CI after the default run) recomputes every case
live and checks that the committed files still hold what the pinned PyTorch and
Keras give.

The convention, for anyone adding cases (one fixture file per source and family)
-----------------------------------------------------------------------------
- A *producer* here is a function ``rng -> {array name: ndarray}`` registered in
  one of the ``FIXTURES`` tables below under a case name. Its inputs are drawn from
  ``rng`` (seeded per case from the case name, so adding a case changes no other).
- Array names: ``y`` (or ``y_*``) are reference outputs, ``grad_*`` are reference
  gradients (of ``sum(y * upstream)``, with ``upstream`` stored as an input), and
  everything else is an input. Layouts are gradstack's: NHWC images, Keras kernel
  layout ``(kh, kw, in, out)``; a producer transposes for PyTorch itself.
- The test side (``tests/reference/test_*_fixtures.py``) has a table with the same
  case names, each computing gradstack's ``y``/``grad_*`` from the inputs; a test
  checks that both tables name the same cases, so no fixture goes unchecked.
- Files are ``.npz`` written with ``np.savez_compressed`` (numbers only, read with
  ``allow_pickle=False``), keys ``"<case>/<array>"``; keep them small (tiny
  shapes: a few KB per file).
- Keras runs on its torch backend (``KERAS_BACKEND=torch``), the only backend the
  ``reference`` extra installs.

New families (sequence layers, attention, saved-file interop ...) add a producer
table and a file name to ``FIXTURES`` and a matching test module, with the live
check marked ``@pytest.mark.reference``.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported anywhere

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures"

Arrays = dict[str, np.ndarray]


def case_rng(name: str) -> np.random.Generator:
    """A generator seeded by the case name alone (stable across Python runs)."""
    return np.random.default_rng(zlib.crc32(name.encode()))


# ---------------------------------------------------------------- PyTorch ops (float64)


def _torch():
    import torch

    return torch


def _unary(fn: Callable, values: np.ndarray | None = None) -> Callable:
    """A producer for an elementwise op: ``fn(torch_tensor, F) -> torch_tensor``."""

    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        x = values if values is not None else rng.standard_normal(7) * 2
        upstream = rng.uniform(0.5, 2.0, x.shape)
        xt = torch.tensor(x, requires_grad=True)
        yt = fn(xt, torch.nn.functional)
        (yt * torch.tensor(upstream)).sum().backward()
        return {"x": x, "upstream": upstream, "y": yt.detach().numpy(),
                "grad_x": xt.grad.numpy()}

    return produce


KINKS = np.array([-3.0, -1.0, -0.3, 0.0, 0.4, 1.0, 2.5])  # includes the kink at 0


def _reduction(fn: Callable) -> Callable[[np.random.Generator], Arrays]:
    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        # ties (max/min), zeros (prod) and a varied row
        x = np.array([[3.0, 3.0, 1.0, 0.0], [0.0, 2.0, 0.0, 5.0], [-1.0, 4.0, 2.0, 4.0]])
        xt = torch.tensor(x, requires_grad=True)
        yt = fn(xt)
        upstream = rng.standard_normal(tuple(yt.shape))
        (yt * torch.tensor(upstream)).sum().backward()
        return {"x": x, "upstream": upstream, "y": yt.detach().numpy(),
                "grad_x": xt.grad.numpy()}

    return produce


def _matmul(sa: tuple, sb: tuple) -> Callable[[np.random.Generator], Arrays]:
    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        yt = at @ bt
        upstream = rng.standard_normal(tuple(yt.shape))
        yt.backward(torch.tensor(upstream))
        return {"a": a, "b": b, "upstream": upstream, "y": yt.detach().numpy(),
                "grad_a": at.grad.numpy(), "grad_b": bt.grad.numpy()}

    return produce


def _softmax(kind: str, axis: int) -> Callable[[np.random.Generator], Arrays]:
    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        x = rng.standard_normal((3, 4)) * 5
        upstream = rng.standard_normal((3, 4))
        xt = torch.tensor(x, requires_grad=True)
        yt = (torch.softmax if kind == "softmax" else torch.log_softmax)(xt, dim=axis)
        yt.backward(torch.tensor(upstream))
        return {"x": x, "upstream": upstream, "y": yt.detach().numpy(),
                "grad_x": xt.grad.numpy()}

    return produce


def _cross_entropy(kind: str) -> Callable[[np.random.Generator], Arrays]:
    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        F = torch.nn.functional
        logits = rng.standard_normal((5, 3)) * 4
        if kind == "sparse":
            target = np.array([0, 2, 1, 1, 0])
            loss = lambda t: F.cross_entropy(t, torch.tensor(target), reduction="none")  # noqa: E731
        elif kind == "softmax":
            target = rng.dirichlet(np.ones(3), size=5)
            loss = lambda t: F.cross_entropy(t, torch.tensor(target), reduction="none")  # noqa: E731
        else:
            target = rng.random((5, 3))
            loss = lambda t: F.binary_cross_entropy_with_logits(  # noqa: E731
                t, torch.tensor(target), reduction="none")
        xt = torch.tensor(logits, requires_grad=True)
        yt = loss(xt)
        upstream = rng.uniform(0.5, 2.0, tuple(yt.shape))
        (yt * torch.tensor(upstream)).sum().backward()
        return {"x": logits, "target": target, "upstream": upstream,
                "y": yt.detach().numpy(), "grad_x": xt.grad.numpy()}

    return produce


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's "same" rule: output ceil(size / stride), the extra pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _conv2d(stride: int, dilation: int, padding: str) -> Callable[[np.random.Generator], Arrays]:
    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        x, k, b = (rng.standard_normal((2, 9, 8, 3)), rng.standard_normal((3, 3, 3, 4)),
                   rng.standard_normal(4))
        tx = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
        tk = torch.tensor(k.transpose(3, 2, 0, 1), requires_grad=True)
        tb = torch.tensor(b, requires_grad=True)
        padded = tx
        if padding == "same":  # torch pads symmetrically; apply TensorFlow's rule by hand
            top, bottom = same_padding(9, 3, stride, dilation)
            left, right = same_padding(8, 3, stride, dilation)
            padded = torch.nn.functional.pad(tx, (left, right, top, bottom))
        ty = torch.nn.functional.conv2d(padded, tk, tb, stride=stride, dilation=dilation)
        upstream = rng.standard_normal(tuple(ty.permute(0, 2, 3, 1).shape))
        ty.backward(torch.tensor(upstream.transpose(0, 3, 1, 2)))
        return {"x": x, "kernel": k, "bias": b, "upstream": upstream,
                "y": ty.detach().permute(0, 2, 3, 1).numpy(),
                "grad_x": tx.grad.permute(0, 2, 3, 1).numpy(),
                "grad_kernel": tk.grad.permute(2, 3, 1, 0).numpy(),
                "grad_bias": tb.grad.numpy()}

    return produce


def _pool(kind: str, size, stride) -> Callable[[np.random.Generator], Arrays]:
    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        F = torch.nn.functional
        x = rng.standard_normal((2, 9, 11, 3))
        tx = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
        fn = F.max_pool2d if kind == "max" else F.avg_pool2d
        ty = fn(tx, size, stride=stride)
        upstream = rng.standard_normal(tuple(ty.permute(0, 2, 3, 1).shape))
        ty.backward(torch.tensor(upstream.transpose(0, 3, 1, 2)))
        return {"x": x, "upstream": upstream, "y": ty.detach().permute(0, 2, 3, 1).numpy(),
                "grad_x": tx.grad.permute(0, 2, 3, 1).numpy()}

    return produce


TORCH_OPS: dict[str, Callable[[np.random.Generator], Arrays]] = {
    "gelu": _unary(lambda t, F: F.gelu(t)),
    "gelu_tanh": _unary(lambda t, F: F.gelu(t, approximate="tanh")),
    "elu": _unary(lambda t, F: F.elu(t, alpha=0.7)),
    "softplus": _unary(lambda t, F: F.softplus(t)),
    "leaky_relu": _unary(lambda t, F: F.leaky_relu(t, 0.1), KINKS),
    "relu": _unary(lambda t, F: F.relu(t), KINKS),
    "abs": _unary(lambda t, F: t.abs(), KINKS),
    "clip": _unary(lambda t, F: t.clamp(-1.0, 1.0), KINKS),
    "sigmoid": _unary(lambda t, F: t.sigmoid()),
    "tanh": _unary(lambda t, F: t.tanh()),
    "exp": _unary(lambda t, F: t.exp()),
    "log": _unary(lambda t, F: t.log(), np.array([0.1, 0.5, 1.0, 2.0, 7.5])),
    "sqrt": _unary(lambda t, F: t.sqrt(), np.array([0.1, 0.5, 1.0, 2.0, 7.5])),
    "sin": _unary(lambda t, F: t.sin()),
    "cos": _unary(lambda t, F: t.cos()),
    "max_ties": _reduction(lambda t: t.amax(dim=1)),
    "min_ties": _reduction(lambda t: t.amin(dim=0)),
    "prod_zeros": _reduction(lambda t: t.prod(dim=1)),
    "sum_axis0": _reduction(lambda t: t.sum(dim=0)),
    "mean_axis1": _reduction(lambda t: t.mean(dim=1)),
    "var_ddof1": _reduction(lambda t: t.var(dim=0, correction=1)),
    "std_ddof0": _reduction(lambda t: t.std(dim=1, correction=0)),
    "logsumexp": _reduction(lambda t: t.logsumexp(dim=1)),
    "matmul_batched": _matmul((2, 1, 3, 4), (5, 4, 2)),
    "matmul_vector_left": _matmul((4,), (3, 4, 2)),
    "matmul_vector_right": _matmul((3, 2, 4), (4,)),
    "matmul_dot": _matmul((4,), (4,)),
    "softmax_axis0": _softmax("softmax", 0),
    "softmax_axis-1": _softmax("softmax", -1),
    "log_softmax_axis0": _softmax("log_softmax", 0),
    "log_softmax_axis-1": _softmax("log_softmax", -1),
    "sparse_softmax_cross_entropy": _cross_entropy("sparse"),
    "softmax_cross_entropy": _cross_entropy("softmax"),
    "sigmoid_cross_entropy": _cross_entropy("sigmoid"),
    "conv2d_valid": _conv2d(1, 1, "valid"),
    "conv2d_stride2": _conv2d(2, 1, "valid"),
    "conv2d_dilation2": _conv2d(1, 2, "valid"),
    "conv2d_same": _conv2d(1, 1, "same"),
    "conv2d_same_stride2": _conv2d(2, 1, "same"),
}
for _kind in ("max", "avg"):
    for _label, _size, _stride in (("2", 2, None), ("3", 3, None), ("3s2", 3, 2),
                                   ("2s3", 2, 3), ("2x3s1", (2, 3), 1)):
        TORCH_OPS[f"{_kind}_pool_{_label}"] = _pool(_kind, _size, _stride)


# ---------------------------------------------------------------- Keras 3 layers (float32)


def _keras():
    import keras

    return keras


def _layer(make: Callable, input_shape: tuple, training: bool = False,
           positive: bool = False) -> Callable[[np.random.Generator], Arrays]:
    """A producer for a Keras layer: its weights (``w_<name>``, in ``layer.weights``
    order), input ``x``, output ``y`` and the gradients of ``sum(y * upstream)``
    with respect to ``x`` and every trainable weight (``grad_w_<name>``)."""

    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        keras = _keras()
        layer = make(keras.layers)
        x = rng.standard_normal(input_shape).astype("float32")
        if positive:
            x = np.abs(x) + 0.1
        layer.build(input_shape)
        out: Arrays = {"x": x}
        for w in layer.weights:  # replace Keras's initial values by random ones
            value = rng.standard_normal(tuple(w.shape)).astype("float32")
            if "variance" in w.path:
                value = np.abs(value) + 0.5
            w.assign(value)
            out["w_" + w.path.split("/")[-1]] = value
        xt = torch.tensor(x, requires_grad=True)
        yt = layer(xt, training=training)
        upstream = rng.standard_normal(tuple(yt.shape)).astype("float32")
        (yt * torch.tensor(upstream)).sum().backward()
        out.update(upstream=upstream, y=yt.detach().cpu().numpy(),
                   grad_x=xt.grad.cpu().numpy())
        for w in layer.trainable_weights:
            out["grad_w_" + w.path.split("/")[-1]] = w.value.grad.cpu().numpy()
        for w in layer.non_trainable_weights:  # e.g. moving statistics after a training call
            out["y_" + w.path.split("/")[-1]] = keras.ops.convert_to_numpy(w.value)
        return out

    return produce


KERAS_LAYERS: dict[str, Callable[[np.random.Generator], Arrays]] = {
    "dense_tanh": _layer(lambda L: L.Dense(5, activation="tanh"), (4, 3)),
    "dense_no_bias": _layer(lambda L: L.Dense(2, use_bias=False), (3, 4)),
    "conv2d_same_stride2_relu": _layer(
        lambda L: L.Conv2D(4, 3, strides=2, padding="same", activation="relu"), (2, 7, 6, 3)),
    "conv2d_valid_dilation2": _layer(
        lambda L: L.Conv2D(3, (2, 3), dilation_rate=2), (2, 8, 9, 2)),
    "max_pooling_2": _layer(lambda L: L.MaxPooling2D(2), (2, 6, 7, 3)),
    "max_pooling_same": _layer(lambda L: L.MaxPooling2D(3, strides=2, padding="same"),
                               (1, 7, 6, 2)),
    # No "same" AveragePooling2D: Keras 3 on the torch backend does not follow
    # TensorFlow's rule there (odd pad pixel after, padding left out of the mean), which
    # gradstack does; tests/autograd/test_pool.py checks that rule by hand instead.
    "average_pooling_2": _layer(lambda L: L.AveragePooling2D(2), (2, 6, 7, 3)),
    "global_average_pooling": _layer(lambda L: L.GlobalAveragePooling2D(), (2, 4, 5, 3)),
    "global_max_pooling": _layer(lambda L: L.GlobalMaxPooling2D(), (2, 4, 5, 3)),
    "flatten": _layer(lambda L: L.Flatten(), (2, 3, 2, 2)),
    "batch_norm_training": _layer(lambda L: L.BatchNormalization(), (6, 4), training=True),
    "batch_norm_inference": _layer(lambda L: L.BatchNormalization(), (6, 4)),
    "batch_norm_images_training": _layer(
        lambda L: L.BatchNormalization(momentum=0.9, epsilon=1e-2), (3, 2, 2, 3),
        training=True),
    "activation_softmax": _layer(lambda L: L.Activation("softmax"), (3, 5)),
}


# ---------------------------------------------------------------- Keras 3 losses (float32)


def _loss(make: Callable, kind: str) -> Callable[[np.random.Generator], Arrays]:
    """A producer for a Keras loss ``loss(true, pred)``: ``y`` is the loss value,
    ``grad_pred`` its gradient."""

    def produce(rng: np.random.Generator) -> Arrays:
        torch = _torch()
        keras = _keras()
        shape = (6, 4)
        if kind == "regression":
            y_true = rng.standard_normal(shape)
            y_pred = rng.standard_normal(shape) * 1.5
        elif kind == "binary":
            y_true = (rng.random(shape) > 0.5).astype(float)
            y_pred = rng.uniform(0.05, 0.95, shape)
        elif kind == "logits":
            y_true = (rng.random(shape) > 0.5).astype(float)
            y_pred = rng.standard_normal(shape) * 3
        elif kind == "categorical":
            y_true = np.eye(4)[rng.integers(0, 4, 6)]
            y_pred = rng.dirichlet(np.ones(4), size=6)
        elif kind == "categorical_logits":
            y_true = np.eye(4)[rng.integers(0, 4, 6)]
            y_pred = rng.standard_normal(shape) * 3
        else:  # sparse labels with logits
            y_true = rng.integers(0, 4, 6).astype(float)
            y_pred = rng.standard_normal(shape) * 3
        y_true, y_pred = y_true.astype("float32"), y_pred.astype("float32")
        pt = torch.tensor(y_pred, requires_grad=True)
        loss = make(keras.losses)(torch.tensor(y_true), pt)
        loss.backward()
        return {"true": y_true, "pred": y_pred, "y": np.asarray(loss.item(), "float32"),
                "grad_pred": pt.grad.numpy()}

    return produce


KERAS_LOSSES: dict[str, Callable[[np.random.Generator], Arrays]] = {
    "mean_squared_error": _loss(lambda L: L.MeanSquaredError(), "regression"),
    "mean_absolute_error": _loss(lambda L: L.MeanAbsoluteError(), "regression"),
    "huber": _loss(lambda L: L.Huber(delta=0.7), "regression"),
    "binary_crossentropy": _loss(lambda L: L.BinaryCrossentropy(), "binary"),
    "binary_crossentropy_logits": _loss(lambda L: L.BinaryCrossentropy(from_logits=True),
                                        "logits"),
    "categorical_crossentropy": _loss(lambda L: L.CategoricalCrossentropy(), "categorical"),
    "categorical_crossentropy_logits": _loss(
        lambda L: L.CategoricalCrossentropy(from_logits=True), "categorical_logits"),
    "sparse_categorical_crossentropy_logits": _loss(
        lambda L: L.SparseCategoricalCrossentropy(from_logits=True), "sparse"),
}


# ---------------------------------------------------------------- Keras 3 optimizers (float32)

STEPS = 4


def _optimizer(make: Callable) -> Callable[[np.random.Generator], Arrays]:
    """A producer for a Keras optimizer: a weight ``w`` given fixed gradients
    ``grads[i]`` for STEPS steps; ``y`` holds the weight after each step."""

    def produce(rng: np.random.Generator) -> Arrays:
        keras = _keras()
        w0 = rng.standard_normal((3, 2)).astype("float32")
        grads = rng.standard_normal((STEPS, 3, 2)).astype("float32") * 2
        w = keras.Variable(w0)
        opt = make(keras.optimizers)
        history = []
        for g in grads:
            opt.apply_gradients([(keras.ops.convert_to_tensor(g), w)])
            history.append(keras.ops.convert_to_numpy(w.value).copy())
        return {"w0": w0, "grads": grads, "y": np.stack(history)}

    return produce


KERAS_OPTIMIZERS: dict[str, Callable[[np.random.Generator], Arrays]] = {
    "sgd": _optimizer(lambda O: O.SGD(learning_rate=0.1)),
    "sgd_momentum": _optimizer(lambda O: O.SGD(learning_rate=0.1, momentum=0.9)),
    "sgd_nesterov": _optimizer(lambda O: O.SGD(learning_rate=0.1, momentum=0.9,
                                                nesterov=True)),
    "sgd_clipnorm": _optimizer(lambda O: O.SGD(learning_rate=0.1, clipnorm=1.0)),
    "sgd_clipvalue": _optimizer(lambda O: O.SGD(learning_rate=0.1, clipvalue=0.5)),
    "adam": _optimizer(lambda O: O.Adam(learning_rate=0.05)),
    "adam_amsgrad": _optimizer(lambda O: O.Adam(learning_rate=0.05, amsgrad=True)),
    "adamw": _optimizer(lambda O: O.AdamW(learning_rate=0.05, weight_decay=0.1)),
    "rmsprop": _optimizer(lambda O: O.RMSprop(learning_rate=0.05)),
    "rmsprop_centered_momentum": _optimizer(
        lambda O: O.RMSprop(learning_rate=0.05, momentum=0.5, centered=True)),
    "adagrad": _optimizer(lambda O: O.Adagrad(learning_rate=0.1)),
}


# ---------------------------------------------------------------- writing

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sequence_cases import KERAS_SEQUENCE  # noqa: E402 (the sequence layers' own table)
from torch_training_cases import TORCH_TRAINING  # noqa: E402 (training loops, torch_training.npz)

FIXTURES: dict[str, dict[str, Callable[[np.random.Generator], Arrays]]] = {
    "torch_ops.npz": TORCH_OPS,
    "keras_layers.npz": KERAS_LAYERS,
    "keras_losses.npz": KERAS_LOSSES,
    "keras_optimizers.npz": KERAS_OPTIMIZERS,
    "keras_sequence.npz": KERAS_SEQUENCE,
    "torch_training.npz": TORCH_TRAINING,
}


def produce_all(table: dict[str, Callable[[np.random.Generator], Arrays]]) -> Arrays:
    """Run every producer of a table; keys ``"<case>/<array>"``."""
    out: Arrays = {}
    for case, produce in table.items():
        for key, value in produce(case_rng(case)).items():
            out[f"{case}/{key}"] = np.asarray(value)
    return out


def load_fixture(filename: str) -> dict[str, Arrays]:
    """``{case: {array name: ndarray}}`` from a committed fixture file."""
    cases: dict[str, Arrays] = {}
    with np.load(FIXTURE_DIR / filename, allow_pickle=False) as data:
        for key in data.files:
            case, name = key.rsplit("/", 1)
            cases.setdefault(case, {})[name] = data[key]
    return cases


def main(argv: list[str]) -> int:
    import keras
    import torch

    torch.use_deterministic_algorithms(True)
    FIXTURE_DIR.mkdir(exist_ok=True)
    for filename, table in FIXTURES.items():
        if argv and filename not in argv:
            continue
        arrays = produce_all(table)
        np.savez_compressed(FIXTURE_DIR / filename, **arrays)
        size = (FIXTURE_DIR / filename).stat().st_size
        print(f"{filename}: {len(table)} cases, {size:,} bytes "
              f"(torch {torch.__version__}, keras {keras.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
