"""The `tf-playground` and `adam-vs-adamw` lessons' "what to look for", checked on seeds 0, 1 and 2."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.data import load_dataset
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.lessons import LESSONS
from playground.race_config import RaceConfig

SEEDS = (0, 1, 2)


def final_norms(trainer: Trainer) -> np.ndarray:
    """Each Linear layer's weight norm after the last epoch."""
    return np.array([trainer.history.last(c) for c in trainer.history.weight_norm_columns])


def test_tf_playground_lesson_is_tf_playgrounds_setup():
    cfg = LESSONS["tf-playground"].config
    assert (cfg.dataset, cfg.n_points, cfg.noise, cfg.val_frac) == ("tfp_circle", 500, 0.0, 0.5)
    assert (cfg.hidden, cfg.activation, cfg.init) == ((4, 2), "tanh", "tfp")
    assert (cfg.optimizer, cfg.lr, cfg.batch_size, cfg.weight_decay, cfg.patience) == ("sgd", 0.03, 10, 0.0, 0)
    data = load_dataset(cfg)
    radius = np.hypot(*np.concatenate([data.x_train, data.x_val]).T)  # raw coordinates, as TFP feeds them
    labels = np.concatenate([data.y_train, data.y_val])
    assert radius[labels == 1].max() <= 2.5 and radius[labels == 0].min() >= 3.5 and radius.max() <= 5


@pytest.mark.parametrize("seed", SEEDS)
def test_tf_playground_separates_the_disc_within_150_epochs(seed):
    """Claim: 'the disc is separated within about 150 epochs (validation accuracy 1.0, loss under 0.05)'."""
    trainer = Trainer(LESSONS["tf-playground"].config.replace(seed=seed))
    trainer.run(150)
    assert trainer.history.last("val_loss") < 0.05
    assert trainer.history.last("val_score") == 1.0


@pytest.fixture(scope="module", params=SEEDS)
def adamw_race(request) -> dict[str, Trainer]:
    lesson = LESSONS["adam-vs-adamw"]
    race = Race(RaceConfig.of(lesson.base.replace(seed=request.param), [dict(lane) for lane in lesson.lanes]))
    race.run()
    assert [t.status.value for t in race.trainers] == ["finished"] * 3
    plain, coupled, decoupled = race.trainers
    assert (plain.cfg.optimizer, plain.cfg.weight_decay) == ("adam", 0.0)
    assert (coupled.cfg.optimizer, decoupled.cfg.optimizer) == ("adam", "adamw")
    assert coupled.cfg.weight_decay == decoupled.cfg.weight_decay == 0.01
    return {"plain": plain, "coupled": coupled, "decoupled": decoupled}


def test_adam_l2_pulls_every_layer_to_about_the_same_small_norm(adamw_race):
    """Claim: 'every layer is pulled down to about the same small norm' (Adam + L2)."""
    coupled, decoupled = final_norms(adamw_race["coupled"]), final_norms(adamw_race["decoupled"])
    assert len(coupled) == 4
    assert coupled.max() < 1.3 * coupled.min()  # balanced layers
    assert decoupled.max() > 3 * decoupled.min()  # AdamW's stay as unequal as plain Adam's
    assert np.linalg.norm(coupled) < 0.5 * np.linalg.norm(decoupled)


def test_adam_l2_ends_far_lower_and_adamw_overfits_nearly_as_much_as_adam(adamw_race):
    """Claims: Adam + L2's 'validation loss ends far below the other lanes''; AdamW 'overfits nearly as much'."""
    val = {name: t.history.last("val_loss") for name, t in adamw_race.items()}
    best = {name: np.nanmin(t.history.column("val_loss")) for name, t in adamw_race.items()}
    assert val["coupled"] < 0.5 * min(val["plain"], val["decoupled"])
    assert val["decoupled"] > 0.6 * val["plain"]
    assert val["decoupled"] > 4 * best["decoupled"]  # it overfits: far above its own minimum


def test_adamw_norms_stay_close_to_plain_adams_and_shrink_a_little(adamw_race):
    """Claim: 'its norms stay close to plain Adam's' (AdamW shrinks each weight by only lr·λ a step)."""
    plain, decoupled = (np.linalg.norm(final_norms(adamw_race[k])) for k in ("plain", "decoupled"))
    assert 0.9 * plain < decoupled < plain
