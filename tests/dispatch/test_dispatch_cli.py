"""``oms dispatch solve`` end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oms.cli import main as oms_main
from tests.dispatch.dispatch_fixtures import DATA


def main(argv: list[str]) -> int:
    """`oms dispatch ARGV…` in process."""
    return oms_main(["dispatch", *argv])


def solve_json(name: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """`oms dispatch solve DATA/name --json` with a short search; its parsed output."""
    argv = ["solve", str(DATA / name), "--time-limit", "2", "--json", "--solution-limit", "20"]
    assert main(argv) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def test_solve_solomon_json(capsys: pytest.CaptureFixture[str]) -> None:
    """A Solomon file gives the DESIGN.md JSON with a feasible dimacs distance."""
    out = solve_json("tiny_solomon.txt", capsys)
    assert out["convention"] == "dimacs" and out["feasible"] and out["unassigned"] == []
    assert sorted(c for r in out["routes"] for c in r) == [1, 2, 3, 4, 5]


def test_solve_field_json(capsys: pytest.CaptureFixture[str]) -> None:
    """A field instance prints routes per crew, schedule and customer-minutes."""
    out = solve_json("field_small.json", capsys)
    assert len(out["routes"]) == 2 and out["customer_minutes"] > 0


def test_an_instance_without_crews_drops_every_job_with_its_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No crew on shift is a state of the world, not a broken file: every job is
    unassigned, saying why, and the plan is empty (it used to stop at 'no crews')."""
    instance = json.loads((DATA / "field_small.json").read_text())
    instance["crews"] = []
    (tmp_path / "none.json").write_text(json.dumps(instance))
    assert main(["solve", str(tmp_path / "none.json"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["routes"] == [] and out["schedule"] == [] and out["customer_minutes"] == 0
    assert out["unassigned"] == [{"id": j["id"], "reason": "no crews on the roster"}
                                 for j in instance["jobs"]]


def test_strict_rejects_unservable_job(capsys: pytest.CaptureFixture[str]) -> None:
    """--strict turns a job nobody is skilled for into an error naming it."""
    assert main(["solve", str(DATA / "field_small.json"), "--strict"]) == 2
    assert "job 'tree-1': no crew has skills tree" in capsys.readouterr().err


def test_bad_file_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    """A broken instance exits with 2 and a readable message."""
    assert main(["solve", str(DATA / "broken_empty_shift.json")]) == 2
    assert "empty shift" in capsys.readouterr().err


def test_a_terminal_sees_the_search_time_and_a_pipe_gets_the_answer_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A solver run takes its whole time limit: on a terminal a bar shows the seconds spent
    against the limit; in a pipe, stderr stays empty and stdout holds the JSON alone."""
    argv = ["solve", str(DATA / "tiny_solomon.txt"), "--time-limit", "1.2", "--json"]
    assert main(argv) == 0
    piped = capsys.readouterr()
    assert piped.err == "" and json.loads(piped.out)["feasible"]

    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(argv) == 0
    shown = capsys.readouterr()
    assert "solving" in shown.err and "/1 s" in shown.err
    assert json.loads(shown.out)["feasible"]
