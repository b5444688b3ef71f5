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


@dataclass(frozen=True)
class Comparison:
    """A ready-made race: a shared base config and what each lane changes."""

    name: str
    title: str
    base: RunConfig
    lanes: tuple[dict, ...]
    look_for: str


_OVERFIT = PRESETS["overfit"].config
COMPARISONS: dict[str, Comparison] = {c.name: c for c in (
    Comparison("optimizers", "SGD vs momentum vs RMSprop vs Adam", RunConfig(epochs=200),
               ({"optimizer": "sgd", "lr": 0.1}, {"optimizer": "momentum", "lr": 0.03},
                {"optimizer": "rmsprop", "lr": 0.01}, {"optimizer": "adam", "lr": 0.01}),
               "Adaptive methods drop the loss fastest early; plain SGD lags but keeps descending."),
    Comparison("batch-size", "Stochastic (1) vs mini-batch (32) vs full batch",
               RunConfig(optimizer="sgd", lr=0.05, epochs=200),
               ({"batch_size": 1}, {"batch_size": 32}, {"batch_size": 0}),
               "Per epoch, batch size 1 takes n noisy steps and full batch one smooth step."),
    Comparison("regularization", "No regularization vs L2 vs dropout vs both", _OVERFIT,
               ({}, {"weight_decay": 0.01}, {"dropout": 0.3}, {"weight_decay": 0.01, "dropout": 0.3}),
               "Watch the validation loss: the unregularized lane overfits first."),
    Comparison("adam-vs-adamw", "Adam with L2 vs AdamW with the same decay", _OVERFIT,
               ({"optimizer": "adam", "weight_decay": 0.1}, {"optimizer": "adamw", "weight_decay": 0.1}),
               "Coupled L2 is rescaled by Adam's denominator; AdamW's decoupled decay shrinks weights evenly."),
    Comparison("batch-norm", "With vs without batch norm at a high learning rate",
               RunConfig(optimizer="sgd", lr=3.0, hidden=(16, 16, 16), epochs=200),
               ({"batch_norm": False}, {"batch_norm": True}),
               "At lr=3 the plain network blows up; batch norm keeps the activations in range and trains."),
)}
