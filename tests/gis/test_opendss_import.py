"""Importing OpenDSS feeder models, real and broken."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from gis import NetworkFormatError, Topology
from gis.errors import NetworkImportWarning
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


def _windows_model(folder: Path) -> Path:
    """A model written on Windows: it names its files in other cases than the disk's,
    a subfolder with a backslash, and a redirect inside that subfolder."""
    (folder / "Sub").mkdir()
    (folder / "Sub" / "lines.dss").write_text(
        "New Line.l1 bus1=src bus2=a length=1 units=km\nRedirect More.dss\n")
    (folder / "Sub" / "more.dss").write_text("New Line.l2 bus1=a bus2=b length=1 units=km\n")
    (folder / "shape.txt").write_text("1\n0.5\n")
    (folder / "coords.csv").write_text("src, 0, 0\na, 10, 0\nb, 20, 5\n")
    master = folder / "master.dss"
    master.write_text("Clear\nNew Circuit.c basekv=12.47 bus1=src\nRedirect SUB\\Lines.DSS\n"
                      "New Loadshape.day npts=2 interval=12 mult=(file=Shape.TXT)\n"
                      "New Load.x1 bus1=b kv=12.47 kw=10 daily=day\nBusCoords COORDS.csv\n")
    return master


def test_files_named_in_another_case_are_read_as_on_windows(tmp_path: Path) -> None:
    """Each file a Windows model names in another case than the disk's is read, as
    OpenDSS on Windows reads it, and a warning names what was read for what; the
    model's own folder is left as it was."""
    master = _windows_model(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.warns(NetworkImportWarning) as caught:
        net = load_network(master)
    assert net.branches.ids == ("line.l1", "line.l2")
    assert net.customer("load.x1").bus == "b"
    assert (net.bus("b").x, net.bus("b").y) == (20, 5)  # from coords.csv
    [warning] = caught
    text = str(warning.message)
    for said in ("master.dss, line 3: 'Lines.DSS' read from 'Sub/lines.dss'",
                 "'More.dss' read from 'Sub/more.dss'",
                 "'Shape.TXT' read from 'shape.txt'", "'COORDS.csv' read from 'coords.csv'"):
        assert said in text
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_name_that_could_mean_two_files_is_refused_naming_both(tmp_path: Path) -> None:
    """``Lines.DSS`` beside both ``lines.dss`` and ``LINES.dss``: which one Windows
    would read is not for the importer to guess."""
    master = _windows_model(tmp_path)
    (tmp_path / "Sub" / "LINES.dss").write_text("New Line.l9 bus1=src bus2=b length=1\n")
    with pytest.raises(NetworkFormatError,
                       match=r"line: 3.*'LINES\.dss', 'lines\.dss' in .*Sub.*means one file"):
        load_network(master)


def test_a_missing_model_file_is_refused_naming_it(tmp_path: Path) -> None:
    """A redirected model file that is not there in any case may hold elements: the
    import stops at the line naming it, and the message names the model's own paths."""
    master = _windows_model(tmp_path)
    master.write_text(master.read_text() + "Redirect Switches.dss\n")
    said = r'(?s)"Switches\.dss".*master\.dss", line: 7'
    with pytest.raises(NetworkFormatError, match=said) as error:
        load_network(master)
    assert "oms-opendss" not in str(error.value)  # not the scratch folder's


def test_missing_data_files_are_read_as_empty(tmp_path: Path) -> None:
    """A load shape's values and the bus coordinates hold none of the network: when
    their files are not there, the network imports whole, placed as a schematic, and a
    warning names each file and the line that asked for it."""
    master = _windows_model(tmp_path)
    (tmp_path / "coords.csv").unlink()
    (tmp_path / "shape.txt").unlink()
    with pytest.warns(NetworkImportWarning) as caught:
        net = load_network(master)
    assert net.branches.ids == ("line.l1", "line.l2")
    assert net.customer("load.x1").bus == "b"
    assert not any(math.isfinite(x) for x in net.buses.x)
    text = str(caught[0].message)
    assert "'Lines.DSS' read from 'Sub/lines.dss'" in text
    assert ("names data files that are not there, read as empty (master.dss, line 4: "
            "'Shape.TXT'; master.dss, line 6: 'COORDS.csv')") in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Sub", "master.dss"]  # untouched


def test_a_file_outside_the_model_folder_in_another_case_is_pointed_out(
    tmp_path: Path,
) -> None:
    """Only the model's own folder is read as Windows would: a file it names outside
    that folder in another case is refused, saying which file it meant."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "lines.dss").write_text(
        "New Line.l1 bus1=src bus2=a length=1 units=km\n")
    (tmp_path / "model").mkdir()
    master = tmp_path / "model" / "master.dss"
    master.write_text("Clear\nNew Circuit.c basekv=12.47 bus1=src\n"
                      "Redirect ../shared/Lines.DSS\nNew Load.x1 bus1=a kv=12.47 kw=10\n")
    with pytest.raises(NetworkFormatError,
                       match=r"'lines\.dss' is in .*shared', outside the model's folder"):
        load_network(master)
