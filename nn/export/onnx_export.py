"""ONNX export: ``model.export("model.onnx", format="onnx")``, for serving with ONNX Runtime.

The graph is the inference form of the model, built with the ``onnx`` package
(the ``interop`` extra) at opset 17:

===========================  ==============================================================
gradstack layer              ONNX
===========================  ==============================================================
Dense                        MatMul, Add, then the activation
Conv2D                       Transpose to NCHW, Conv (kernel as (out, in, kh, kw)), back
MaxPooling2D / Average...    Transpose, MaxPool / AveragePool (padding not counted), back
Global...Pooling2D           ReduceMax / ReduceMean over height and width
BatchNormalization           Mul and Add by the folded ``gamma / sqrt(var + eps)`` and
                             ``beta - mean * scale`` (the moving statistics: inference)
Dropout                      Identity (inference)
Flatten / Reshape            Flatten(axis=1) / Reshape with 0 for the batch
Add, Subtract, Multiply,     Sum, Sub, Mul, Mean, Concat
Average, Concatenate
Activation, activations      Relu, Sigmoid, Tanh, Softmax, Elu, Selu, Erf-based Gelu, ...
Sequential / functional      inlined, so nested models become one flat graph
===========================  ==============================================================

gradstack keeps images channels last (NHWC) and ONNX's Conv and pools want channels
first (NCHW), so each of those ops is wrapped in a pair of Transposes: the graph's
inputs and outputs keep the model's own layout, and Flatten sees the same order as
in gradstack. (ONNX Runtime's optimizer removes back-to-back transposes.) The batch
axis is dynamic (``batch``). A layer with no ONNX form here raises ``ValueError``
naming it.

>>> model.export("model.onnx", format="onnx")     # doctest: +SKIP
>>> import onnxruntime as ort                      # doctest: +SKIP
>>> ort.InferenceSession("model.onnx").run(None, {"input_1": x})   # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from autograd.kernels.geometry import window_2d
from nn import activations
from nn.layers import (
    Activation,
    Add,
    Average,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    InputLayer,
    MaxPooling2D,
    Multiply,
    Reshape,
    Subtract,
)
from nn.models.functional import Functional
from nn.models.sequential import Sequential
from nn.saving.container import atomic_write
from nn.utils.optional import require

OPSET = 17
EXPORTABLE_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softplus", "softsign",
                          "exponential", "softmax", "log_softmax", "elu", "selu", "leaky_relu",
                          "relu6", "hard_sigmoid", "silu", "swish", "gelu")
TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def export_onnx(model: Any, filepath: str | os.PathLike) -> None:
    """Write ``model`` (built, Sequential or functional) as an ONNX file, checked
    with ``onnx.checker.check_model`` before it is written."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built: call it on data or build it "
                         "before export, so its weights and input shapes exist.")
    check_exportable(model)
    onnx = require("onnx", "interop", "ONNX export")
    graph = _GraphBuilder(onnx)
    inputs = [graph.add_input(t.node.layer.name, t.shape) for t in _inputs(model)]
    outputs = graph.emit_model(model, inputs)
    for name, tensor in zip(outputs, _outputs(model), strict=True):
        # Each output is named after the layer that makes it ("dense_1").
        named = graph.op("Identity", [name], tensor.node.layer.name)
        graph.add_output(named, tensor.shape)
    proto = graph.make_model(model.name)
    onnx.checker.check_model(proto)
    atomic_write(filepath, [proto.SerializeToString()])


def check_exportable(model: Any) -> None:
    """Raise ``ValueError`` naming the first layer (or activation) with no ONNX form
    here, before anything is built (so no ``onnx`` import is needed to find out)."""
    _inputs(model)
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            continue
        if isinstance(layer, (Sequential, Functional)):
            check_exportable(layer)
            continue
        if type(layer) not in _EMITTERS:
            raise ValueError(
                f"Cannot export layer '{layer.name}' ({type(layer).__name__}) to ONNX: it has "
                "no ONNX form here. Exportable layers: "
                f"{', '.join(sorted(c.__name__ for c in _EMITTERS))}, and Sequential/functional "
                "models of them.")
        if layer.dtype != "float32":
            raise ValueError(f"Cannot export layer '{layer.name}': it computes in {layer.dtype}; "
                             "ONNX export writes float32 graphs.")
        fn = getattr(layer, "activation", None)
        if fn is not None and activations.serialize(fn) not in EXPORTABLE_ACTIVATIONS:
            raise ValueError(
                f"Cannot export layer '{layer.name}' ({type(layer).__name__}) to ONNX: its "
                f"activation {activations.serialize(fn)!r} has no ONNX form here. Exportable: "
                f"{', '.join(EXPORTABLE_ACTIVATIONS)}.")


def _inputs(model: Any) -> list:
    if not isinstance(model, (Sequential, Functional)):
        raise ValueError(
            f"Cannot export '{model.name}' ({type(model).__name__}) to ONNX: only "
            "nn.Sequential and functional models (nn.Model(inputs, outputs)) have a graph "
            "to export; a subclassed model's call() is Python code.")
    return list(model.inputs)


def _outputs(model: Any) -> list:
    return list(model.outputs)


class _GraphBuilder:
    """Collects ONNX nodes, weights (initializers) and unique tensor names."""

    def __init__(self, onnx: Any) -> None:
        self.onnx = onnx
        self.helper = onnx.helper
        self.nodes: list = []
        self.initializers: list = []
        self.inputs: list = []
        self.outputs: list = []
        self.used: set[str] = set()

    # ------------------------------------------------------------------ names and values
    def name(self, base: str) -> str:
        name, n = base, 1
        while name in self.used:
            name, n = f"{base}_{n}", n + 1
        self.used.add(name)
        return name

    def const(self, base: str, value: Any, dtype: Any = np.float32) -> str:
        name = self.name(base)
        array = np.asarray(value, dtype=dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, inputs: list[str], base: str, **attrs: Any) -> str:
        output = self.name(base)
        self.nodes.append(self.helper.make_node(op_type, inputs, [output], name=output, **attrs))
        return output

    def _value_info(self, name: str, shape: tuple) -> Any:
        dims = ["batch" if i == 0 and d is None else (d if d is not None else f"{name}_d{i}")
                for i, d in enumerate(shape)]
        return self.helper.make_tensor_value_info(name, self.onnx.TensorProto.FLOAT, dims)

    def add_input(self, name: str, shape: tuple) -> str:
        self.used.add(name)
        self.inputs.append(self._value_info(name, shape))
        return name

    def add_output(self, name: str, shape: tuple) -> None:
        self.outputs.append(self._value_info(name, shape))

    def make_model(self, name: str) -> Any:
        graph = self.helper.make_graph(self.nodes, name, self.inputs, self.outputs,
                                       self.initializers)
        return self.helper.make_model(graph, producer_name="gradstack",
                                      opset_imports=[self.helper.make_opsetid("", OPSET)])

    # ------------------------------------------------------------------ models
    def emit_model(self, model: Any, inputs: list[str]) -> list[str]:
        """Inline ``model`` on the ONNX tensors ``inputs``; returns its outputs' names."""
        if isinstance(model, Sequential):
            (x,) = inputs
            for layer in model.layers:
                x = self.emit_layer(layer, [x])[0]
            return [x]
        if not isinstance(model, Functional):
            _inputs(model)  # raises the subclassed-model error
        names = {id(t): name for t, name in zip(model.inputs, inputs, strict=True)}
        for node in model._graph_nodes():
            if isinstance(node.layer, InputLayer):
                continue
            args = [names[id(t)] for t in node.input_tensors]
            outputs = self.emit_layer(node.layer, args)
            for tensor, name in zip(node.output_tensors, outputs, strict=True):
                names[id(tensor)] = name
        return [names[id(t)] for t in model.outputs]

    # ------------------------------------------------------------------ layers
    def emit_layer(self, layer: Any, inputs: list[str]) -> list[str]:
        if isinstance(layer, (Sequential, Functional)):
            return self.emit_model(layer, inputs)
        return [_EMITTERS[type(layer)](self, layer, inputs)]  # check_exportable ran first

    def activation(self, fn: Any, x: str, layer: Any) -> str:
        """The ONNX form of one of nn.activations' functions."""
        name = activations.serialize(fn)
        base = f"{layer.name}/{name}"
        simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
                  "softsign": "Softsign", "exponential": "Exp"}
        if name == "linear":
            return x
        if name in simple:
            return self.op(simple[name], [x], base)
        if name == "softmax":
            return self.op("Softmax", [x], base, axis=-1)
        if name == "log_softmax":
            return self.op("LogSoftmax", [x], base, axis=-1)
        if name == "elu":
            return self.op("Elu", [x], base, alpha=1.0)
        if name == "selu":
            return self.op("Selu", [x], base, alpha=activations.SELU_ALPHA,
                           gamma=activations.SELU_SCALE)
        if name == "leaky_relu":
            return self.op("LeakyRelu", [x], base, alpha=0.2)
        if name == "relu6":
            return self.op("Clip", [x, self.const(base + "/min", 0.0),
                                    self.const(base + "/max", 6.0)], base)
        if name == "hard_sigmoid":  # Keras 3: relu6(x + 3) / 6
            return self.op("HardSigmoid", [x], base, alpha=1.0 / 6.0, beta=0.5)
        if name in ("silu", "swish"):
            return self.op("Mul", [x, self.op("Sigmoid", [x], base + "/sigmoid")], base)
        if name == "gelu":  # x * (1 + erf(x / sqrt(2))) / 2, the exact form (approximate=False)
            scaled = self.op("Mul", [x, self.const(base + "/rsqrt2", 1 / math.sqrt(2))],
                             base + "/scaled")
            one_plus = self.op("Add", [self.op("Erf", [scaled], base + "/erf"),
                                       self.const(base + "/one", 1.0)], base + "/one_plus")
            half_x = self.op("Mul", [x, self.const(base + "/half", 0.5)], base + "/half_x")
            return self.op("Mul", [half_x, one_plus], base)
        raise AssertionError(f"activation {name!r} passed check_exportable")


# ---------------------------------------------------------------------- one function per layer


def _dense(g: _GraphBuilder, layer: Dense, inputs: list[str]) -> str:
    y = g.op("MatMul", [inputs[0], g.const(f"{layer.name}/kernel", layer.kernel.numpy())],
             f"{layer.name}/matmul")
    if layer.bias is not None:
        y = g.op("Add", [y, g.const(f"{layer.name}/bias", layer.bias.numpy())],
                 f"{layer.name}/bias_add")
    return g.activation(layer.activation, y, layer)


def _activation(g: _GraphBuilder, layer: Activation, inputs: list[str]) -> str:
    return g.activation(layer.activation, inputs[0], layer)


def _same_pads(size: int | None, window: int, stride: int, dilation: int,
               layer: Any) -> tuple[int, int]:
    """Keras's "same" padding: the output is ceil(size / stride); any odd pixel of
    padding goes at the end (bottom/right)."""
    if size is None:
        raise ValueError(f"Cannot export layer '{layer.name}' with padding='same' when the "
                         "image size is unknown; give nn.Input the full image shape.")
    # The arithmetic the layers themselves run, on one axis (height 1 x size 1 image).
    win = window_2d(f"layer '{layer.name}'", (1, size, 1, 1), (window, 1), (stride, 1),
                    (dilation, 1), "same")
    return win.pad_top, win.pad_bottom


def _pads(layer: Any, input_shape: tuple, window: tuple, strides: tuple,
          dilation: tuple = (1, 1)) -> list[int]:
    if layer.padding == "valid":
        return [0, 0, 0, 0]
    (top, bottom), (left, right) = (
        _same_pads(size, k, s, d, layer)
        for size, k, s, d in zip(input_shape[1:3], window, strides, dilation, strict=True))
    return [top, left, bottom, right]


def _in_nchw(g: _GraphBuilder, layer: Any, x: str, op_type: str, inputs: list[str],
             **attrs: Any) -> str:
    """Run an NCHW op on an NHWC tensor: transpose in, the op, transpose out."""
    nchw = g.op("Transpose", [x], f"{layer.name}/to_nchw", perm=TO_NCHW)
    y = g.op(op_type, [nchw, *inputs], f"{layer.name}/{op_type.lower()}", **attrs)
    return g.op("Transpose", [y], f"{layer.name}/to_nhwc", perm=TO_NHWC)


def _input_shape(layer: Any) -> tuple:
    return tuple(layer._inbound_nodes[0].call_args.shape)


def _conv2d(g: _GraphBuilder, layer: Conv2D, inputs: list[str]) -> str:
    kernel = layer.kernel.numpy().transpose(3, 2, 0, 1)  # (kh, kw, in, out) -> (out, in, kh, kw)
    weights = [g.const(f"{layer.name}/kernel", kernel)]
    if layer.bias is not None:
        weights.append(g.const(f"{layer.name}/bias", layer.bias.numpy()))
    pads = _pads(layer, _input_shape(layer), layer.kernel_size, layer.strides,
                 layer.dilation_rate)
    y = _in_nchw(g, layer, inputs[0], "Conv", weights, kernel_shape=list(layer.kernel_size),
                 strides=list(layer.strides), dilations=list(layer.dilation_rate), pads=pads)
    return g.activation(layer.activation, y, layer)


def _pool(op_type: str):
    def emit(g: _GraphBuilder, layer: Any, inputs: list[str]) -> str:
        pads = _pads(layer, _input_shape(layer), layer.pool_size, layer.strides)
        return _in_nchw(g, layer, inputs[0], op_type, [], kernel_shape=list(layer.pool_size),
                        strides=list(layer.strides), pads=pads)

    return emit


def _global_pool(op_type: str):
    def emit(g: _GraphBuilder, layer: Any, inputs: list[str]) -> str:
        return g.op(op_type, [inputs[0]], f"{layer.name}/{op_type.lower()}", axes=[1, 2],
                    keepdims=int(layer.keepdims))

    return emit


def _batch_norm(g: _GraphBuilder, layer: BatchNormalization, inputs: list[str]) -> str:
    # Inference: y = x * scale + shift, with the moving statistics folded in (float64,
    # then float32, so the folding adds no error of its own).
    mean = layer.moving_mean.numpy().astype(np.float64)
    variance = layer.moving_variance.numpy().astype(np.float64)
    gamma = layer.gamma.numpy().astype(np.float64) if layer.gamma is not None else 1.0
    beta = layer.beta.numpy().astype(np.float64) if layer.beta is not None else 0.0
    scale = gamma / np.sqrt(variance + layer.epsilon)
    shift = beta - mean * scale
    shape = _input_shape(layer)
    axis = layer.axis % len(shape)
    feature_shape = [shape[a] if a == axis else 1 for a in range(1, len(shape))]
    y = g.op("Mul", [inputs[0], g.const(f"{layer.name}/scale", scale.reshape(feature_shape))],
             f"{layer.name}/scale_mul")
    return g.op("Add", [y, g.const(f"{layer.name}/shift", shift.reshape(feature_shape))],
                f"{layer.name}/shift_add")


def _dropout(g: _GraphBuilder, layer: Dropout, inputs: list[str]) -> str:
    return g.op("Identity", [inputs[0]], f"{layer.name}/identity")


def _flatten(g: _GraphBuilder, layer: Flatten, inputs: list[str]) -> str:
    return g.op("Flatten", [inputs[0]], f"{layer.name}/flatten", axis=1)


def _reshape(g: _GraphBuilder, layer: Reshape, inputs: list[str]) -> str:
    shape = g.const(f"{layer.name}/shape", [0, *layer.target_shape], dtype=np.int64)
    return g.op("Reshape", [inputs[0], shape], f"{layer.name}/reshape")


def _variadic(op_type: str):
    def emit(g: _GraphBuilder, layer: Any, inputs: list[str]) -> str:
        return g.op(op_type, inputs, f"{layer.name}/{op_type.lower()}")

    return emit


def _subtract(g: _GraphBuilder, layer: Subtract, inputs: list[str]) -> str:
    return g.op("Sub", inputs, f"{layer.name}/sub")


def _multiply(g: _GraphBuilder, layer: Multiply, inputs: list[str]) -> str:
    product = inputs[0]
    for other in inputs[1:]:
        product = g.op("Mul", [product, other], f"{layer.name}/mul")
    return product


def _concatenate(g: _GraphBuilder, layer: Concatenate, inputs: list[str]) -> str:
    return g.op("Concat", inputs, f"{layer.name}/concat", axis=layer.axis)


_EMITTERS = {
    Dense: _dense,
    Activation: _activation,
    Conv2D: _conv2d,
    MaxPooling2D: _pool("MaxPool"),
    AveragePooling2D: _pool("AveragePool"),
    GlobalMaxPooling2D: _global_pool("ReduceMax"),
    GlobalAveragePooling2D: _global_pool("ReduceMean"),
    BatchNormalization: _batch_norm,
    Dropout: _dropout,
    Flatten: _flatten,
    Reshape: _reshape,
    Add: _variadic("Sum"),
    Subtract: _subtract,
    Multiply: _multiply,
    Average: _variadic("Mean"),
    Concatenate: _concatenate,
}
