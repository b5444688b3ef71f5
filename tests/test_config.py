"""RunConfig: round trips, fallbacks with warnings, and a fuzz test that it never raises."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from playground import config as C
from playground.config import RunConfig


def assert_valid(cfg: RunConfig) -> None:
    """Every field holds a value of its default's type inside its declared range."""
    for name, f in C.FIELDS.items():
        value = getattr(cfg, name)
        assert isinstance(value, type(f.default)), name
        meta = f.metadata
        if meta["choices"]:
            assert value in meta["choices"], name
        if meta["lo"] is not None:
            assert meta["lo"] <= value <= meta["hi"], name
        if isinstance(value, float):
            assert math.isfinite(value), name
    assert len(cfg.hidden) <= C.MAX_LAYERS and all(1 <= h <= C.MAX_NEURONS for h in cfg.hidden)
    assert len(cfg.betas) == 2 and all(0 <= b < 1 for b in cfg.betas)


def test_query_round_trip_restores_equal_config():
    cfg = RunConfig(dataset="xor", hidden=(4, 3, 2), lr=0.003, betas=(0.8, 0.95), batch_norm=True,
                    optimizer="nesterov", seed=123, dropout=0.25, batch_size=0)
    params = cfg.to_query()
    assert all(isinstance(v, str) for v in params.values())
    back, warnings = RunConfig.from_query(params)
    assert back == cfg and warnings == []


def test_json_round_trip_and_empty_hidden():
    cfg = RunConfig(hidden=(), weight_decay=0.01)
    back, warnings = RunConfig.from_json(cfg.to_json())
    assert back == cfg and warnings == []
    assert RunConfig.from_query({"hidden": "none"})[0].hidden == ()


def test_bad_values_fall_back_with_readable_warnings():
    cfg, warnings = RunConfig.from_query({"lr": "banana", "hidden": "999", "zzz": "1", "epochs": "1e9",
                                          "noise": "nan", "optimizer": "<script>"})
    assert cfg.lr == C.DEFAULT.lr and cfg.hidden == C.DEFAULT.hidden
    assert cfg.epochs == C.MAX_EPOCHS  # clamped, not reset
    assert cfg.noise == C.DEFAULT.noise and cfg.optimizer == C.DEFAULT.optimizer
    text = "\n".join(warnings)
    assert "'lr=banana' is not valid" in text
    assert "unknown setting 'zzz'" in text
    assert f"clamped to {C.MAX_EPOCHS}" in text
    assert "is not one of" in text
    assert len(warnings) == 6


def test_negative_and_huge_numbers_are_clamped():
    cfg, warnings = RunConfig.from_query({"lr": "-3", "n_points": "100000", "batch_size": "-1"})
    assert cfg.lr == 1e-5 and cfg.n_points == C.MAX_POINTS and cfg.batch_size == 0
    assert len(warnings) == 3


def test_long_values_are_ignored():
    cfg, warnings = RunConfig.from_query({"dataset": "x" * 10_000})
    assert cfg.dataset == C.DEFAULT.dataset and "longer than" in warnings[0]


def test_bad_json_never_raises():
    for text in ("{", "[]", "null", '{"lr": [1, 2]}', '{"hidden": {"a": 1}}', '{"optimizer": "lbfgs"}'):
        cfg, warnings = RunConfig.from_json(text)
        assert_valid(cfg)
        assert warnings


settings_1000 = settings(max_examples=1000, deadline=None)
keys = st.one_of(st.sampled_from(sorted(C.FIELDS)), st.text(max_size=12))
values = st.one_of(st.text(max_size=30), st.sampled_from(["nan", "inf", "-inf", "1e308", "-0", "0,0",
                                                          "1,2,3,4,5,6,7", "0.9,1", "true", ""]))


@settings_1000
@given(st.dictionaries(keys, values, max_size=8))
def test_from_query_fuzz_never_raises_and_is_valid(params):
    cfg, warnings = RunConfig.from_query(params)
    assert_valid(cfg)
    assert isinstance(warnings, list)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=6))
def test_from_json_fuzz_never_raises(data):
    cfg, _ = RunConfig.from_json(json.dumps(data))
    assert_valid(cfg)


def test_input_features_round_trip_and_default_to_the_raw_pair():
    assert RunConfig().features == ("x1", "x2") and C.DEFAULT.to_query()["features"] == "x1,x2"
    assert "features" not in C.DEFAULT.to_query(compact=True)  # a default link stays as it was
    cfg = RunConfig(features=("sin_x1", "x1x2", "x2sq"))
    assert cfg.to_query()["features"] == "sin_x1,x1x2,x2sq" and cfg.to_dict()["features"] == ["sin_x1", "x1x2", "x2sq"]
    assert RunConfig.from_query(cfg.to_query()) == (cfg, [])
    assert RunConfig.from_json(cfg.to_json()) == (cfg, [])
    assert RunConfig.from_query({"features": " X1SQ , x2 "}) == (RunConfig(features=("x1sq", "x2")), [])


def test_repeated_input_features_are_dropped_keeping_the_order():
    cfg, warnings = RunConfig.from_query({"features": "x2sq,x1,x2sq,x1"})
    assert cfg.features == ("x2sq", "x1")
    assert warnings == ["'features' named an item twice; kept x2sq,x1"]


def test_unknown_or_no_input_features_fall_back_to_the_default_naming_the_rule():
    for raw in ("x1,x3", "cos_x1", [1, 2], "x1;x2"):
        cfg, warnings = RunConfig.from_query({"features": raw})
        assert cfg.features == ("x1", "x2") and len(warnings) == 1, raw
        assert warnings[0].endswith("using x1,x2"), warnings
    _, warnings = RunConfig.from_query({"features": "x1,x3"})
    assert "each input feature is one of x1, x2, x1sq, x2sq, x1x2, sin_x1, sin_x2" in warnings[0]
    for raw in ("", "none", []):
        cfg, warnings = RunConfig.from_json(json.dumps({"features": raw}))
        assert cfg.features == ("x1", "x2") and "(at least one input feature)" in warnings[0], raw
    try:
        RunConfig().replace(features=())
    except ValueError as exc:
        assert "at least one input feature" in str(exc)
    else:
        raise AssertionError("an empty feature list must be refused")
