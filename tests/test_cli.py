"""The oms command line, end to end on real and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oms.cli import main

DATA = Path(__file__).resolve().parent / "data" / "opendss"


def test_import_then_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Import writes a GeoPackage whose info shows the feeders and problems by name."""
    out = tmp_path / "tiny.gpkg"
    assert main(["network", "import", str(DATA / "recloser_feeder.dss"), "--out", str(out)]) == 0
    assert out.is_file()
    capsys.readouterr()
    assert main(["network", "info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "relay.brk" in text and "load.y" in text and "unfed_customers" in text
    assert main(["network", "info", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customers"] == 6 and data["radial"] is True


def test_bad_source_exits_2_with_a_readable_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken input is an error message and exit code 2, not a traceback."""
    code = main(
        ["network", "import", str(DATA / "broken_syntax.dss"), "--out", str(tmp_path / "x.gpkg")]
    )
    assert code == 2
    assert "oms: error:" in capsys.readouterr().err
    assert not (tmp_path / "x.gpkg").exists()


def test_an_import_warning_is_a_note_for_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model naming ``Lines.DSS`` beside ``lines.dss`` imports; the terminal says
    which file was read, in one line, without a Python warning's source line."""
    (tmp_path / "lines.dss").write_text("New Line.l1 bus1=src bus2=a length=1 units=km\n")
    master = tmp_path / "master.dss"
    master.write_text("Clear\nNew Circuit.c basekv=12.47 bus1=src\nRedirect Lines.DSS\n"
                      "New Load.x1 bus1=a kv=12.47 kw=10\n")
    assert main(["network", "info", str(master)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "oms: note: OpenDSS model master.dss names files in another case than they have on "
        "disk, read as on Windows (master.dss, line 3: 'Lines.DSS' read from 'lines.dss')"]
