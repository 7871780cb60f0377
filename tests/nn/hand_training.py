"""Gradient descent written out by hand, for tests that check a layer or model trains
without going through compile/fit."""

import autograd


def train_by_hand(module, x, target, steps, learning_rate):
    """Take `steps` plain gradient-descent steps on the mean squared error between
    module(x) and target; return the loss before each step."""
    losses = []
    for _ in range(steps):
        loss = ((module(x) - target) ** 2).mean()
        losses.append(loss.item())
        for w in module.trainable_weights:
            w.grad = None
        loss.backward()
        with autograd.no_grad():
            for w in module.trainable_weights:
                w.sub_(learning_rate * w.grad.numpy())
    return losses
