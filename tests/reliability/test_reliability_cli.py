"""`oms reliability report` end to end: text, JSON, HTML, the sample history, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from oms.cli import main

DATA = Path(__file__).resolve().parent / "data"
HISTORY = Path(__file__).resolve().parents[2] / "sample_data" / "history"
TINY = ["reliability", "report", "--outages", str(DATA / "tiny_outages.csv"),
        "--feeders", str(DATA / "tiny_feeders.csv"), "--period", "2025-03-01/2025-03-02"]


def test_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json/--html a readable table with SAIDI 40.00 for the tiny example."""
    assert main([*TINY, "--customers-served", "10", "--by", "feeder"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"SAIDI \(min\)\s+40\.00", out)
    assert "Major Event Days" in out and "breaker.fdr_a2" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints indices with and without MEDs, the MED threshold and the target."""
    assert main([*TINY, "--json", "--cemi-n", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["indices"]["all"]["saifi"] == pytest.approx(0.7)
    assert data["indices"]["all"]["cemi_n"] == pytest.approx(0.1)
    assert data["indices"]["planned"]["customer_interruptions"] == 2
    assert set(data["indices"]) == {"all", "excluding_med", "med_days", "planned"}
    assert data["target"]["year_to_date"]["budget_minutes"] == pytest.approx(525.6)


def test_html_is_self_contained_with_three_plots(tmp_path: Path) -> None:
    """--html writes one file with three base64 PNG plots and no external links."""
    out = tmp_path / "r.html"
    assert main([*TINY, "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3
    assert "http://" not in html and "https://" not in html


def test_sample_history_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The committed sample history gives MEDs and per-year budget use."""
    assert main(["reliability", "report", "--outages", str(HISTORY / "outages.csv"),
                 "--feeders", str(HISTORY / "feeders.csv"), "--period",
                 "2021-01-01/2026-01-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["med"]["days"]) >= 5
    assert len(data["years"]) == 5
    assert data["indices"]["excluding_med"]["saidi"] < data["indices"]["all"]["saidi"]


def test_history_file_sets_the_threshold(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """--history supplies daily SAIDI for T_MED; the tiny day exceeding it is a MED."""
    history = tmp_path / "h.csv"
    history.write_text("date,saidi\n2024-01-01,1\n2024-01-02,2.718281828459045\n")
    assert main([*TINY, "--history", str(history), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["med"]["source"] == "history"
    assert [d["date"] for d in data["med"]["days"]] == ["2025-03-01"]
    assert data["indices"]["excluding_med"]["saidi"] == 0.0


@pytest.mark.parametrize(("args", "pattern"), [
    (["--outages", str(DATA / "bad_feeder.csv"), "--feeders", str(DATA / "tiny_feeders.csv")],
     r"^oms: error: bad_feeder.csv line 3 \(id B\), field 'feeder': unknown feeder"),
    (["--outages", str(DATA / "bad_end_before_start.csv"), "--customers-served", "10"],
     r"^oms: error: bad_end_before_start.csv line 3, field 'end'"),
    (["--outages", str(DATA / "tiny_outages.csv"), "--customers-served", "11",
      "--feeders", str(DATA / "tiny_feeders.csv")],
     r"^oms: error: feeders serve 10 customers in all, not the 11"),
])
def test_bad_input_exits_2(args: list[str], pattern: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input prints 'oms: error: ...' naming line and field, and exits 2."""
    code = main(["reliability", "report", *args, "--period", "2025-03-01/2025-03-02"])
    assert code == 2
    assert re.search(pattern, capsys.readouterr().err)
