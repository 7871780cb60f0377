"""``nn.export``: models out of gradstack, for other runtimes.

- ``export_onnx(model, "model.onnx")`` (or ``model.export("model.onnx",
  format="onnx")``, Keras 3's spelling): an ONNX graph for ONNX Runtime
  (``onnx_export.py``; needs the ``interop`` extra).

Whole models in Keras 3's own format are ``model.save("model.keras")``
(``nn/saving/keras_format``).
"""

from nn.export.onnx_export import export_onnx

__all__ = ["export_onnx"]
