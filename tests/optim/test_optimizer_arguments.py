"""Optimizer settings outside their range are refused, naming argument, value and range."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import optim

pytestmark = pytest.mark.training


@pytest.mark.parametrize(
    "make, argument, value, allowed",
    [
        (optim.Adam, "beta_1", 1.5, "in [0, 1)"),
        (optim.Adam, "beta_1", 1.0, "in [0, 1)"),
        (optim.Adam, "beta_2", -0.1, "in [0, 1)"),
        (optim.AdamW, "beta_1", 2.0, "in [0, 1)"),
        (optim.Adam, "epsilon", -1.0, ">= 0"),
        (optim.AdamW, "epsilon", math.nan, ">= 0"),
        (optim.RMSprop, "rho", 2.0, "in [0, 1)"),
        (optim.RMSprop, "rho", -0.5, "in [0, 1)"),
        (optim.RMSprop, "momentum", -0.1, "in [0, 1]"),
        (optim.RMSprop, "epsilon", -1e-7, ">= 0"),
        (optim.SGD, "momentum", 1.5, "in [0, 1]"),
        (optim.SGD, "momentum", "0.9", "in [0, 1]"),
        (optim.Adagrad, "initial_accumulator_value", -0.1, ">= 0"),
        (optim.Adagrad, "epsilon", -1.0, ">= 0"),
        (optim.SGD, "weight_decay", -1.0, ">= 0"),
        (optim.AdamW, "weight_decay", -0.01, ">= 0"),
        (optim.SGD, "clipnorm", -1.0, ">= 0"),
        (optim.Adam, "clipvalue", -0.5, ">= 0"),
        (optim.RMSprop, "global_clipnorm", -2.0, ">= 0"),
        (optim.SGD, "clipnorm", math.inf, ">= 0"),
    ],
)
def test_a_setting_out_of_range_names_the_argument_the_value_and_the_range(
        make, argument, value, allowed):
    with pytest.raises(ValueError) as info:
        make(0.01, **{argument: value})
    message = str(info.value)
    assert message.startswith(f"{make.__name__}: {argument} must be a number {allowed}")
    assert f"but got {argument}={value!r}" in message


def test_a_negative_clipnorm_would_have_climbed_the_loss():
    # Why the check exists: with clipnorm=-1 the scale -1/max(|g|, -1) flips the step.
    w = autograd.tensor([3.0], requires_grad=True)
    with pytest.raises(ValueError, match="turn descent into ascent"):
        optim.SGD([w], learning_rate=0.1, clipnorm=-1.0)


@pytest.mark.parametrize(
    "make, settings",
    [
        (optim.Adam, dict(beta_1=0.0, beta_2=0.0, epsilon=0.0)),
        (optim.RMSprop, dict(rho=0.0, momentum=1.0, epsilon=0.0)),
        (optim.SGD, dict(momentum=1.0, weight_decay=0.0, clipnorm=0.0)),
        (optim.Adagrad, dict(initial_accumulator_value=0.0)),
        (optim.AdamW, dict(weight_decay=0.0, clipvalue=None, global_clipnorm=None)),
        (optim.SGD, dict(momentum=np.float32(0.5), clipvalue=np.float64(1.0))),
    ],
)
def test_settings_at_the_edge_of_their_range_are_accepted(make, settings):
    opt = make(0.01, **settings)
    for name, value in settings.items():
        assert getattr(opt, name) == value


def test_clipnorm_zero_means_off_as_in_keras():
    w = autograd.tensor([3.0, 4.0], requires_grad=True)
    opt = optim.SGD([w], learning_rate=0.1, clipnorm=0.0)
    (w * autograd.tensor([3.0, 4.0])).sum().backward()  # gradient (3, 4), norm 5
    opt.step()
    np.testing.assert_allclose(w.numpy(), [3.0 - 0.3, 4.0 - 0.4], rtol=1e-6)
