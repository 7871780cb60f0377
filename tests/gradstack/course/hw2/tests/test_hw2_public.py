"""Public test of the fixture hw2: the notebook's Cube, checked by gradcheck."""

import numpy as np

import autograd
import gradstack


def check_cube_backward(ns):
    x = autograd.tensor(np.array([0.5, -1.2, 2.0]), requires_grad=True)
    assert autograd.gradcheck(ns["cube"], [x])


def test_cube_backward():
    check_cube_backward(gradstack.run_cells("tutorials/cube_lesson.ipynb",
                                            through="hw2.cube_backward"))
