"""`python -m benchmarks [--quick] [--only B1,B3] [--markdown] [--json PATH]`: run, then print one table."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback

from benchmarks import BENCHMARKS
from benchmarks.common import ROOT, Row, table

MODULES = {"B1": "benchmarks.b1_engine", "B2": "benchmarks.b2_race", "B3": "benchmarks.b3_frame",
           "B4": "benchmarks.b4_browser", "B5": "benchmarks.b5_memory", "B6": "benchmarks.b6_tfp",
           "B7": "benchmarks.b7_sweep", "B8": "benchmarks.b8_bytes"}


def machine() -> str:
    import os

    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    load_text = f", load avg {load[0]:.1f}" if load else ""
    return f"{platform.machine()}, {os.cpu_count()} cores{load_text}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter windows (about a minute in all)")
    parser.add_argument("--only", default=None, help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "out" / "results.json"),
                        help="where to write the rows as JSON ('' to skip)")
    args = parser.parse_args(argv)
    chosen = [b.strip().upper() for b in (args.only or ",".join(BENCHMARKS)).split(",") if b.strip()]
    unknown = [b for b in chosen if b not in MODULES]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    from playground.engine.devices import use_one_thread

    use_one_thread()  # as app.py, the CLI and the sweep workers run: one intra-op thread per tiny network
    rows: list[Row] = []
    started = time.monotonic()
    for name in chosen:
        if name == "B6" and args.quick and args.only is None:
            # --quick alone keeps to about a minute: B6's ten browser windows need --only B6 or a full run.
            rows.append(Row("B6", "app vs TF Playground", None, detail="skipped by --quick alone: use --only B6"))
            continue
        t0 = time.monotonic()
        print(f"running {name}…", file=sys.stderr, flush=True)
        kwargs = {"quick": args.quick}
        if name == "B5" and args.quick and args.only is None:
            # --quick alone keeps to about a minute: B5's browser sessions need --only B5 or a full run.
            kwargs["browser"] = False
        try:
            rows += importlib.import_module(MODULES[name]).run(**kwargs)
        except Exception as exc:  # one broken benchmark must not hide the others' results
            traceback.print_exc()
            rows.append(Row(name, "error", None, detail=f"{type(exc).__name__}: {str(exc)[:120]}"))
        print(f"  {name} took {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)

    print(f"\nOptimization Playground benchmarks ({'quick' if args.quick else 'full'}; {machine()};"
          f" {time.monotonic() - started:.0f} s)\n")
    print(table(rows, markdown=args.markdown))
    for row in rows:
        if row.profile:
            print("\n" + row.profile.rstrip())
    if args.json:
        from pathlib import Path

        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"machine": machine(), "quick": args.quick,
                                    "rows": [r.as_dict() for r in rows],
                                    "profiles": [r.profile for r in rows if r.profile]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
