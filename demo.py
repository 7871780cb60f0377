"""The gradstack demo: differentiate a small computation and show its graph."""

import autograd

w = autograd.tensor([[0.5, -1.0], [2.0, 0.1]], requires_grad=True, name="w")
x = autograd.tensor([[1.0, 2.0]], name="x")
loss = (x @ w).tanh().sum()
print(autograd.draw_graph(loss))

with autograd.trace() as steps:
    loss.backward()
print(steps)
print("w.grad =", w.grad)
