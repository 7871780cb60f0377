"""How nn is put together: the import directions and the call context.

The class registry is a leaf every module can import; layers know nothing of
models or saving beyond it; per-call state lives in one call context per thread.
"""

from __future__ import annotations

import ast
import pathlib
import sys
import threading

import numpy as np
import pytest

import nn
from nn.layers.call_context import current_call_context

pytestmark = pytest.mark.layers

NN = pathlib.Path(nn.__file__).parent


def imported_modules(path: pathlib.Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(NN.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            else:
                found.add(node.module)
    return found


def test_the_registry_imports_nothing_from_nn():
    modules = imported_modules(NN / "saving" / "registry.py")
    assert modules, "the parser found no imports at all"
    assert not [m for m in modules if m == "nn" or m.startswith("nn.")]


@pytest.mark.parametrize("path", sorted((NN / "layers").glob("*.py")), ids=lambda p: p.name)
def test_layer_modules_import_no_models_and_only_the_registry_side_of_saving(path):
    for module in imported_modules(path):
        assert not module.startswith("nn.models"), f"{path.name} imports {module}"
        if module.startswith("nn.saving"):
            assert module in ("nn.saving.registry", "nn.saving.serialization"), (
                f"{path.name} imports {module}")


def test_every_builtin_layer_module_registers_its_classes_by_name():
    # One explicit register(...) line per public class, in the file that defines it.
    for cls in (nn.layers.Dense, nn.layers.Conv2D, nn.layers.Dropout, nn.Sequential):
        source = pathlib.Path(__import__(cls.__module__, fromlist=["_"]).__file__).read_text()
        assert f"register({cls.__name__})" in source


def test_no_call_context_outside_a_call():
    nn.layers.Dense(2)(np.ones((1, 3)))
    assert current_call_context() is None


def test_the_call_context_is_closed_after_an_error():
    class Fails(nn.layers.Layer):
        def call(self, inputs):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        nn.Sequential([nn.Input(shape=(2,)), nn.layers.Dense(2), Fails()], name="s")([[1.0, 2.0]])
    assert current_call_context() is None


def test_nested_layers_inherit_training_and_an_inner_value_wins_below_it():
    seen = {}

    class Probe(nn.layers.Layer):
        def call(self, inputs, training=None):
            seen[self.name] = training
            return inputs

    class Inner(nn.Model):
        def __init__(self):
            super().__init__()
            self.probe = Probe(name="inner_probe")

        def call(self, inputs):
            return self.probe(inputs)

    class Outer(nn.Model):
        def __init__(self):
            super().__init__()
            self.probe = Probe(name="outer_probe")
            self.inner = Inner()

        def call(self, inputs):
            return self.inner(self.probe(inputs), training=False)

    Outer()(np.ones((1, 2)), training=True)
    assert seen == {"outer_probe": True, "inner_probe": False}


def test_the_training_flag_is_per_thread():
    """A thread inside a training call does not switch training on for another."""
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    class Probe(nn.layers.Layer):
        def call(self, inputs, training=None):
            if threading.current_thread().name == "trainer" and training:
                inside.set()
                release.wait(10)
            seen[threading.current_thread().name] = training
            return inputs

    def run(name, training):
        model = nn.Sequential([nn.Input(shape=(2,)), Probe()])
        if name == "predictor":
            inside.wait(10)
        model(np.ones((1, 2)), training=training)
        if name == "predictor":
            release.set()

    threads = [threading.Thread(target=run, args=("trainer", True), name="trainer"),
               threading.Thread(target=run, args=("predictor", None), name="predictor")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen == {"trainer": True, "predictor": None}


def test_add_loss_values_of_one_thread_stay_out_of_another_threads_model():
    class Penalty(nn.layers.Layer):
        def call(self, inputs):
            self.add_loss(inputs.sum())
            return inputs

    models = [nn.Sequential([nn.Input(shape=(1,)), Penalty()]) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(model, value):
        for _ in range(50):
            barrier.wait(10)
            model(np.full((1, 1), value))

    threads = [threading.Thread(target=run, args=(m, v)) for m, v in zip(models, (1.0, 2.0),
                                                                             strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert [[loss.item() for loss in m.losses] for m in models] == [[1.0], [2.0]]


def test_a_layer_whose_init_forgets_super_init_is_told_to_call_it():
    class MyDense(nn.layers.Layer):
        def __init__(self, units):
            self.units = units  # no super().__init__()

        def call(self, inputs):
            return inputs

    with pytest.raises(AttributeError) as info:
        MyDense(2)(np.ones((1, 2)))
    text = str(info.value)
    assert "call `super().__init__(**kwargs)` first in `__init__`" in text
    assert "MyDense" in text


def test_a_missing_attribute_of_a_proper_layer_keeps_its_usual_message():
    with pytest.raises(AttributeError, match="'Dense' object has no attribute 'nope'"):
        nn.layers.Dense(2).nope  # noqa: B018
    assert getattr(nn.layers.Dense(2), "nope", "default") == "default"


def test_automatic_names_are_unique_under_threads():
    names: list[list[str]] = [[] for _ in range(4)]
    barrier = threading.Barrier(4)

    def create(out):
        barrier.wait(10)
        out.extend(nn.layers.Dense(1).name for _ in range(2000))

    threads = [threading.Thread(target=create, args=(out,)) for out in names]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke races
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    everything = [name for out in names for name in out]
    assert len(everything) == 8000
    assert len(set(everything)) == 8000


def test_every_public_layer_class_is_registered_for_saved_files():
    from nn.saving import registry

    classes = [getattr(nn.layers, name) for name in nn.layers.__all__]
    layer_classes = [c for c in classes if isinstance(c, type) and issubclass(c, nn.layers.Layer)
                     and c is not nn.layers.Layer]
    assert len(layer_classes) > 20
    for cls in layer_classes + [nn.Sequential, nn.Model, nn.models.Functional]:
        assert registry.get_registered_class(cls.__name__) is cls, cls.__name__
