"""Lesson 2's exercise: predict the side of a convolution's or a pooling's output.

The check asks the real layers for the shape they give square images of many sizes and
compares the side with yours.
"""

import gradstack
import nn

# (side, window, stride): the lesson's own model first, then odd cases (a window as large
# as the image, a stride larger than the window, sides the stride does not divide).
CASES = [(320, 4, 2), (159, 3, 1), (157, 3, 3), (52, 3, 1), (12, 2, 2),
         (8, 8, 1), (9, 2, 3), (10, 3, 4), (7, 1, 1), (31, 5, 2), (6, 4, 5)]


def check_output_side(ns):
    output_side = ns["output_side"]
    for side, window, stride in CASES:
        # Explicit names, and shapes without weights: the check leaves the lesson's
        # automatic layer names and random draws as they were.
        for name, layer in (
                ("Conv2D", nn.layers.Conv2D(1, window, strides=stride, name="check_conv")),
                ("MaxPooling2D", nn.layers.MaxPooling2D(window, strides=stride,
                                                        name="check_pool"))):
            expected = layer.compute_output_shape((None, side, side, 1))[1]
            got = output_side(side, window, stride)
            assert got == expected, (
                f"output_side({side}, {window}, {stride}) returned {got!r}, but "
                f"{name}({'1, ' if name == 'Conv2D' else ''}{window}, strides={stride}) on a "
                f"{side}x{side} image gives {expected}x{expected}: how many windows of "
                f"{window} fit, moving by {stride}?")


def test_output_side():
    check_output_side(gradstack.run_cells("tutorials/02_the_sequential_model.ipynb",
                                          through="lesson2.output_side"))
