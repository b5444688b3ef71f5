"""`python -m playground surface --surface rosenbrock --opt adam:lr=0.01 --opt sgd:lr=0.001`."""

from __future__ import annotations

import argparse
import sys

from playground.catalog import SURFACES
from playground.config import MAX_PATHS
from playground.lessons import SURFACE_LESSONS
from playground.surfaces.config import SETTINGS, SurfaceConfig


def add_parser(sub) -> None:
    """The `surface` subcommand's arguments."""
    p = sub.add_parser("surface", help=f"walk 1-{MAX_PATHS} optimizers over a 2-D loss surface and print each "
                                       "one's steps to ε, final value and outcome")
    p.add_argument("overrides", nargs="*", metavar="key=value", help=f"settings: {', '.join(SETTINGS)}")
    p.add_argument("--surface", choices=list(SURFACES), help="the loss surface (default: quadratic)")
    p.add_argument("--lesson", choices=sorted(SURFACE_LESSONS), help="start from a surface lesson")
    p.add_argument("--opt", action="append", metavar="NAME[:key=value;...]",
                   help=f"a path (repeat up to {MAX_PATHS} times), e.g. --opt adam:lr=0.01 "
                        "--opt 'momentum:lr=0.01;momentum=0.9'")
    p.add_argument("--start", metavar="X,Y", help="the start point (default: the surface's own); a negative x "
                                                  "needs the = form: --start=-1.5,0.01")
    p.add_argument("--every", type=int, default=0, help="print the values every N steps")


def resolve(args: argparse.Namespace) -> SurfaceConfig:
    """The lesson (or the defaults), then key=value settings, --surface, --start and --opt; raises ValueError."""
    params: dict[str, str] = {}
    for item in args.overrides:
        key, sep, raw = item.partition("=")
        if not sep or key not in SETTINGS:
            raise ValueError(f"'{item}' is not a setting; use key=value with key one of: {', '.join(SETTINGS)}")
        params[key] = raw
    if args.surface:
        params["surface"] = args.surface
    if args.start:
        params["start"] = args.start
    params.update({f"opt{k}": text for k, text in enumerate(args.opt or [], start=1)})
    base = SURFACE_LESSONS[args.lesson].surface if args.lesson else None
    cfg, problems = SurfaceConfig.from_query(params, base=base)
    if problems:  # the URL's fallback wording ("; using ...") does not apply here
        raise ValueError("; ".join(p.split("; ")[0] for p in problems))
    return cfg


def run(args: argparse.Namespace) -> int:
    """Step every path to the limit (or until all settle), printing values, then the table."""
    try:
        cfg = resolve(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from playground.surfaces.run import SurfaceRun  # torch loads only once the arguments are good

    surface_run = SurfaceRun(cfg)
    every = args.every or max(1, cfg.steps // 5)

    def report(r: SurfaceRun) -> None:
        if r.current_epoch % every == 0 or r.done:
            values = ", ".join(f"{p.label}: {p.values[-1]:.6g}" for p in r.paths)
            print(f"Step: {r.current_epoch}, f: {values}", flush=True)

    surface_run.run(callback=report)
    table = surface_run.table()
    table = table.astype({c: object for c in table.columns if str(table[c].dtype) == "Int64"}).fillna("-")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    if surface_run.message:
        print(surface_run.message)
    return 0
