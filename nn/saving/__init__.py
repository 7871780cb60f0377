"""Saving and loading models and weights (filled in by the training work)."""
