"""Headless command line: `python -m playground train --preset seed-lab [key=value ...]`."""

from __future__ import annotations

import argparse
import json
import math
import sys

from playground import surface_cli, sweep_cli
from playground.catalog import DATASETS
from playground.config import FIELDS, RunConfig, parse_value
from playground.lessons import COMPARISONS, PRESETS
from playground.race_config import RaceConfig

USAGE_EXAMPLE = "python -m playground train --preset seed-lab lr=0.05 epochs=100"


class CliError(Exception):
    """A bad argument: reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit code 2)."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all subcommands."""
    parser = _Parser(prog="python -m playground", description=__doc__,
                                     epilog=f"example: {USAGE_EXAMPLE}")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train one run and print its loss and metrics")
    train.add_argument("overrides", nargs="*", metavar="key=value",
                       help=f"settings: {', '.join(FIELDS)}")
    train.add_argument("--preset", choices=sorted(PRESETS), help="start from a named preset")
    train.add_argument("--config", metavar="FILE.json", help="start from a saved config")
    train.add_argument("--json", action="store_true", help="print the history as JSON lines")
    train.add_argument("--script", action="store_true",
                       help="print a standalone PyTorch script that replays this run, instead of training it")
    train.add_argument("--every", type=int, default=0, help="print the loss every N epochs")
    train.add_argument("--metrics-every", type=int, default=0,
                       help="record sklearn metrics in the history every N epochs")
    race = sub.add_parser("race", help="race 2-4 lanes from the same start and print the leaderboard")
    race.add_argument("overrides", nargs="*", metavar="key=value", help="shared settings, as for train")
    race.add_argument("--compare", choices=sorted(COMPARISONS), default="optimizers",
                      help="a ready-made comparison (default: optimizers)")
    race.add_argument("--lane", action="append", metavar="'field:value;...'",
                      help="define a lane instead (repeat 2-4 times), e.g. --lane 'optimizer:sgd;lr:0.1'")
    race.add_argument("--every", type=int, default=0, help="print a progress line every N epochs")
    report = sub.add_parser("report", help="print the README's numbers: this app next to sklearn, "
                                           "and the overfitting race")
    report.add_argument("--datasets", type=_dataset_list, default=None,
                        help="comma-separated datasets (default: the README's six)")
    report.add_argument("--seed", type=int, default=0, help="data and weights seed (default 0)")
    report.add_argument("--epochs", type=int, default=None, help="a shorter epoch limit, for a quick look")
    report.add_argument("--race-epochs", type=int, default=None, help="a shorter overfitting race")
    surface_cli.add_parser(sub)
    sweep_cli.add_parser(sub)
    return parser


def _dataset_list(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in DATASETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown dataset {', '.join(unknown) or text!r}; "
                                         f"datasets are {', '.join(DATASETS)}")
    return names


def run_report(args: argparse.Namespace) -> int:
    """Print the report (markdown tables)."""
    from playground import report

    print(report.report(args.datasets or report.DATASETS, seed=args.seed, epochs=args.epochs,
                        race_epochs=args.race_epochs))
    return 0


def resolve_race(args: argparse.Namespace) -> RaceConfig:
    """The comparison's base and lanes, then shared overrides, then --lane definitions."""
    comparison = COMPARISONS[args.compare]
    base = _apply(comparison.base, args.overrides)
    lanes = [dict(lane) for lane in comparison.lanes]
    if args.lane:
        params = {f"lane{k}": text for k, text in enumerate(args.lane, start=1)}
        rcfg, problems = RaceConfig.from_query({**base.to_query(), **params})
        if problems:
            raise CliError("; ".join(problems))
        return rcfg
    return RaceConfig.of(base, lanes)


def run_race(args: argparse.Namespace) -> int:
    """Race the lanes to the epoch limit and print the leaderboard."""
    rcfg = resolve_race(args)
    from playground.engine.race import Race

    race = Race(rcfg)
    _notice(race.notice)
    every = args.every or max(1, rcfg.base.epochs // 5)

    def report(r) -> None:
        if r.current_epoch % every == 0:
            losses = ", ".join(f"{label}: {t.history.last('train_loss'):.4f}"
                               for label, t in zip(r.labels, r.trainers, strict=True))
            print(f"Epoch: {r.current_epoch}, Loss: {losses}", flush=True)

    race.run(callback=report)
    board = race.leaderboard()
    print(board.to_string(float_format=lambda v: f"{v:.4g}"))
    return 0


def _notice(text: str | None) -> None:
    """A notice (e.g. the device fell back to the CPU) on stderr, where it never mixes with --json lines."""
    if text:
        print(f"note: {text}", file=sys.stderr, flush=True)


def resolve_config(preset: str | None, config_path: str | None, overrides: list[str]) -> RunConfig:
    """Preset, then config file, then key=value overrides; any invalid value is an error."""
    cfg = PRESETS[preset].config if preset else RunConfig()
    if config_path:
        cfg = _load_file(config_path)
    return _apply(cfg, overrides)


def _apply(cfg: RunConfig, overrides: list[str]) -> RunConfig:
    changes = {}
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or key not in FIELDS:
            raise CliError(f"'{item}' is not a setting; use key=value with key one of: {', '.join(FIELDS)}")
        value, problem = parse_value(key, raw)
        if problem:
            raise CliError(problem.split("; ")[0])  # the URL's fallback wording does not apply
        changes[key] = value
    return cfg.replace(**changes)


def _load_file(path: str) -> RunConfig:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise CliError(f"cannot read config file {path}: {exc.strerror}") from None
    cfg, problems = RunConfig.from_json(text)
    if problems:
        raise CliError(f"{path}: " + "; ".join(problems))
    return cfg


def run_train(args: argparse.Namespace) -> int:
    """Train and print loss lines, then the final metrics."""
    cfg = resolve_config(args.preset, args.config, args.overrides)
    if args.script:
        from playground.engine.export import script

        print(script(cfg, title=args.preset or cfg.dataset), end="")
        return 0
    from playground.engine.train import Trainer  # torch loads only once the arguments are good

    trainer = Trainer(cfg, metrics_every=args.metrics_every)
    _notice(trainer.notice)
    every = args.every or max(1, cfg.epochs // 5)
    progress = _Progress(cfg.epochs) if sys.stdout.isatty() and not args.json else None
    trainer.run(callback=lambda t: _report(t, every, args.json, progress))
    if progress:
        progress.close()
    _final(trainer, args.json)
    return 0


def _report(trainer, every: int, as_json: bool, progress) -> None:
    h = trainer.history
    if as_json:
        row = {c: _clean(h.last(c)) for c in h.columns}
        row.update(epoch=trainer.current_epoch, steps=trainer.steps)
        print(json.dumps(row), flush=True)
        return
    if progress:
        progress.update(trainer.current_epoch)
    if trainer.current_epoch % every == 0 or trainer.done:
        line = f"Epoch: {trainer.current_epoch}, Loss: {h.last('train_loss'):.4f}"
        if trainer.data.has_val:
            line += f", Val loss: {h.last('val_loss'):.4f}"
        if progress:
            progress.clear()  # the loss line replaces the bar, which redraws below it
        print(line, flush=True)


def _final(trainer, as_json: bool) -> None:
    result = trainer.evaluate()
    if as_json:
        print(json.dumps({"status": trainer.status, "message": trainer.message,
                          "epoch": trainer.current_epoch,
                          "metrics": {k: {m: _clean(v) for m, v in d.items()} for k, d in result.items()}}))
        return
    if trainer.status != "finished":
        print(f"Status: {trainer.message}")
    split = result.get("val", result["train"])
    prefix = "Validation " if "val" in result else ""
    if trainer.data.task == "regression":
        print(f"{prefix}RMSE: {split['rmse']:.4g}, MAE: {split['mae']:.4g}, R2: {split['r2']:.4f}")
    else:
        print(f"{prefix}Accuracy: {round(split['accuracy'], 4)}")
        if prefix:
            print(f"Validation F1: {split['f1']:.4f}, ROC-AUC: {split['roc_auc']:.4f}")


def _clean(value: float):
    # JSON has no NaN; null is what other tools expect.
    return None if isinstance(value, float) and not math.isfinite(value) else value


class _Progress:
    """A one-line progress bar on stderr (only when stdout is a terminal)."""

    def __init__(self, total: int):
        self.total = total

    def update(self, done: int) -> None:
        """Redraw the bar."""
        filled = int(30 * done / self.total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} epochs")
        sys.stderr.flush()

    def clear(self) -> None:
        """Erase the bar's line."""
        sys.stderr.write("\r\033[K")

    def close(self) -> None:
        """End the bar's line."""
        sys.stderr.write("\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from playground.engine.devices import use_one_thread  # torch loads only once the arguments are good

    use_one_thread()
    try:
        if args.command == "surface":
            return surface_cli.run(args)
        if args.command == "sweep":
            return sweep_cli.run(args)
        return {"race": run_race, "report": run_report}.get(args.command, run_train)(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

