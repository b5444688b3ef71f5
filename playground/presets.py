"""Named starting configs ("lessons"), each with a short note on what to look for."""

from __future__ import annotations

from dataclasses import dataclass

from playground.config import RunConfig


@dataclass(frozen=True)
class Preset:
    """A named RunConfig plus what the learner should watch."""

    name: str
    title: str
    config: RunConfig
    look_for: str


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("default", "Moons with Adam", RunConfig(),
           "The boundary bends around both moons within a few dozen epochs."),
    Preset("seed-lab", "The seed lab: ten points",
           RunConfig(dataset="seedlab", val_frac=0.0, hidden=(20,), activation="relu", dropout=0.5,
                     optimizer="adam", lr=0.01, weight_decay=0.01, batch_size=0, epochs=200),
           "Ten separable points: the loss falls steadily and accuracy reaches 1.0."),
    Preset("tf-playground", "TensorFlow Playground's default",
           RunConfig(dataset="circles", n_points=500, noise=0.0, val_frac=0.5, hidden=(4, 2),
                     activation="tanh", optimizer="sgd", lr=0.03, batch_size=10, epochs=1000),
           "A ring around a disc, learned by plain SGD with tanh units, as in playground.tensorflow.org."),
    Preset("overfit", "Overfitting: small noisy data, wide network",
           RunConfig(dataset="moons", n_points=60, noise=0.35, val_frac=0.5, hidden=(64, 64, 64),
                     optimizer="adam", lr=0.01, batch_size=0, epochs=1500),
           "Train loss keeps falling while validation loss turns upward: the gap is overfitting."),
    Preset("diverge", "Too large a learning rate",
           RunConfig(optimizer="sgd", lr=10.0, epochs=300),
           "The loss explodes within a few epochs and the run stops with 'diverged'."),
    Preset("stochastic", "Stochastic gradient descent (batch size 1)",
           RunConfig(optimizer="sgd", lr=0.05, batch_size=1, epochs=200),
           "Each step sees one point: the loss curve is noisy, but each epoch takes n steps."),
)}


def get_preset(name: str) -> Preset:
    """Look up a preset by name; raises KeyError listing the valid names."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset '{name}'; choose from {', '.join(PRESETS)}")
    return PRESETS[name]
