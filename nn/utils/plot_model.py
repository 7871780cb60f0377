"""``plot_model``: a picture of a model's layers and how they connect.

Keras needs pydot and the Graphviz program for this and fails without them;
gradstack always draws:

- ``.dot`` writes the Graphviz source (``model_to_dot(model)`` returns it as text);
- ``.svg`` is drawn by this module in plain Python (nothing to install), or by
  Graphviz's ``dot`` program when it is on the PATH and the file is ``.png``/``.pdf``;
- ``.png`` without Graphviz is drawn with matplotlib (the ``tutorials`` extra).

Without Graphviz the picture always runs top to bottom (``rankdir="LR"`` needs it).

Layers are boxes, top to bottom from the inputs, each with its name, class and
(``show_shapes=True``) its input and output shapes; arrows follow the data.

>>> import nn
>>> model = nn.Sequential([nn.Input((4,), name="pixels"), nn.layers.Dense(2, name="out")])
>>> print(nn.utils.model_to_dot(model, show_shapes=True).splitlines()[3])
  layer_0 [label="pixels (InputLayer)\\noutput: (None, 4)"];
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

__all__ = ["plot_model", "model_to_dot"]


@dataclass
class _Box:
    key: str
    lines: list[str]
    inputs: list[str] = field(default_factory=list)  # keys of the boxes feeding this one


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return str(tuple(shape)) if shape is not None else "?"


def _layer_lines(layer: Any, show_layer_names: bool, show_dtype: bool,
                 show_layer_activations: bool, show_trainable: bool) -> list[str]:
    title = f"{layer.name} ({type(layer).__name__})" if show_layer_names \
        else type(layer).__name__
    lines = [title]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, '__name__', str(activation))}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', '?')}")
    if show_trainable:
        lines.append(f"trainable: {layer.trainable}")
    return lines


def _boxes(model: Any, show_shapes: bool, **label_options: Any) -> list[_Box]:
    """One box per layer call, in an order where inputs come first."""
    nodes = model._graph_nodes() if hasattr(model, "_graph_nodes") else None
    boxes: list[_Box] = []
    if nodes is not None:  # a functional model: its recorded graph
        keys = {id(node): f"layer_{i}" for i, node in enumerate(nodes)}
        for node in nodes:
            lines = _layer_lines(node.layer, **label_options)
            inputs = [keys[id(t.node)] for t in node.input_tensors if id(t.node) in keys]
            if show_shapes:
                if inputs:
                    lines.append(f"input: {_shape_text(node.input_shapes)}")
                lines.append(f"output: {_shape_text(node.output_shapes)}")
            boxes.append(_Box(keys[id(node)], lines, inputs))
        return boxes
    # A Sequential model (a chain) or a subclassed one (its layers, in order).
    chain = list(getattr(model, "_all_layers", lambda: model.layers)())
    shapes = [t.shape for t in getattr(model, "_graph_tensors", [])]
    offset = 0 if chain and type(chain[0]).__name__ == "InputLayer" else 1
    for i, layer in enumerate(chain):
        lines = _layer_lines(layer, **label_options)
        if show_shapes:
            index = i + offset  # shapes[0] is the input's
            if 0 < index < len(shapes):
                lines.append(f"input: {_shape_text(shapes[index - 1])}")
            if index < len(shapes):
                lines.append(f"output: {_shape_text(shapes[index])}")
        boxes.append(_Box(f"layer_{i}", lines, [f"layer_{i - 1}"] if i else []))
    return boxes


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 96, show_layer_activations: bool = False,
                 show_trainable: bool = False, **kwargs: Any) -> str:
    """The model's layer graph as Graphviz DOT source (text)."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right), got "
                         f"{rankdir!r}.")
    boxes = _boxes(model, show_shapes, show_layer_names=show_layer_names, show_dtype=show_dtype,
                   show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    out = [f'digraph "{model.name}" {{', f"  rankdir={rankdir}; dpi={int(dpi)};",
           '  node [shape=box, style=rounded, fontname="Helvetica"];']
    for box in boxes:
        label = "\\n".join(line.replace('"', "'") for line in box.lines)
        out.append(f'  {box.key} [label="{label}"];')
    for box in boxes:
        for source in box.inputs:
            out.append(f"  {source} -> {box.key};")
    out.append("}")
    return "\n".join(out)


# ---------------------------------------------------------------- drawing without Graphviz

_CHAR_WIDTH, _LINE_HEIGHT, _PAD, _GAP_X, _GAP_Y, _LANE = 7.2, 16, 10, 30, 36, 14


def _edges(boxes: list[_Box]) -> list[list[tuple[float, float]]]:
    """Each arrow as a polyline. An arrow to the next row goes straight down; one that
    skips rows (a residual connection) takes its own lane right of the boxes, so it
    never crosses one."""
    places, level = _layout(boxes), _levels(boxes)
    right = max((x + w for x, _, w, _ in places.values()), default=0)
    lines, lane = [], 0
    for box in boxes:
        x, y, w, h = places[box.key]
        for source in box.inputs:
            sx, sy, sw, sh = places[source]
            if level[box.key] - level[source] <= 1:
                lines.append([(sx + sw / 2, sy + sh), (x + w / 2, y)])
                continue
            lane += 1
            side = right + _LANE * lane
            lines.append([(sx + sw, sy + sh / 2), (side, sy + sh / 2), (side, y + h / 2),
                          (x + w, y + h / 2)])
    return lines


def _canvas(boxes: list[_Box]) -> tuple[float, float]:
    places = _layout(boxes)
    skips = sum(1 for line in _edges(boxes) if len(line) > 2)
    width = max((x + w for x, _, w, _ in places.values()), default=0) + _GAP_X / 2
    height = max((y + h for _, y, _, h in places.values()), default=0) + _GAP_Y / 2
    return width + _LANE * skips, height


def _levels(boxes: list[_Box]) -> dict[str, int]:
    level: dict[str, int] = {}
    for box in boxes:  # inputs come first, so one pass settles the levels
        level[box.key] = 1 + max((level[k] for k in box.inputs), default=-1)
    return level


def _layout(boxes: list[_Box]) -> dict[str, tuple[float, float, float, float]]:
    """x, y, width, height per box: rows by longest path from an input, boxes of a
    row side by side, every row centred."""
    level: dict[str, int] = {}
    for box in boxes:  # inputs come first, so one pass settles the levels
        level[box.key] = 1 + max((level[k] for k in box.inputs), default=-1)
    rows: dict[int, list[_Box]] = {}
    for box in boxes:
        rows.setdefault(level[box.key], []).append(box)
    sizes = {b.key: (max(len(line) for line in b.lines) * _CHAR_WIDTH + 2 * _PAD,
                     len(b.lines) * _LINE_HEIGHT + 2 * _PAD) for b in boxes}
    widths = {r: sum(sizes[b.key][0] for b in row) + _GAP_X * (len(row) - 1)
              for r, row in rows.items()}
    total = max(widths.values(), default=0)
    places, y = {}, _GAP_Y / 2
    for r in sorted(rows):
        x = (total - widths[r]) / 2 + _GAP_X / 2
        height = max(sizes[b.key][1] for b in rows[r])
        for b in rows[r]:
            w, h = sizes[b.key]
            places[b.key] = (x, y + (height - h) / 2, w, h)
            x += w + _GAP_X
        y += height + _GAP_Y
    return places


def _svg(boxes: list[_Box]) -> str:
    places = _layout(boxes)
    width, height = _canvas(boxes)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="12">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
           '</defs>']
    for line in _edges(boxes):
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in line)
        out.append(f'<polyline points="{points}" fill="none" stroke="#555" '
                   'marker-end="url(#arrow)"/>')
    for box in boxes:
        x, y, w, h = places[box.key]
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
                   'fill="#e3f2fd" stroke="#1565c0"/>')
        for i, line in enumerate(box.lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + _PAD + (i + 0.75) * _LINE_HEIGHT:.1f}" '
                       f'text-anchor="middle"{weight}>{html.escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _matplotlib_png(boxes: list[_Box], path: str, dpi: int) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_model(to_file='....png') without Graphviz draws with matplotlib: "
                          "pip install 'gradstack[tutorials]' (or matplotlib), or save as .svg, "
                          "which needs nothing.") from None
    places = _layout(boxes)
    width, height = _canvas(boxes)
    fig = plt.figure(figsize=(width / 72, height / 72), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    for line in _edges(boxes):
        xs, ys = zip(*line)
        ax.plot(xs[:-1], ys[:-1], color="#555555", linewidth=1)
        ax.annotate("", xy=line[-1], xytext=line[-2],
                    arrowprops=dict(arrowstyle="->", color="#555555"))
    for box in boxes:
        x, y, w, h = places[box.key]
        ax.add_patch(plt.Rectangle((x, y), w, h, facecolor="#e3f2fd", edgecolor="#1565c0"))
        ax.text(x + w / 2, y + h / 2, "\n".join(box.lines), ha="center", va="center",
                fontsize=9)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 96, show_layer_activations: bool = False,
               show_trainable: bool = False, **kwargs: Any) -> Any:
    """Draw ``model`` to ``to_file`` (``.png``, ``.svg``, ``.pdf`` or ``.dot``), as
    ``keras.utils.plot_model`` does; in a notebook the picture is returned for display.

    >>> import nn, tempfile, os
    >>> model = nn.Sequential([nn.Input((4,)), nn.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.svg")
    >>> _ = nn.utils.plot_model(model, to_file=path, show_shapes=True)
    >>> open(path).read().startswith("<svg")
    True
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    extension = os.path.splitext(str(to_file))[1].lower().lstrip(".") or "png"
    if extension not in ("png", "svg", "pdf", "dot"):
        raise ValueError(f"plot_model: to_file must end in .png, .svg, .pdf or .dot, got "
                         f"{to_file!r}.")
    graphviz = shutil.which("dot")
    if extension == "dot":
        with open(to_file, "w", encoding="utf-8") as f:
            f.write(dot + "\n")
    elif graphviz is not None and (extension in ("png", "pdf") or rankdir == "LR"):
        subprocess.run([graphviz, f"-T{extension}", "-o", str(to_file)], input=dot.encode(),
                       check=True, capture_output=True)
    else:
        boxes = _boxes(model, show_shapes, show_layer_names=show_layer_names,
                       show_dtype=show_dtype, show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
        if extension == "svg":
            with open(to_file, "w", encoding="utf-8") as f:
                f.write(_svg(boxes) + "\n")
        elif extension == "png":
            _matplotlib_png(boxes, str(to_file), dpi)
        else:
            raise RuntimeError("plot_model: a .pdf needs the Graphviz program (apt install "
                               "graphviz); .svg and .png work without it.")
    return _display(str(to_file), extension)


def _display(path: str, extension: str) -> Any:
    """An IPython image object when IPython is there (a notebook shows it), else None."""
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "png":
        return display.Image(filename=path)
    if extension == "svg":
        return display.SVG(filename=path)
    return None
