"""`python -m playground surface`: the issue's command, lessons, settings, and one-line errors."""

import re
import subprocess
import sys

import pytest

from playground.cli import main


def test_the_issues_command_prints_progress_then_the_table(capsys):
    assert main(["surface", "--surface", "rosenbrock", "--opt", "adam:lr=0.01", "--opt", "sgd:lr=0.001",
                 "steps=100"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    progress = [re.fullmatch(r"Step: (\d+), f: Adam lr=0\.01: ([-0-9.e+]+), SGD lr=0\.001: ([-0-9.e+]+)", line)
                for line in lines[:5]]
    assert all(progress), lines
    assert [int(m.group(1)) for m in progress] == [20, 40, 60, 80, 100]
    assert lines[5].split() == ["steps", "steps", "to", "ε", "f", "f", "−", "f*", "x", "y", "outcome"]
    assert lines[7].startswith("Adam lr=0.01") and lines[8].startswith("SGD lr=0.001")
    assert lines[7].split()[2] == "100" and lines[7].endswith("in the domain")
    assert lines[-1] == "Finished: reached the step limit (100 steps)."


def test_a_lesson_with_a_start(capsys):
    assert main(["surface", "--lesson", "saddle", "--start=-1.5,0.01", "--every", "100"]) == 0
    out = capsys.readouterr().out
    assert "Adam lr=0.01" in out and "escaped at step" in out


@pytest.mark.parametrize("argv", [["surface", "--opt", "banana"], ["surface", "--opt", "sgd:momentum=0.9"],
                                  ["surface", "kappa=lots"], ["surface", "nope=1"], ["surface", "--start=9,9"]])
def test_bad_settings_are_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:") and "using" not in err


def test_a_bad_choice_from_the_shell_is_one_line_and_exit_2():
    proc = subprocess.run([sys.executable, "-m", "playground", "surface", "--surface", "moon"], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")
