"""Importing OpenDSS feeder models, real and broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis import NetworkFormatError, Topology
from gis.io import load_network
from gis.summary import summarise

from ..data import IEEE123, IEEE8500, OPENDSS, SHARED

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared/networks not present")


@needs_shared
def test_ieee123_customers_ties_and_coordinates() -> None:
    """IEEE 123 imports with its 91 loads, two normally-open ties and bus coordinates."""
    net = load_network(IEEE123)
    summary = summarise(net)
    assert summary.customers == 91
    assert summary.energised_customers == 91
    assert summary.radial and summary.problems == []
    opened = {net.devices.ids[i] for i, o in enumerate(net.devices.normally_open) if o}
    assert opened == {"line.sw7", "line.sw8"}
    assert net.bus("1").x == 700 and net.bus("1").y == 1500  # from the sibling BusCoords.dat
    assert net.branch("line.l115").length_m == pytest.approx(0.4 * 304.8)


@needs_shared
def test_ieee8500_with_fuses() -> None:
    """IEEE 8500 plus Fuses.DSS: 1,177 customers, 30 fuses on their lines, radial."""
    net = load_network(IEEE8500 / "Master.dss", [IEEE8500 / "Fuses.DSS"])
    summary = summarise(net)
    assert summary.customers == 1177
    assert summary.devices["fuse"] == 30
    assert summary.radial
    fuse = net.device("fuse.ln6201670-1")
    assert fuse.branch == "line.ln6201670-1" and fuse.protective
    topo = Topology(net)
    assert topo.downstream_customer_count(net.element_branch("fuse.ln6201670-1")) > 0
    # Disabled switch lines are the feeder's normally-open ties.
    assert net.device("line.wd701_48332_sw").normally_open


def test_devices_transformers_and_open_switch_from_a_small_model() -> None:
    """Relay → breaker, Recloser, Fuse, centre-tapped transformer, open switch line."""
    net = load_network(OPENDSS / "recloser_feeder.dss")
    assert net.device("relay.brk").kind == "breaker"
    assert net.device("recloser.r1").branch == "line.main"
    assert net.device("line.tie").normally_open
    assert net.branch("transformer.t2").kind == "service_transformer"
    assert net.branch("transformer.t2").to_bus == "e"  # one branch for both half-windings
    assert net.customer("load.x1").count == 4
    summary = summarise(net)
    assert [f.id for f in summary.feeders] == ["relay.brk"]
    assert {p.kind for p in summary.problems} >= {"unfed_customers", "island"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken_syntax.dss", "line: 4"),
        ("fuse_on_missing_line.dss", "SwitchedObj"),
        ("no_such_file.dss", "does not exist"),
        ("shell_command.dss", "DOScmd is disabled"),
    ],
)
def test_broken_models_are_refused_with_the_reason(name: str, message: str) -> None:
    """A model OpenDSS cannot compile is refused, naming the file and the problem."""
    with pytest.raises(NetworkFormatError, match=message):
        load_network(OPENDSS / name)


def test_a_model_is_read_as_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that solves and shows reports imports without writing into the working
    folder or opening an editor, and leaves the working folder where it was."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no editor or browser to launch
    net = load_network(OPENDSS / "solve_and_show.dss")
    assert net.customer("load.x1").count == 1
    assert list(tmp_path.iterdir()) == []
    assert Path.cwd() == tmp_path


def test_a_file_named_in_another_case_is_pointed_out(tmp_path: Path) -> None:
    """A model written on Windows that redirects to ``Lines.DSS`` beside ``lines.dss``
    is refused with the file it meant, since names are case-sensitive here."""
    (tmp_path / "lines.dss").write_text("New Line.l1 bus1=src bus2=a length=1 units=km\n")
    master = tmp_path / "master.dss"
    master.write_text("Clear\nNew Circuit.c basekv=12.47 bus1=src\nRedirect Lines.DSS\n"
                      "New Load.x1 bus1=a kv=12.47 kw=10\n")
    with pytest.raises(NetworkFormatError, match=r"'lines\.dss' is in .*case-sensitive"):
        load_network(master)
    (tmp_path / "lines.dss").rename(tmp_path / "Lines.DSS")
    assert load_network(master).customer("load.x1").count == 1
