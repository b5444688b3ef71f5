"""The sweep page's controls: grid or random, the two swept settings and their values, epochs, metric, seeds, a
second optimizer."""

from __future__ import annotations

import dataclasses

import streamlit as st

from playground import fields
from playground.catalog import OPTIMIZERS, SWEEP_METRICS, SWEEP_SEARCHES
from playground.config import FIELDS, MAX_SWEEP_EPOCHS, MAX_SWEEP_SEEDS, MAX_SWEEP_TRIALS
from playground.fields import Invalid
from playground.markup import md
from playground.sweeps.axes import SWEEPABLE, default_axis
from playground.sweeps.config import NONE, SWEEP_KEYS, SweepConfig
from playground.ui import state

K = "sw_"  # widget keys are K + SweepConfig field


def _seed(scfg: SweepConfig) -> None:
    for name in SWEEP_KEYS:
        state.seed_missing_widget(K + name, getattr(scfg, name))


def _axis_changed(axis: str) -> None:
    """A new setting on an axis starts from its own range, not the old setting's values."""
    state.seed_widget(K + axis + "_values", "")


def sweep_ui(current: SweepConfig) -> tuple[SweepConfig, list[str]]:
    """Draw the controls; returns the config they describe and what is wrong with it (kept as typed)."""
    _seed(current)
    values: dict = {}
    cols = st.columns([2.2, 1, 2.8], vertical_alignment="bottom")
    values["search"] = cols[0].radio("Search", list(SWEEP_SEARCHES), key=K + "search", horizontal=True,
                                     format_func=lambda n: SWEEP_SEARCHES[n].split(":")[0],
                                     help="Grid: every pair of the values below. Random: pairs drawn from the "
                                          "ranges below (log-uniform for a log range; a list is drawn from), "
                                          "seeded by the sidebar's init seed, so a link draws them again")
    random = values["search"] == "random"
    values["samples"] = int(cols[1].number_input("Samples", 1, MAX_SWEEP_TRIALS, step=4, key=K + "samples",
                                                 disabled=not random, help="Random search: pairs drawn"))
    cols = st.columns([1, 2, 1, 2])
    for k, axis in enumerate(("x", "y")):
        where = f"{axis} axis" if random else ("columns" if axis == "x" else "rows")
        name = cols[2 * k].selectbox(f"Sweep ({where})", SWEEPABLE, key=K + axis, on_change=_axis_changed,
                                     args=(axis,), help=f"A setting of the run, swept along the chart's {where}")
        values[axis] = name
        how = ("lo:hi:log (drawn log-uniformly), lo:hi (uniformly) or a comma list (drawn from)" if random else
               "lo:hi:log:n (n log-spaced), lo:hi:n (evenly spaced) or a comma list")
        values[axis + "_values"] = cols[2 * k + 1].text_input(
            f"{name} values", key=K + axis + "_values", placeholder=default_axis(name),
            help=f"{how}; empty: {default_axis(name)}. Range of {name}: {_range(name)}")
    # At [1, 2, 1, 1, 2, 1] the ASHA toggle read "A…" at 1280 px (seen in docs/screens); bottom-aligned, it sits
    # level with the inputs beside it.
    cols = st.columns([1.25, 2, 1, 0.9, 2, 1.25], vertical_alignment="bottom")
    values["trial_epochs"] = int(cols[0].number_input("Epochs per trial", 1, MAX_SWEEP_EPOCHS, step=10,
                                                      key=K + "trial_epochs", help=f"At most {MAX_SWEEP_EPOCHS}"))
    values["metric"] = cols[1].selectbox("Metric", list(SWEEP_METRICS), key=K + "metric",
                                         format_func=lambda m: SWEEP_METRICS[m].label)
    values["target"] = float(cols[2].number_input("Target loss", 1e-6, 100.0, format="%.4g", key=K + "target",
                                                  disabled=values["metric"] != "epochs_to_target",
                                                  help="For 'epochs to the target loss'"))
    values["seeds"] = int(cols[3].number_input("Seeds", 1, MAX_SWEEP_SEEDS, step=1, key=K + "seeds",
                                               help="Initial weights per cell (init_seed, +1, …): a cell shows "
                                                    "their mean ± spread"))
    values["compare"] = cols[4].selectbox("Second heatmap", [NONE, *OPTIMIZERS], key=K + "compare",
                                          format_func=lambda n: "none" if n == NONE else OPTIMIZERS[n].label,
                                          help="The same grid with another optimizer, side by side")
    values["asha"] = cols[5].toggle("ASHA", key=K + "asha", width="stretch",
                                    help="Ray Tune's ASHA stops trailing trials early")
    return read(values, current)


def _range(name: str) -> str:
    meta = FIELDS[name].metadata
    if meta.get("choices"):
        return ", ".join(meta["choices"])
    if isinstance(FIELDS[name].default, bool):
        return "off, on"
    return f"{meta['lo']:g} to {meta['hi']:g}"


def read(values: dict, current: SweepConfig) -> tuple[SweepConfig, list[str]]:
    """The widgets' values as a SweepConfig; a bad axis is reported and the last good one kept."""
    scfg, problems = fields.build(SweepConfig, values)
    for axis in ("x", "y"):
        try:
            scfg.check(axis)
        except Invalid as exc:
            problems.append(f"{getattr(scfg, axis)} values: {exc}")
            same = getattr(current, axis) == getattr(scfg, axis)
            scfg = dataclasses.replace(scfg, **{axis + "_values": getattr(current, axis + "_values") if same else ""})
    return scfg, problems


def show_problems(problems: list[str]) -> None:
    """What is wrong with the typed settings, in one error box."""
    if problems:
        st.error(md("; ".join(problems)))
