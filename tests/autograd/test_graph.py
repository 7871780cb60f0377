"""Seeing the graph: text, DOT, matplotlib picture, and the backward tracer."""

import numpy as np
import pytest

import autograd

pytestmark = pytest.mark.engine


def small_graph():
    a = autograd.tensor(2.0, requires_grad=True, name="a")
    w = autograd.tensor([1.0, -1.0], requires_grad=True, name="w")
    return a, w, ((w * a).tanh() + 1.0).sum()


def test_text_drawing_shows_ops_names_values_and_shared_nodes():
    a = autograd.tensor(2.0, requires_grad=True, name="a")
    text = str(autograd.draw_graph(a * a + 1))
    lines = text.splitlines()
    assert lines[0].startswith("add0") and lines[0].endswith("<- Add")
    assert "<- Mul" in lines[1]
    assert "a  () float32  value 2." in lines[2]
    assert lines[3].endswith("a  (see above)")  # a is used twice, described once
    assert lines[4].endswith("constant 1")


def test_drawing_shows_gradients_once_known():
    a, w, loss = small_graph()
    loss.backward(retain_graph=True)
    lines = autograd.draw_graph(loss).text().splitlines()
    w_line = next(line for line in lines if "── w " in line)
    expected = np.array2string(w.grad.numpy(), precision=4, separator=", ")
    assert f"grad {expected}" in w_line


def test_dot_source_has_a_node_per_tensor_and_op_and_edges():
    _, _, loss = small_graph()
    drawing = autograd.draw_graph(loss)
    dot = drawing.source
    assert dot.startswith("digraph autograd {") and dot.rstrip().endswith("}")
    assert dot.count("shape=ellipse") == 4  # Mul, Tanh, Add, Sum
    assert dot.count("shape=box") == 6  # a, w, mul, tanh, add, sum
    assert dot.count("->") == 4 + 5  # op -> output, plus input -> op for each tensor input


def test_plot_draws_with_matplotlib():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    _, _, loss = small_graph()
    ax = autograd.draw_graph(loss).plot()
    labels = [t.get_text() for t in ax.texts]
    assert any(label.startswith("Tanh") for label in labels)
    assert any(label.startswith("w ") for label in labels)


def test_render_without_graphviz_explains_how_to_get_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_graphviz(name, *args, **kwargs):
        if name == "graphviz":
            raise ImportError("no graphviz here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    _, _, loss = small_graph()
    with pytest.raises(RuntimeError, match="pip install graphviz") as info:
        autograd.draw_graph(loss).render("/tmp/never")
    assert "print(draw_graph(t))" in str(info.value)
    assert autograd.draw_graph(loss)._repr_svg_() is None  # notebooks fall back to text


def test_drawing_a_released_graph_says_so():
    _, _, loss = small_graph()
    loss.backward()
    assert "graph freed by backward" in autograd.draw_graph(loss).text()


def test_trace_records_each_node_in_visit_order_with_gradients():
    a, w, loss = small_graph()
    with autograd.trace() as tr:
        loss.backward()
    assert [s.op for s in tr.steps] == ["Sum", "Add", "Tanh", "Mul", "leaf", "leaf"]
    mul = tr.steps[3]
    sent_to = {name: g for name, g, _ in mul.sent}
    # d/dw of w*a is a (=2) times the incoming grad; d/da sums w * grad
    np.testing.assert_allclose(sent_to["w"], 2.0 * mul.grad)
    np.testing.assert_allclose(sent_to["a"], np.sum(w.numpy() * mul.grad))
    assert all(where == "leaf: goes to .grad" for _, _, where in mul.sent)
    text = str(tr)
    assert text.splitlines()[0].split() == ["step", "node", "op", "gradient"]
    assert "added to w.grad" in text


def test_trace_is_inactive_outside_its_block():
    a, _, loss = small_graph()
    with autograd.trace() as tr:
        pass
    loss.backward()
    assert tr.steps == []
