"""Seeing the graph: draw it, and trace a backward pass step by step.

``draw_graph(t)`` describes the graph behind ``t``: tensor nodes (name or
shape, dtype, value when small, gradient when known) and op nodes.

- ``print(draw_graph(t))`` prints it as plain text (nothing to install);
- ``draw_graph(t).source`` is Graphviz DOT source; ``.render("g", "svg")`` and
  notebook display use the ``graphviz`` package and program when present;
- ``draw_graph(t).plot()`` draws it with matplotlib.

``trace()`` records what the engine does during ``backward()``::

    with autograd.trace() as tr:
        loss.backward()
    print(tr)          # one row per node, in the order the engine visited them

Draw the graph before ``backward()`` (or call backward with
``retain_graph=True``): backward frees the graph's links as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import engine
from .tensor import Tensor

# ---------------------------------------------------------------- labels


class _Labeler:
    """Stable, readable names for the tensors of one drawing or trace."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.counts: dict[str, int] = {}
        self.keep_alive: list[Tensor] = []  # ids stay unique while we hold the tensors

    def __call__(self, t: Tensor) -> str:
        key = id(t)
        if key not in self.names:
            if t.name:
                base = t.name
            elif t.grad_fn is not None:
                base = t.grad_fn.fn.__name__.lower()
            else:
                base = "leaf"
            n = self.counts.get(base, 0)
            self.counts[base] = n + 1
            self.names[key] = base if (t.name and n == 0) else f"{base}{n}"
            self.keep_alive.append(t)
        return self.names[key]


def _short(values: np.ndarray, limit: int = 6) -> str:
    values = np.asarray(values)
    if values.size > limit:
        return f"shape {values.shape}"
    text = np.array2string(values, precision=4, separator=", ", suppress_small=True)
    return text.replace("\n", "")


def _describe(t: Tensor, label: str, received: np.ndarray | None = None) -> list[str]:
    lines = [f"{label}  {t.shape} {t.dtype}"]
    if t.size <= 6:
        lines.append(f"value {_short(t.data)}")
    if t._grad is not None:  # _grad: reading .grad of an op's result would warn
        lines.append(f"grad {_short(t._grad.data)}")
    elif received is not None:
        lines.append(f"grad {_short(received)}")
    return lines


# ---------------------------------------------------------------- drawing


@dataclass
class _Node:
    key: str
    kind: str  # "tensor" or "op"
    lines: list[str]


@dataclass
class GraphDrawing:
    """The graph behind a tensor, ready to print, plot or render."""

    nodes: list[_Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    text_lines: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Graphviz DOT source: paste into any Graphviz viewer, or ``render``."""
        out = ["digraph autograd {", "  rankdir=BT;", '  node [fontname="Helvetica"];']
        for node in self.nodes:
            label = "\\n".join(line.replace('"', "'") for line in node.lines)
            if node.kind == "op":
                out.append(f'  {node.key} [label="{label}", shape=ellipse, style=filled, '
                           'fillcolor="#ffe0b2"];')
            else:
                out.append(f'  {node.key} [label="{label}", shape=box, style=rounded];')
        for a, b in self.edges:
            out.append(f"  {a} -> {b};")
        out.append("}")
        return "\n".join(out)

    def text(self) -> str:
        """The graph as an indented tree, from the output down to the leaves."""
        return "\n".join(self.text_lines)

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__

    def render(self, filename: str, format: str = "svg") -> str:  # noqa: A002
        """Write ``filename.<format>`` with Graphviz; returns the path written."""
        graphviz = _import_graphviz()
        return graphviz.Source(self.source).render(filename, format=format, cleanup=True)

    def _repr_svg_(self) -> str | None:
        # Jupyter shows this picture when Graphviz is installed, the text otherwise.
        try:
            graphviz = _import_graphviz()
            return graphviz.Source(self.source).pipe(format="svg").decode()
        except Exception:
            return None

    def plot(self, ax: Any = None, figsize: tuple[float, float] | None = None) -> Any:
        """Draw the graph with matplotlib (outputs at the top, leaves at the bottom)."""
        import matplotlib.pyplot as plt

        layer = _layers(self.nodes, self.edges)
        depth = max(layer.values()) + 1 if layer else 1
        rows: dict[int, list[str]] = {}
        for node in self.nodes:
            rows.setdefault(layer[node.key], []).append(node.key)
        width = max(len(r) for r in rows.values()) if rows else 1
        if ax is None:
            size = figsize or (max(4.0, 2.6 * width), max(3.0, 1.3 * depth))
            _, ax = plt.subplots(figsize=size)
        pos = {}
        for level, keys in rows.items():
            for j, key in enumerate(keys):
                pos[key] = ((j + 1) / (len(keys) + 1), 1 - (level + 0.5) / depth)
        artists = {}
        for node in self.nodes:
            x, y = pos[node.key]
            style = (dict(boxstyle="ellipse,pad=0.3", fc="#ffe0b2", ec="#e65100")
                     if node.kind == "op" else dict(boxstyle="round,pad=0.4", fc="#e3f2fd",
                                                    ec="#1565c0"))
            artists[node.key] = ax.text(x, y, "\n".join(node.lines), ha="center", va="center",
                                        fontsize=8, bbox=style)
        for a, b in self.edges:
            # Anchored to the two boxes (top centre of the input, bottom centre of its
            # consumer), so arrows never vanish behind boxes however the figure is sized.
            ax.annotate("", xy=(0.5, 0), xycoords=artists[b], xytext=(0.5, 1),
                        textcoords=artists[a],
                        arrowprops=dict(arrowstyle="->", color="#555555", shrinkA=2, shrinkB=2))
        ax.set_axis_off()
        return ax


def _layers(nodes: list[_Node], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Level of each node: 0 for the output, +1 per step towards the leaves
    (the longest path, so every arrow points upwards)."""
    level = {node.key: 0 for node in nodes}
    # Edges run from input to consumer; nodes were listed output-first, so a few
    # relaxation rounds settle the longest paths.
    for _ in range(len(nodes)):
        changed = False
        for a, b in edges:
            if level[a] < level[b] + 1:
                level[a] = level[b] + 1
                changed = True
        if not changed:
            break
    return level


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise RuntimeError(
            "Rendering needs the graphviz Python package and the Graphviz program: "
            "`pip install graphviz`, and `apt install graphviz` (Linux), `brew install "
            "graphviz` (macOS) or the installer from graphviz.org (Windows). Without them, "
            "print(draw_graph(t)) shows the graph as text and draw_graph(t).plot() draws it "
            "with matplotlib."
        ) from None
    return graphviz


def draw_graph(root: Tensor, trace: trace | None = None) -> GraphDrawing:
    """Describe the graph that produced ``root``.

    Tensors show their ``.grad`` when they have one. Pass the ``trace`` of a
    ``backward(retain_graph=True)`` to show the gradient every node received,
    intermediates included.

    >>> import autograd
    >>> a = autograd.tensor(2.0, requires_grad=True, name="a")
    >>> print(autograd.draw_graph(a * a + 1))
    add0  () float32  value 5.  <- Add
    ├── mul0  () float32  value 4.  <- Mul
    │   ├── a  () float32  value 2.
    │   └── a  (see above)
    └── constant 1
    """
    label = _Labeler()
    drawing = GraphDrawing()
    seen: set[int] = set()
    # Iterative walk from the output; each tensor node is described once.
    stack: list[tuple[Any, str, bool, str]] = [(root, "", True, "")]
    while stack:
        item, indent, last, parent_key = stack.pop()
        branch = "" if item is root else ("└── " if last else "├── ")
        if not isinstance(item, Tensor):
            drawing.text_lines.append(f"{indent}{branch}constant {_short(np.asarray(item))}")
            continue
        name = label(item)
        key = f"t{id(item)}"
        if parent_key:
            drawing.edges.append((key, parent_key))
        if id(item) in seen:
            drawing.text_lines.append(f"{indent}{branch}{name}  (see above)")
            continue
        seen.add(id(item))
        received = trace.received.get(id(item)) if trace is not None else None
        lines = _describe(item, name, received)
        ctx = item.grad_fn
        op = f"  <- {ctx.fn.__name__}" if ctx is not None else ""
        if ctx is not None and ctx.released:
            op += " (graph freed by backward)"
        drawing.text_lines.append(f"{indent}{branch}{'  '.join(lines)}{op}")
        drawing.nodes.append(_Node(key, "tensor", lines))
        if ctx is None or ctx.released:
            continue
        op_key = f"op{id(ctx)}"
        drawing.nodes.append(_Node(op_key, "op", [ctx.fn.__name__]))
        drawing.edges.append((op_key, key))
        child_indent = indent + ("" if item is root else ("    " if last else "│   "))
        shown = [x for x in ctx.inputs if isinstance(x, Tensor) or np.ndim(x) == 0]
        for k in range(len(shown) - 1, -1, -1):
            stack.append((shown[k], child_indent, k == len(shown) - 1, op_key))
    return drawing


# ---------------------------------------------------------------- tracing


@dataclass
class TraceStep:
    """One node visited by ``backward()``."""

    index: int
    node: str  # the tensor's label
    op: str  # the op that made it, or "leaf"
    grad: np.ndarray  # the gradient this node received (complete when visited)
    sent: list[tuple[str, np.ndarray, str]]  # (input, gradient sent, where it went)

    def __str__(self) -> str:
        head = f"{self.index:>3}  {self.node:<10} {self.op:<12} received {_short(self.grad)}"
        if self.op == "leaf":
            return head + f"  -> added to {self.node}.grad"
        parts = [head]
        for name, g, where in self.sent:
            parts.append(f"{'':<28}sent {_short(g)} to {name} ({where})")
        return "\n".join(parts)


class trace:
    """Record each step of ``backward()`` for step-through lessons.

    >>> import autograd
    >>> a = autograd.tensor(3.0, requires_grad=True, name="a")
    >>> b = a * a
    >>> with autograd.trace() as tr:
    ...     b.backward()
    >>> [step.op for step in tr.steps]
    ['Mul', 'leaf']
    """

    def __init__(self) -> None:
        self.steps: list[TraceStep] = []
        self.received: dict[int, np.ndarray] = {}  # id(tensor) -> gradient it received
        self._label = _Labeler()

    def __enter__(self) -> trace:
        self._previous = engine._tracer
        engine._tracer = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        engine._tracer = self._previous

    def record_node(self, tensor: Tensor, ctx: Any, grad: np.ndarray,
                    input_grads: tuple) -> None:
        rows = []
        for inp, needed, g in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
            if not needed or g is None:
                continue
            g = engine._fit_to_input(g, inp, ctx)  # as the engine stores it
            where = "leaf: goes to .grad" if inp.grad_fn is None else "summed until visited"
            rows.append((self._label(inp), np.array(g), where))
        self.received[id(tensor)] = np.array(grad)
        self.steps.append(TraceStep(len(self.steps), self._label(tensor),
                                    ctx.fn.__name__, np.array(grad), rows))

    def record_leaf(self, tensor: Tensor, grad: np.ndarray) -> None:
        self.received[id(tensor)] = np.array(grad)
        self.steps.append(TraceStep(len(self.steps), self._label(tensor), "leaf",
                                    np.array(grad), []))

    def __str__(self) -> str:
        header = f"{'step':>4} {'node':<10} {'op':<12} gradient"
        return "\n".join([header] + [str(s) for s in self.steps])

    __repr__ = __str__
