"""Command line: the seed lab's output format, overrides, JSON lines, and one-line errors."""

import json
import re
import subprocess
import sys

import pytest

from playground.cli import main


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
                                  ["train", "--preset", "nope"], ["fly"], ["train", "--config", "/no/such"],
                                  ["report", "--datasets", "moons,nope"]])
def test_bad_arguments_one_line_exit_2(argv):
    proc = subprocess.run([sys.executable, "-m", "playground", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")


def test_report_prints_this_app_next_to_sklearn_on_the_same_split_and_the_overfitting_table(capsys):
    from sklearn.linear_model import LogisticRegression

    from playground.config import RunConfig
    from playground.engine.data import load_dataset

    assert main(["report", "--datasets", "moons,diabetes", "--epochs", "30", "--race-epochs", "5"]) == 0
    out = capsys.readouterr().out
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in out.splitlines()
            if line.startswith("| ") and not line.startswith("| ---")]
    models = [(r[0], r[1]) for r in rows if r[0] in ("moons", "diabetes")]
    assert models == [("moons", "this app"), ("moons", "LogisticRegression"), ("moons", "MLPClassifier"),
                      ("diabetes", "this app"), ("diabetes", "Ridge"), ("diabetes", "MLPRegressor")]
    data = load_dataset(RunConfig(dataset="moons"))  # the split the app trained on
    logistic = LogisticRegression(max_iter=2000).fit(data.x_train, data.y_train)
    shown = next(r for r in rows if r[:2] == ["moons", "LogisticRegression"])
    assert shown[2] == f"{logistic.score(data.x_val, data.y_val):.3f}"
    app = next(r for r in rows if r[:2] == ["moons", "this app"])
    assert app[-1] == "finished at epoch 30"  # 30 epochs: patience 50 never ran out
    assert "`python -m playground race --compare regularization epochs=5`" in out
    lanes = [r for r in rows if r[0].startswith("Adam ")]
    assert len(lanes) == 4 and all(r[4] for r in lanes)


def test_unavailable_device_prints_a_note_and_trains_on_the_cpu(monkeypatch, capsys):
    # Reliability II: the page shows a notice; the command line said nothing and used the CPU.
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["train", "device=cuda", "epochs=2", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "note: device 'cuda' is not available on this server; training on the CPU instead" in err
    assert json.loads(out.splitlines()[-1])["status"] == "finished"  # stdout stays pure JSON lines
