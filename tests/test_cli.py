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
