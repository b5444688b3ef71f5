"""`python -m playground sweep lr=1e-4:1:log:8 batch_size=1,8,32,0 epochs=100 --metric val_loss`."""

from __future__ import annotations

import argparse
import sys
import time

import pandas as pd

from playground import fields
from playground.catalog import OPTIMIZERS, SWEEP_METRICS, SWEEP_SEARCHES
from playground.config import FIELDS, MAX_GRID, MAX_SWEEP_SEEDS, RunConfig
from playground.lessons import PRESETS
from playground.sweeps import results
from playground.sweeps.axes import SWEEPABLE
from playground.sweeps.config import NONE, SweepConfig, axis_label, problem, server_cpus

POLL_S = 0.2


def add_parser(sub) -> None:
    """The `sweep` subcommand's arguments."""
    p = sub.add_parser("sweep", help="train a grid (or a random search) over two settings on Ray Tune and print "
                                     "the metric per cell")
    p.add_argument("overrides", nargs="*", metavar="key=value",
                   help=f"two swept settings (key=lo:hi:log:n, key=lo:hi:n or key=a,b,c; at most {MAX_GRID} "
                        f"values each; sweepable: {', '.join(SWEEPABLE)}), epochs=N per trial, and any other "
                        "setting as for train")
    p.add_argument("--metric", choices=list(SWEEP_METRICS), default="val_loss", help="what each cell shows")
    p.add_argument("--target", type=float, default=None, help="the loss that epochs_to_target waits for")
    p.add_argument("--seeds", type=int, default=1, help=f"initial weights per cell, 1-{MAX_SWEEP_SEEDS}")
    p.add_argument("--compare", choices=list(OPTIMIZERS), help="a second optimizer on the same grid")
    p.add_argument("--asha", action="store_true", help="let ASHA stop trailing trials early")
    p.add_argument("--search", choices=list(SWEEP_SEARCHES), default="grid",
                   help="grid: every pair of the values; random: --samples pairs drawn from the two ranges "
                        "(key=lo:hi:log draws log-uniformly, key=a,b,c among the values), seeded by init_seed")
    p.add_argument("--samples", type=int, default=16, help="random search: how many pairs are drawn")
    p.add_argument("--preset", choices=sorted(PRESETS), help="start from a lesson's config")
    p.add_argument("--cpus", type=int, default=None, help="cores for the local Ray instance (default: all but one)")
    p.add_argument("--address", default=None, help="a Ray cluster (host:port, ray://host:10001 or auto); "
                                                   "default: $RAY_ADDRESS, else a local instance")
    p.add_argument("--csv", default="sweep.csv", help="where to write one row per trial (default sweep.csv)")


def resolve(args: argparse.Namespace) -> tuple[SweepConfig, RunConfig]:
    """The sweep and its base config from the arguments; raises ValueError with one line."""
    base = PRESETS[args.preset].config if args.preset else RunConfig()
    sweep: dict[str, str] = {"metric": args.metric, "seeds": str(args.seeds), "compare": args.compare or NONE,
                             "asha": "1" if args.asha else "0", "search": args.search, "samples": str(args.samples)}
    if args.target is not None:
        sweep["target"] = str(args.target)
    axes, changes = [], {}
    for item in args.overrides:
        key, sep, raw = item.partition("=")
        if not sep or key not in FIELDS:
            raise ValueError(f"'{item}' is not a setting; use key=value with key one of: {', '.join(FIELDS)}")
        if key == "epochs":
            sweep["trial_epochs"] = raw
        elif key in SWEEPABLE and (":" in raw or "," in raw):
            axes.append((key, raw))
        else:
            value, trouble = fields.parse_value(RunConfig, key, raw)
            if trouble:
                raise ValueError(trouble.split("; ")[0])
            changes[key] = value
    if len(axes) != 2:
        raise ValueError("give exactly two swept settings, e.g. lr=1e-4:1:log:8 batch_size=1,8,32,0")
    (x, xv), (y, yv) = axes
    sweep.update(x=x, x_values=xv, y=y, y_values=yv)
    scfg, problems = fields.build(SweepConfig, sweep)
    if problems:
        raise ValueError(problems[0].split("; ")[0])
    base = base.replace(**changes)
    trouble = problem(scfg, base)
    if trouble:
        raise ValueError(trouble)
    return scfg, base


def grid_tables(run) -> list[tuple[str, pd.DataFrame]]:
    """Per optimizer, the heatmap as text: rows are y values, columns x values (a random search: its samples)."""
    if run.scfg.random:
        return sample_tables(run)
    scfg, out = run.scfg, []
    xs, ys = scfg.values("x"), scfg.values("y")
    epochs = scfg.metric == "epochs_to_target"
    for optimizer in scfg.optimizers(run.base):
        g = results.grid(run.trials, run.finished(), scfg, optimizer)
        text = [[results.cell_text(g.mean[iy, ix], g.spread[iy, ix], g.notes[iy][ix], scfg.seeds, epochs) or "-"
                 for ix in range(len(xs))] for iy in range(len(ys))]
        frame = pd.DataFrame(text, index=[axis_label(scfg.y, v) for v in ys],
                             columns=[axis_label(scfg.x, v) for v in xs])
        frame.index.name, frame.columns.name = scfg.y, scfg.x
        out.append((results.heatmap_title(scfg, optimizer), frame))
    return out


def sample_tables(run) -> list[tuple[str, pd.DataFrame]]:
    """Per optimizer, a random search's samples as text, best first (those with no number last)."""
    scfg, out = run.scfg, []
    epochs, low = scfg.metric == "epochs_to_target", SWEEP_METRICS[scfg.metric].low
    for optimizer in scfg.optimizers(run.base):
        g = results.grid(run.trials, run.finished(), scfg, optimizer)
        firsts = results.samples(run.trials, optimizer)
        rows = [(g.mean[0, k], axis_label(scfg.x, getattr(t.cfg, scfg.x)), axis_label(scfg.y, getattr(t.cfg, scfg.y)),
                 results.cell_text(g.mean[0, k], g.spread[0, k], g.notes[0][k], scfg.seeds, epochs) or "-")
                for k, t in enumerate(firsts)]
        rows.sort(key=lambda r: (r[0] != r[0], r[0] if low else -r[0]))  # NaN (no number) last
        frame = pd.DataFrame([r[1:] for r in rows], columns=[scfg.x, scfg.y, scfg.metric])
        out.append((results.heatmap_title(scfg, optimizer) + f" ({len(firsts)} random samples, best first)", frame))
    return out


def run(args: argparse.Namespace) -> int:
    """Run the sweep, printing each trial as it finishes, then the table; write the CSV."""
    try:
        scfg, base = resolve(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from playground.sweeps.tune_run import SweepRun  # Ray loads only once the arguments are good

    cpus = args.cpus if args.cpus and args.cpus > 0 else max(1, server_cpus())
    sweep = SweepRun(scfg, base, cpus=cpus, where=args.address).start()
    seen: set[int] = set()
    try:
        while not sweep.done:
            time.sleep(POLL_S)
            _print_new(sweep, seen)
    except KeyboardInterrupt:
        sweep.cancel()
        print("cancelled", file=sys.stderr)
    sweep.join()
    _print_new(sweep, seen)
    if sweep.error:
        print(f"error: {sweep.error}", file=sys.stderr)
    for heading, frame in grid_tables(sweep):
        print(f"\n{heading}\n{frame.to_string()}")
    done, total, elapsed, _ = sweep.progress()
    results.table(sweep.trials, sweep.finished(), scfg).to_csv(args.csv, index=False)
    print(f"\n{done}/{total} trials in {elapsed:.1f} s (Ray start-up {sweep.startup_s:.1f} s); wrote {args.csv}")
    return 0 if done == total and not sweep.error else 1


def _print_new(sweep, seen: set[int]) -> None:
    finished, scfg = sweep.finished(), sweep.scfg
    for t in sweep.trials:
        if t.index in finished and t.index not in seen:
            seen.add(t.index)
            r = finished[t.index]
            value = r.get(scfg.metric, float("nan"))
            print(f"trial {len(seen)}/{len(sweep.trials)}: {OPTIMIZERS[t.optimizer].label} "
                  f"{scfg.x}={axis_label(scfg.x, getattr(t.cfg, scfg.x))} "
                  f"{scfg.y}={axis_label(scfg.y, getattr(t.cfg, scfg.y))} seed {t.cfg.init_seed}: "
                  f"{scfg.metric} {value:.4g} ({r.get('status', '?')})", file=sys.stderr, flush=True)
