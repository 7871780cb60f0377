"""``nn.models``: Model (and its functional form), Sequential, and summary().

- ``model.py``: Model, the base of every model (layers, get_layer, summary, the
  Trainer mixin from ``training.py``);
- ``functional.py``: nn.Model(inputs, outputs) - a graph of layer calls;
- ``sequential.py``: Sequential - a stack of layers;
- ``summary.py``: the summary() table;
- ``cloning.py``: clone_model and model_from_json (same architecture, new weights).
"""

from nn.models.cloning import clone_model, model_from_json
from nn.models.functional import Functional
from nn.models.model import Model
from nn.models.sequential import Sequential

__all__ = ["Model", "Functional", "Sequential", "load_model", "clone_model", "model_from_json"]
from nn.saving import load_model  # noqa: E402
