"""Benchmarks for the Optimization Playground: `python -m benchmarks [--quick] [--only B1,B3]`.

B1 engine overhead, B2 race cost, B3 frame cost, B4 in the browser, B5 memory, B6 side by side with the
TensorFlow Playground, B7 sweeps on Ray Tune, B8 bytes and messages per second per visitor. Each module's
`run(...)` returns its table rows (benchmarks.common.Row), so tests can call it at a tiny size.
"""

BENCHMARKS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8")
