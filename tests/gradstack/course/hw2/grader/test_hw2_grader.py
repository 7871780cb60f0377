"""Grader test of the fixture hw2."""

import numpy as np

import autograd
import gradstack


def test_cube_backward_negative():
    ns = gradstack.run_cells("tutorials/cube_lesson.ipynb", through="hw2.cube_backward")
    x = autograd.tensor(-np.linspace(0.5, 3.0, 6).reshape(2, 3), requires_grad=True)
    assert autograd.gradcheck(ns["cube"], [x])
