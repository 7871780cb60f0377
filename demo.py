"""The gradstack demo: train a small convnet on the 8x8 handwritten digits.

Runs in well under a minute on a laptop CPU:

    python demo.py
"""

import numpy as np

import nn
from nn import layers

nn.utils.set_random_seed(0)

# 1,797 8x8 digits shipped with gradstack (UCI, CC BY 4.0): pixels 0..16 -> [0, 1]
(x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
x_train = (x_train / 16.0).astype(np.float32)[..., None]  # (1438, 8, 8, 1)
x_test = (x_test / 16.0).astype(np.float32)[..., None]  # (359, 8, 8, 1)

model = nn.Sequential([
    layers.Input((8, 8, 1)),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(32, 3, padding="same", activation="relu"),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
model.summary()

model.compile(optimizer=nn.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.fit(x_train, y_train, epochs=20, batch_size=32, validation_split=0.1)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"\nTest accuracy: {accuracy:.2%} (loss {loss:.4f}) on {len(x_test)} digits never seen "
      "in training.")
