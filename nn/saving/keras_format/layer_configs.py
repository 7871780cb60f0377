"""One layer's config, between gradstack's form and Keras 3's.

gradstack's layers take Keras's argument names, so most of a config moves as it
is. What differs is spelled out here, per class:

- Keras wraps every object in ``{"module", "class_name", "config",
  "registered_name"}`` and the dtype in a ``DTypePolicy``; gradstack stores
  ``{"class_name", "config"}`` and a dtype name.
- Keras has arguments gradstack does not (``kernel_constraint``, ``groups``,
  ``renorm``, ...). ``KERAS_ONLY`` lists each with the value that means "what
  gradstack does"; a Keras file holding another value is refused by name rather
  than loaded into a layer that would compute something else.
- ``InputLayer`` calls its shape ``batch_shape`` in Keras 3.

Class names resolve only through ``nn.saving.registry``: gradstack's built-ins
and classes you registered. A file can never make gradstack import a module.
"""

from __future__ import annotations

from typing import Any

from nn.saving.registry import _USER_CLASSES, get_registered_class

# The `module` Keras writes for its own classes. Any other module is a user's code.
KERAS_MODULES = ("keras", "keras.layers", "keras.src.models.functional", "keras.models",
                 "keras.src.models.sequential", "keras.initializers", "keras.regularizers")

# The layers whose Keras 3 form (config and weight paths) this package writes and
# reads. Others (a generic RNN(cell) and the text layers, so far) are refused by name,
# both ways.
SUPPORTED_LAYERS = ("InputLayer", "Dense", "Activation", "Conv2D", "MaxPooling2D",
                    "AveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D",
                    "BatchNormalization", "Dropout", "Flatten", "Reshape", "Add", "Subtract",
                    "Multiply", "Average", "Concatenate", "Embedding", "Masking", "SimpleRNN",
                    "LSTM", "GRU", "Bidirectional", "TimeDistributed",
                    "Maximum", "Minimum", "Dot", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
                    "UpSampling2D", "ZeroPadding2D", "Cropping2D", "RepeatVector", "Permute",
                    "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "Rescaling",
                    "Resizing", "CenterCrop", "Normalization",
                    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                    "RandomContrast", "Conv1D", "MaxPooling1D", "AveragePooling1D",
                    "GlobalMaxPooling1D", "GlobalAveragePooling1D", "UpSampling1D",
                    "Cropping1D", "LayerNormalization", "ZeroPadding1D",
                    "MultiHeadAttention", "Attention", "AdditiveAttention",
                    "Sequential", "Functional", "Model")

# Layers holding layers: the config keys that hold one (a Keras spec inside a Keras
# config, a gradstack spec inside gradstack's).
WRAPPED_LAYER_KEYS = {"Bidirectional": ("layer", "backward_layer"), "TimeDistributed": ("layer",)}

_CONSTRAINTS = {"kernel_constraint": None, "bias_constraint": None}

# Keras-only arguments and the value gradstack's layer behaves as.
KERAS_ONLY: dict[str, dict[str, Any]] = {
    "Dense": {**_CONSTRAINTS, "quantization_config": None},
    "Conv2D": {"groups": 1, **_CONSTRAINTS},
    "Conv2DTranspose": dict(_CONSTRAINTS),
    "DepthwiseConv2D": {"depthwise_constraint": None, "bias_constraint": None},
    "SeparableConv2D": {"depthwise_constraint": None, "pointwise_constraint": None,
                        "bias_constraint": None},
    "Conv1D": {"groups": 1, **_CONSTRAINTS},
    "LayerNormalization": {"beta_constraint": None, "gamma_constraint": None,
                           "rms_scaling": False},
    "BatchNormalization": {"beta_constraint": None, "gamma_constraint": None,
                           "synchronized": False, "renorm": False, "renorm_clipping": None},
    "Flatten": {},
    "ZeroPadding1D": {"data_format": "channels_last"},
    "MultiHeadAttention": {"use_gate": False, "sliding_window": None, **_CONSTRAINTS},
    "Resizing": {"fill_mode": "constant", "fill_value": 0.0, "antialias": False},
    "Embedding": {"embeddings_constraint": None, "quantization_config": None},
    "SimpleRNN": {"kernel_constraint": None, "recurrent_constraint": None,
                  "bias_constraint": None},
    "LSTM": {"kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None},
    "GRU": {"kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None},
}
# Low-rank adapters (Keras writes these only when they are set): gradstack has none.
_LORA = {"lora_rank": None, "lora_alpha": None}
# Keras-only arguments that change nothing while the ones above hold their values.
IGNORED = {"BatchNormalization": ("renorm_momentum",)}

# Arguments every layer has; the rest of a config is the class's own.
_COMMON = ("name", "trainable", "dtype")


# ---------------------------------------------------------------------- writing


def to_keras_layer(class_name: str, config: dict) -> dict:
    """``{"module", "class_name", "config", "registered_name"}`` for Keras, from a
    gradstack layer's class name and ``get_config()``."""
    config = {key: _object_to_keras(value) for key, value in config.items()
              if key != "batch_input_shape"}
    if "dtype" in config:
        config["dtype"] = dtype_policy(config["dtype"])
    if class_name == "InputLayer":
        config = {"batch_shape": config.pop("batch_input_shape", None), **config}
    config.update(KERAS_ONLY.get(class_name, {}))
    return {"module": "keras.layers", "class_name": class_name, "config": config,
            "registered_name": None}


def input_layer_to_keras(layer: Any) -> dict:
    shape = list(layer._batch_input_shape)
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": shape, "dtype": layer.dtype, "sparse": False,
                       "ragged": False, "name": layer.name, "optional": False},
            "registered_name": None}


def dtype_policy(name: str) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}


def _object_to_keras(value: Any) -> Any:
    """Initializers and regularizers: gradstack's {"class_name", "config"} gets
    Keras's module beside it."""
    if isinstance(value, dict) and set(value) == {"class_name", "config"}:
        return {"module": _object_module(value["class_name"]), "class_name": value["class_name"],
                "config": value["config"], "registered_name": None}
    return value


def _object_module(class_name: str) -> str:
    if class_name in ("L1", "L2", "L1L2"):
        return "keras.regularizers"
    return "keras.initializers"


# ---------------------------------------------------------------------- reading


class KerasConfigError(ValueError):
    """A Keras config that gradstack cannot (or must not) turn into its layers."""


def resolve_class(spec: dict, custom_objects: dict | None, where: str) -> type:
    """The gradstack class a Keras ``{"module", "class_name", ...}`` entry names,
    without importing anything."""
    class_name = spec.get("class_name")
    module = spec.get("module")
    registered = spec.get("registered_name")
    if not isinstance(class_name, str) or not class_name.isidentifier():
        raise KerasConfigError(f"{where} has no valid class name ({str(class_name)[:80]!r}).")
    if class_name == "Lambda":
        raise KerasConfigError(
            f"{where} is a Lambda layer, which holds Python code (marshalled bytecode). "
            "gradstack never runs code from a file. Rewrite the Lambda as a Layer subclass, "
            "register it with @nn.saving.register_serializable(), and save again from Keras.")
    if module is not None and module not in KERAS_MODULES:
        # A user's class: Keras names it "package>Name". We only look the name up.
        # Only a class *you* registered may answer to it, never a built-in of that name.
        name = registered.split(">")[-1] if isinstance(registered, str) else class_name
        found = (custom_objects or {}).get(name) or _USER_CLASSES.get(name)
        if found is None:
            raise KerasConfigError(
                f"{where} is the class {class_name!r} from the module {str(module)[:80]!r}. "
                "gradstack never imports modules named by a file: register a gradstack "
                f"class under the name {name!r} with @nn.saving.register_serializable() "
                "(or pass custom_objects={...}) to load it.")
        return found
    try:
        cls = get_registered_class(class_name, custom_objects)
    except KeyError:
        raise KerasConfigError(
            f"{where} is the Keras class {class_name!r}, which gradstack does not have. "
            "A file may only name gradstack's built-in classes and classes you registered "
            "with @nn.saving.register_serializable().") from None
    yours = cls in (_USER_CLASSES.get(class_name), (custom_objects or {}).get(class_name))
    if not yours and cls.__name__ not in SUPPORTED_LAYERS:
        raise KerasConfigError(
            f"{where} is a {class_name} layer. gradstack has {class_name}, but does not read "
            f"its Keras 3 form yet (it reads {', '.join(SUPPORTED_LAYERS[:-3])}).")
    return cls


def from_keras_layer_config(class_name: str, config: Any, where: str) -> dict:
    """gradstack's ``get_config()`` form of a Keras layer config."""
    if not isinstance(config, dict):
        raise KerasConfigError(f"{where} has a config that is not an object.")
    config = dict(config)
    if class_name == "InputLayer":
        return _input_layer_config(config, where)
    for key, expected in {**KERAS_ONLY.get(class_name, {}), **_LORA}.items():
        value = config.pop(key, expected)
        if value != expected:
            raise KerasConfigError(
                f"{where} ({class_name}) sets {key}={str(value)[:60]}, which "
                f"gradstack's {class_name} does not support (only {key}={expected!r}). Remove "
                "it in Keras before saving, or keep this model in Keras.")
    for key in IGNORED.get(class_name, ()):
        config.pop(key, None)
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "dtype":
            out[key] = _dtype_name(value, where)
        elif isinstance(value, dict) and "class_name" in value:
            out[key] = _object_from_keras(value, where, key)
        else:
            out[key] = value
    if out.get("data_format") == "channels_first":
        raise KerasConfigError(
            f"{where} ({class_name}) uses data_format='channels_first'; gradstack's layers "
            "are channels last (NHWC) only.")
    return out


def _input_layer_config(config: dict, where: str) -> dict:
    for key in ("sparse", "ragged", "optional"):
        if config.get(key):
            raise KerasConfigError(f"{where} is an InputLayer with {key}=True, which gradstack "
                                   "does not support.")
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if not isinstance(shape, list):
        raise KerasConfigError(f"{where} is an InputLayer without a batch_shape.")
    dtype = config.get("dtype")
    if dtype not in ("int32", "int64"):  # token ids for an Embedding
        dtype = _dtype_name(dtype, where)
    return {"batch_input_shape": shape, "dtype": dtype, "name": config.get("name")}


def _dtype_name(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        name = value
    elif isinstance(value, dict) and value.get("class_name") == "DTypePolicy":
        name = (value.get("config") or {}).get("name")
    else:
        raise KerasConfigError(f"{where} has a dtype policy gradstack does not know "
                               f"({str(value)[:80]}).")
    if name not in (None, "float32", "float64", "float16"):
        raise KerasConfigError(
            f"{where} uses the dtype policy {str(name)[:40]!r}; gradstack computes in "
            "float32 or float64 (mixed precision is not supported).")
    return name


def _object_from_keras(value: dict, where: str, key: str) -> dict:
    module = value.get("module")
    if module is not None and module not in KERAS_MODULES:
        raise KerasConfigError(
            f"{where}: its {key} is {value.get('class_name')!r} from the module "
            f"{str(module)[:80]!r}; gradstack never imports modules named by a file.")
    config = dict(value.get("config") or {})
    for optional in ("input_axes", "output_axes"):  # Keras's einsum fans; None means ours
        if config.get(optional, None) is None:
            config.pop(optional, None)
    return {"class_name": value.get("class_name"), "config": config}
