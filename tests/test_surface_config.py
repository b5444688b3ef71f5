"""SurfaceConfig and the surfaces mode in the URL: round trips, paths, and bad values in plain words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground import links
from playground.catalog import DEFAULT_PATHS
from playground.lessons import SURFACE_LESSONS
from playground.surfaces.config import SurfaceConfig, format_path, normal, parse_path

CUSTOM = SurfaceConfig(surface="beale", start=(1.5, -2.25), noise=0.3, seed=4, steps=800, tol=1e-8, paths=(
    normal({"optimizer": "adam", "lr": 0.05, "betas": (0.8, 0.99)}),
    normal({"optimizer": "momentum", "lr": 0.001, "momentum": 0.95, "nesterov": True}),
    normal({"optimizer": "rmsprop", "lr": 0.003, "eps": 1e-6, "weight_decay": 0.01})))


@pytest.mark.parametrize("cfg", [SurfaceConfig(), CUSTOM, SurfaceConfig(kappa=12.5, angle=-40.0),
                                 *(lesson.surface for lesson in SURFACE_LESSONS.values())])
def test_a_config_round_trips_the_url(cfg):
    assert SurfaceConfig.from_query(cfg.to_query()) == (cfg, [])
    page = links.PageState(links.RunConfig(), links.SURFACES, surface=cfg)
    assert links.parse(links.to_query(page)) == (page, [])
    assert links.parse(links.to_query(page, compact=True)) == (page, [])


def test_path_text_is_the_command_lines():
    assert format_path(CUSTOM.paths[0]) == "adam:lr=0.05;betas=0.8,0.99"
    assert parse_path("Adam: lr=0.05, betas=0.8,0.99", "opt1", []) == CUSTOM.paths[0]
    assert parse_path("sgd", "opt1", []) == normal({"optimizer": "sgd", "lr": 0.01})
    assert [dict(p) for p in SurfaceConfig().paths] == [{"lr": 0.01, **p} for p in DEFAULT_PATHS]
    assert CUSTOM.labels() == ["Adam lr=0.05 betas=(0.8, 0.99)", "SGD + momentum lr=0.001 momentum=0.95 nesterov=True",
                               "RMSprop lr=0.003 eps=1e-06 weight_decay=0.01"]
    ravine = SURFACE_LESSONS["ravine"].surface.labels()  # momentum differs between the momentum paths
    assert ravine == ["SGD lr=0.019", "SGD + momentum lr=0.019 momentum=0.9", "SGD + momentum lr=0.033 momentum=0.67"]
    assert SurfaceConfig(paths=(normal({"optimizer": "sgd"}),) * 2).labels() == ["SGD lr=0.01 #1", "SGD lr=0.01 #2"]


def test_a_short_link_opens_a_lesson_with_a_change():
    page, warnings = links.parse({"lesson": "ravine", "kappa": "50"})
    assert warnings == [] and page.mode == links.SURFACES and page.lesson == "ravine"
    assert page.surface == SURFACE_LESSONS["ravine"].surface.replace(kappa=50.0)
    assert links.to_query(page, compact=True) == {"mode": "surfaces", "lesson": "ravine", "kappa": "50.0"}


@pytest.mark.parametrize("query, expected", [
    ({"opt1": "banana:lr=1"}, ["opt1: 'banana' is not an optimizer (one of sgd, momentum, nesterov, rmsprop, "
                               "adagrad, adam, adamw, nadam); the path was ignored",
                               "no valid path was given; showing the default ones"]),
    ({"opt1": "sgd:momentum=0.9"}, ["opt1: SGD does not use momentum; ignored"]),
    ({"opt1": "adam:lr=50"}, ["opt1: 'lr=50' is above the limit 10.0; clamped to 10.0"]),
    ({"opt1": "adam:speed=3"}, ["opt1: 'speed=3' is not a path setting (key=value, key one of lr, momentum, "
                                "nesterov, betas, eps, weight_decay); ignored"]),
    ({"start": "9,9", "surface": "rosenbrock"},
     ["start 9.0,9.0 is outside the rosenbrock domain x in [-2, 2], y in [-1, 3]; using its own start -1.2,1.0"]),
    ({"start": "1"}, ["'start' needs two numbers, x,y; using its own start -2.5,1.0"]),
    ({"start": "1,2,3"}, ["'start=1,2,3' is not valid (the start is two numbers: x,y); using none"]),
    ({"kappa": "1e9"}, ["'kappa=1e+09' is above the limit 1000.0; clamped to 1000.0"]),
    ({"surface": "moon"}, ["'surface=moon' is not one of quadratic, rosenbrock, beale, himmelblau, saddle, monkey, "
                           "rastrigin; using quadratic"]),
    ({"paths": "x"}, ["'paths' is written opt1, opt2, …; it was ignored"]),
    ({**{f"opt{k}": "sgd" for k in range(1, 10)}}, ["at most 7 paths; opt8 and later were ignored"]),
])
def test_bad_values_fall_back_with_a_notice(query, expected):
    cfg, warnings = SurfaceConfig.from_query(query)
    assert warnings == expected
    assert cfg.replace() == cfg  # whatever came back is valid


def test_replace_refuses_what_a_link_may_not_set():
    with pytest.raises(ValueError, match="outside the saddle domain"):
        SurfaceConfig(surface="saddle").replace(start=(5.0, 0.0))
    with pytest.raises(ValueError, match="1 to 7 paths"):
        SurfaceConfig().replace(paths=())
    with pytest.raises(ValueError, match="above the limit"):
        SurfaceConfig().replace(kappa=5000.0)


keys = st.sampled_from(["surface", "kappa", "angle", "start", "noise", "seed", "steps", "tol", "opt1", "opt2",
                        "opt8", "opt", "paths", "mode", "lesson", "lane1"])
texts = st.one_of(st.text(max_size=30), st.sampled_from(["adam:lr=0.1", "sgd:lr=-1", "1,2", "nan", "none", ""]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, texts, max_size=6))
def test_any_link_gives_a_valid_config_and_never_raises(params):
    page, _ = links.parse({"mode": "surfaces", **params})
    cfg = page.surface if page.mode == links.SURFACES else SurfaceConfig()
    assert cfg.replace() == cfg
    assert SurfaceConfig.from_query(cfg.to_query()) == (cfg, [])
