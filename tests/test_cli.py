"""Command line: the seed lab's output format, overrides, JSON lines, and one-line errors."""

import json
import re
import subprocess
import sys

import pytest

from playground.__main__ import main


def test_seed_lab_prints_five_falling_losses_then_accuracy(capsys):
    assert main(["train", "--preset", "seed-lab"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    losses = [re.fullmatch(r"Epoch: (\d+), Loss: ([0-9.]+)", line) for line in lines[:5]]
    assert all(losses), lines
    assert [int(m.group(1)) for m in losses] == [40, 80, 120, 160, 200]
    values = [float(m.group(2)) for m in losses]
    assert values == sorted(values, reverse=True)
    assert lines[5] == "Accuracy: 1.0" and len(lines) == 6


def test_overrides_and_json_lines(capsys):
    assert main(["train", "--json", "dataset=xor", "epochs=3", "hidden=4,4"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["epoch"] for r in rows[:3]] == [1, 2, 3]
    assert rows[-1]["status"] == "finished" and "val" in rows[-1]["metrics"]


def test_config_file(tmp_path, capsys):
    path = tmp_path / "run.json"
    path.write_text('{"dataset": "circles", "epochs": 2, "optimizer": "rmsprop"}')
    assert main(["train", "--config", str(path), "--every", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("Epoch:") == 2 and "Validation Accuracy" in out


@pytest.mark.parametrize("argv", [["train", "lr=banana"], ["train", "nope=1"], ["train", "noequals"],
                                  ["train", "--preset", "nope"], ["fly"], ["train", "--config", "/no/such"]])
def test_bad_arguments_one_line_exit_2(argv):
    proc = subprocess.run([sys.executable, "-m", "playground", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")
