"""One home per name: every registry, the config's choices and the lessons agree with the catalogue."""

import dataclasses

import pytest
import torch

from playground import catalog, links
from playground.catalog import DATASET_NAMES, DATASETS, DEFAULT_LANES, OPTIMIZERS, Status
from playground.config import FIELDS, RunConfig
from playground.engine import data, models, optim
from playground.lessons import COMPARISONS, LESSONS, PRESETS, SURFACE_LESSONS
from playground.lessons.read import read
from playground.race_config import LANE_FIELDS, RaceConfig


def test_config_choices_come_from_the_catalogue():
    assert FIELDS["dataset"].metadata["choices"] == DATASET_NAMES
    assert FIELDS["optimizer"].metadata["choices"] == tuple(OPTIMIZERS)
    assert FIELDS["activation"].metadata["choices"] == tuple(catalog.ACTIVATIONS)
    assert FIELDS["device"].metadata["choices"] == catalog.DEVICES
    assert FIELDS["init"].metadata["choices"] == tuple(catalog.INITS)
    assert FIELDS["features"].metadata["items"].choices == tuple(catalog.INPUT_FEATURES)
    assert FIELDS["features"].default == catalog.RAW_FEATURES


def test_registries_agree_with_the_catalogue():
    assert set(data.REGISTRY) == set(DATASETS) == set(DATASET_NAMES) - {catalog.CSV}
    for name, spec in data.REGISTRY.items():
        assert spec.info is DATASETS[name] and callable(spec.make)
    assert set(optim.REGISTRY) == set(OPTIMIZERS)
    for name, spec in optim.REGISTRY.items():
        assert spec.cls is getattr(torch.optim, OPTIMIZERS[name].torch_class) and spec.label == OPTIMIZERS[name].label
    assert {k: v.__name__ for k, v in models.ACTIVATIONS.items()} == catalog.ACTIVATIONS
    assert set(models.FEATURE_OPS) == set(catalog.INPUT_FEATURES)


def test_each_datasets_input_count_is_its_catalogue_entrys():
    # The sidebar offers input features only where the catalogue says the data is 2-D.
    for name, info in DATASETS.items():
        assert data.load_dataset(RunConfig(dataset=name, n_points=20)).n_features == info.inputs, name


def test_every_optimizer_hparam_and_live_name_is_a_config_field():
    for info in OPTIMIZERS.values():
        assert set(info.hparams) <= set(FIELDS) and "lr" in info.hparams
    assert set(catalog.LIVE_HPARAMS) <= set(FIELDS) and set(catalog.STOPPING_FIELDS) <= set(FIELDS)
    assert optim.LIVE_KEYS == catalog.LIVE_HPARAMS
    assert set(LANE_FIELDS) <= set(FIELDS)


def test_lessons_are_one_table_and_the_default_lanes_one_tuple():
    assert {**PRESETS, **COMPARISONS, **SURFACE_LESSONS} == LESSONS
    assert not set(PRESETS) & set(COMPARISONS) and not set(SURFACE_LESSONS) & (set(PRESETS) | set(COMPARISONS))
    assert COMPARISONS["optimizers"].lanes is DEFAULT_LANES
    rcfg, _ = RaceConfig.from_query({"mode": "race"})
    assert [dict(lane) for lane in rcfg.lanes] == [dict(lane) for lane in DEFAULT_LANES]
    for lesson in LESSONS.values():
        page, warnings = links.parse({"lesson": lesson.name})
        assert warnings == [] and page.lesson == lesson.name and page.cfg == lesson.config
        assert page.mode == ("race" if lesson.race else "surfaces" if lesson.surface else "single")
        assert page.surface == lesson.surface


def test_a_new_lesson_is_one_entry_in_the_lessons_file(tmp_path):
    path = tmp_path / "lessons.toml"
    path.write_text("[configs.small]\nhidden = [4]\nepochs = 50\n"
                    '[[lessons]]\nname = "x"\ntitle = "X"\nlook_for = "it trains"\nformula = \'$adam_update\'\n'
                    'config = {like = "small", lr = 0.1}\nlanes = [{optimizer = "sgd"}, {}]\n', encoding="utf-8")
    (lesson,) = read(path)
    assert lesson.config == RunConfig(patience=0, hidden=(4,), epochs=50, lr=0.1) and lesson.mode == "race"
    assert lesson.lanes == ({"optimizer": "sgd"}, {}) and OPTIMIZERS["adam"].latex.endswith(lesson.formula)
    path.write_text('[[lessons]]\nname = "x"\ntitle = "X"\nlook_for = ""\nconfig = {lr = -1.0}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="lr"):  # the settings are checked as the URL's are
        read(path)


def test_statuses_are_one_enum():
    assert {s.value for s in Status} >= {"ready", "running", "finished", "stopped early", "diverged", "failed"}
    assert [s for s in Status if s.done] == [Status.FINISHED, Status.EARLY, Status.DIVERGED, Status.STALLED,
                                              Status.FAILED, Status.ESCAPED]
    assert str(Status.EARLY) == "stopped early"


def test_a_new_optimizer_is_one_catalogue_entry():
    """NAdam was added by one entry in catalog.OPTIMIZERS: it trains, races and round-trips the URL."""
    cfg = RunConfig(optimizer="nadam", n_points=60, epochs=3)
    assert RunConfig.from_query(cfg.to_query()) == (cfg, [])
    from playground.engine.train import Trainer

    trainer = Trainer(cfg)
    trainer.run()
    assert isinstance(trainer.optimizer, torch.optim.NAdam) and trainer.current_epoch == 3
    assert dataclasses.replace(cfg, optimizer="adam") != cfg
