"""Sweeps: a grid over two RunConfig settings, every cell a real Trainer run, scheduled by Ray Tune.

config.py is torch-free (the grid, its trials, the URL round trip); cell.py trains one trial;
tune_run.py hands the trials to Ray Tune and collects their results as they finish.
"""
