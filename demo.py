"""The gradstack demo: train a small convnet on the 8x8 handwritten digits.

Runs in well under a minute on a laptop CPU:

    python demo.py

The test suite trains the same model with the same recipe (``build_model`` and
``train`` below) and checks that it reaches 97% test accuracy.
"""

import numpy as np

import nn
from nn import layers


def load_digits():
    """The 1,797 8x8 digits shipped with gradstack (UCI, CC BY 4.0), pixels 0..16
    scaled to [0, 1], with a channel axis: x of shape (n, 8, 8, 1)."""
    (x_train, y_train), (x_test, y_test) = nn.datasets.digits.load_data()
    x_train = (x_train / 16.0).astype(np.float32)[..., None]  # (1438, 8, 8, 1)
    x_test = (x_test / 16.0).astype(np.float32)[..., None]  # (359, 8, 8, 1)
    return (x_train, y_train), (x_test, y_test)


def build_model():
    return nn.Sequential([
        layers.Input((8, 8, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])


def train(model, x_train, y_train, verbose="auto"):
    model.compile(optimizer=nn.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(x_train, y_train, epochs=20, batch_size=32, validation_split=0.1,
                     verbose=verbose)


def main():
    nn.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_digits()
    model = build_model()
    model.summary()
    train(model, x_train, y_train)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\nTest accuracy: {accuracy:.2%} (loss {loss:.4f}) on {len(x_test)} digits never "
          "seen in training.")


if __name__ == "__main__":
    main()
