"""Optimizer paths on 2-D loss surfaces: config (torch-free), functions, runs, Distill's theory."""
