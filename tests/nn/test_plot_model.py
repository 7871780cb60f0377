"""keras.utils.plot_model / model_to_dot: always draws (Graphviz not needed)."""

import xml.etree.ElementTree as ET

import pytest

import nn
from nn import layers


def multi_input_model():
    title = nn.Input(shape=(None,), name="title")
    body = nn.Input(shape=(None,), name="body")
    tags = nn.Input(shape=(12,), name="tags")
    title_features = layers.LSTM(8)(layers.Embedding(100, 4)(title))
    body_features = layers.LSTM(4)(layers.Embedding(100, 4)(body))
    x = layers.concatenate([title_features, body_features, tags])
    priority = layers.Dense(1, name="priority")(x)
    department = layers.Dense(4, name="department")(x)
    return nn.Model([title, body, tags], [priority, department], name="ticket_model")


def test_dot_lists_every_layer_call_and_every_connection():
    model = multi_input_model()
    dot = nn.utils.model_to_dot(model, show_shapes=True)
    assert dot.startswith('digraph "ticket_model"')
    assert dot.count(" -> ") == 2 + 2 + 3 + 2  # embeddings, lstms, concatenate, heads
    for name in ("title (InputLayer)", "concatenate", "priority (Dense)", "(None, 4)"):
        assert name in dot, name


def test_svg_is_drawn_without_graphviz_and_is_valid(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)  # as on a machine without Graphviz
    path = tmp_path / "model.svg"
    nn.utils.plot_model(multi_input_model(), to_file=str(path), show_shapes=True,
                        show_layer_activations=True, show_dtype=True, show_trainable=True)
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}rect")) == 10  # 3 inputs, 2 embeddings, 2 lstms, concat, 2 heads
    assert len(root.findall(f"{ns}polyline")) == 9
    texts = " ".join(t.text for t in root.iter(f"{ns}text"))
    assert "department (Dense)" in texts and "dtype: float32" in texts
    assert "trainable: True" in texts


def test_residual_arrows_take_a_lane_beside_the_boxes(tmp_path):
    inputs = nn.Input((8,))
    x = layers.Dense(8)(inputs)
    y = layers.Dense(8)(layers.Dense(8)(x))
    model = nn.Model(inputs, layers.add([x, y]))
    path = tmp_path / "res.svg"
    nn.utils.plot_model(model, to_file=str(path))
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    lines = [p.get("points").split() for p in root.findall(f"{ns}polyline")]
    assert sorted(len(p) for p in lines) == [2, 2, 2, 2, 4]  # one skip, routed in 4 points
    right_edge = max(float(r.get("x")) + float(r.get("width")) for r in root.findall(f"{ns}rect"))
    skip = next(p for p in lines if len(p) == 4)
    assert float(skip[1].split(",")[0]) > right_edge


def test_png_and_dot_files_and_sequential_shapes(tmp_path):
    model = nn.Sequential([nn.Input((8,), name="features"), layers.Dense(4, activation="relu"),
                           layers.Dense(1)])
    png = tmp_path / "seq.png"
    nn.utils.plot_model(model, to_file=str(png), show_shapes=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dot_file = tmp_path / "seq.dot"
    nn.utils.plot_model(model, to_file=str(dot_file), show_shapes=True)
    text = dot_file.read_text()
    assert "features (InputLayer)" in text and "input: (None, 8)" in text
    assert "output: (None, 1)" in text and text.count(" -> ") == 2


def test_bad_arguments_are_explained(tmp_path):
    model = nn.Sequential([nn.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf or \.dot"):
        nn.utils.plot_model(model, to_file=str(tmp_path / "model.jpg"))
    with pytest.raises(ValueError, match="rankdir must be 'TB'"):
        nn.utils.model_to_dot(model, rankdir="BT")
