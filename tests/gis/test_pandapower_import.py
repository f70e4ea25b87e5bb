"""pandapower / SimBench import: ids, mapping of switches and trafos, error paths."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from gis import BranchKind, DeviceKind, Network, NetworkError, NetworkFormatError, Topology
from gis.io.pandapower import load_pandapower_source, read_pandapower


@pytest.fixture(scope="module")
def pp() -> Any:
    """pandapower, imported only when a test here runs (it takes seconds)."""
    return pytest.importorskip("pandapower")


@pytest.fixture(scope="module")
def oberrhein(pp: Any) -> Network:
    """The mv_oberrhein grid as imported, loaded once for the module."""
    return load_pandapower_source("pandapower:mv_oberrhein")


def tiny_net(pp: Any) -> Any:
    """sub ─L(CB brk)─ A ─bb(bus-bus)─ A ─L(trafo 20/0.4)─ lv (house, house, shop).

    Two buses are both named "A", two loads "house", and a line and a trafo "L".
    """
    net = pp.create_empty_network()
    sub = pp.create_bus(net, 20.0, name="sub", geodata=(7.80, 48.40))
    a1 = pp.create_bus(net, 20.0, name="A", geodata=(7.81, 48.40))
    a2 = pp.create_bus(net, 20.0, name="A", geodata=(7.81, 48.41))
    lv = pp.create_bus(net, 0.4, name="lv", geodata=(7.82, 48.41))
    pp.create_ext_grid(net, sub, name="grid")
    line = pp.create_line(net, sub, a1, 1.5, std_type="NA2XS2Y 1x95 RM/25 12/20 kV", name="L")
    pp.create_switch(net, sub, line, et="l", type="CB", name="brk")
    pp.create_switch(net, a1, a2, et="b", type="LBS", name="bb")
    pp.create_transformer(net, a2, lv, std_type="0.25 MVA 20/0.4 kV", name="L")
    for name in ("house", "house", "shop"):
        pp.create_load(net, lv, p_mw=0.01, name=name)
    return net


def test_mv_oberrhein_is_radial_with_147_customers(oberrhein: Network) -> None:
    """mv_oberrhein gives 147 energised customers on four breaker feeders and no problems."""
    topology = Topology(oberrhein)
    assert oberrhein.customer_total == 147
    assert len(topology.energised_customers()) == 147
    assert topology.problems() == []
    feeders = Counter(topology.feeder(int(b)) for b in oberrhein.customers.bus)
    assert all(oberrhein.device(f).kind is DeviceKind.BREAKER for f in feeders if f)
    assert len(feeders) == 4
    assert (oberrhein.crs, oberrhein.units) == ("EPSG:4326", "deg")


def test_mv_oberrhein_keeps_line_shapes_and_open_points(oberrhein: Network) -> None:
    """Lines keep their GeoJSON shape and km lengths; six switches are normally open."""
    line = oberrhein.branch("Line 0")
    assert line.kind is BranchKind.LINE
    assert line.length_m == pytest.approx(586.366, abs=0.01)
    assert line.geometry is not None and len(line.geometry) == 3
    assert int(oberrhein.devices.normally_open.sum()) == 6


@pytest.mark.slow
def test_simbench_code_imports_11542_customers() -> None:
    """simbench:1-MVLV-urban-all-0-sw gives 11,542 customers, all energised, radial."""
    pytest.importorskip("simbench")
    network = load_pandapower_source("simbench:1-MVLV-urban-all-0-sw")
    topology = Topology(network)
    assert network.customer_total == 11_542
    assert len(topology.energised_customers()) == 11_542
    assert topology.problems() == []
    assert network.crs == "EPSG:4326"


def test_ids_are_unique_names_else_table_index(pp: Any) -> None:
    """Unique names are ids; duplicates, and names shared by line and trafo, become table:index."""
    network = read_pandapower(tiny_net(pp), "tiny")
    assert network.buses.ids == ("sub", "bus:1", "bus:2", "lv")
    assert network.customers.ids == ("load:0", "load:1", "shop")
    assert {"line:0", "trafo:0"} <= set(network.branches.ids)
    assert network.sources.ids == ("grid",)
    assert network.source("grid").substation == "grid"


def test_asymmetric_loads_are_customers_too(pp: Any) -> None:
    """Houses modelled as unbalanced loads are customers; a name a load already uses
    is not an id twice."""
    net = tiny_net(pp)
    lv = int(net.bus.index[net.bus["name"] == "lv"][0])
    pp.create_asymmetric_load(net, lv, p_a_mw=0.005, name="shop")
    pp.create_asymmetric_load(net, lv, p_b_mw=0.005, name="flat")
    network = read_pandapower(net, "tiny")
    assert network.customers.ids == ("load:0", "load:1", "shop", "asymmetric_load:0", "flat")
    assert network.customer("flat").bus == "lv"


def test_cb_switch_is_a_breaker_heading_a_feeder(pp: Any) -> None:
    """A CB line switch becomes a breaker on that line, and its feeder serves the loads."""
    network = read_pandapower(tiny_net(pp), "tiny")
    breaker = network.device("brk")
    assert (breaker.kind, breaker.branch, breaker.normally_open) == (
        DeviceKind.BREAKER,
        "line:0",
        False,
    )
    topology = Topology(network)
    assert {topology.feeder(int(b)) for b in network.customers.bus} == {"brk"}


def test_bus_bus_switch_is_a_connector_carrying_it(pp: Any) -> None:
    """A bus-bus switch gives a connector branch of its id carrying a switch device."""
    network = read_pandapower(tiny_net(pp), "tiny")
    connector = network.branch("bb")
    assert (connector.kind, connector.from_bus, connector.to_bus) == (
        BranchKind.CONNECTOR,
        "bus:1",
        "bus:2",
    )
    assert network.device("bb").kind is DeviceKind.SWITCH
    assert network.branch("trafo:0").kind is BranchKind.SERVICE_TRANSFORMER


def test_open_switch_is_normally_open_and_cuts_customers_off(pp: Any) -> None:
    """A switch that is not closed is normally open; what lies beyond it is unfed."""
    net = tiny_net(pp)
    net.switch.loc[net.switch.name == "bb", "closed"] = False
    network = read_pandapower(net, "tiny")
    assert network.device("bb").normally_open
    assert len(Topology(network).energised_customers()) == 0


def test_out_of_service_bus_drops_attached_elements(pp: Any) -> None:
    """An out-of-service bus is left out with the trafo, switches and loads attached."""
    net = tiny_net(pp)
    net.bus.loc[3, "in_service"] = False
    network = read_pandapower(net, "tiny")
    assert "lv" not in network.buses.index
    assert "trafo:0" not in network.branches.index
    assert network.customer_total == 0


def test_coordinates_outside_lonlat_are_local(pp: Any) -> None:
    """Coordinates beyond longitude/latitude ranges give a local plane with no CRS."""
    net = tiny_net(pp)
    net.bus.loc[0, "geo"] = '{"type": "Point", "coordinates": [3500000.0, 5360000.0]}'
    network = read_pandapower(net, "tiny")
    assert (network.crs, network.units) == (None, "local")
    assert network.bus("sub").x == 3500000.0


def test_net_without_coordinates_has_nan_buses(pp: Any) -> None:
    """A net without geodata imports with NaN coordinates on a local plane."""
    net = tiny_net(pp)
    net.bus["geo"] = None
    network = read_pandapower(net, "tiny")
    assert network.crs is None
    assert math.isnan(network.bus("sub").x)


def test_older_bus_geodata_and_customer_column_are_read(pp: Any) -> None:
    """Older nets' bus_geodata x/y give coordinates; a customers column gives counts."""
    net = tiny_net(pp)
    net["bus_geodata"] = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [5.0, 6.0, 7.0, 8.0]})
    net.bus = net.bus.drop(columns="geo")
    net.load["customers"] = [3, 4, 5]
    network = read_pandapower(net, "tiny")
    assert (network.bus("lv").x, network.bus("lv").y) == (4.0, 8.0)
    assert network.customer_total == 12
    assert network.customer("shop").x == 4.0


def test_trafo3w_gives_two_branches_and_its_switches_follow_the_bus(pp: Any) -> None:
    """A trafo3w gives hv→mv and hv→lv power transformers; a switch at lv sits on hv→lv."""
    net = tiny_net(pp)
    hv = pp.create_bus(net, 110.0, name="hv")
    lv10 = pp.create_bus(net, 10.0, name="mv10")
    pp.create_transformer3w(net, hv, 0, lv10, std_type="63/25/38 MVA 110/20/10 kV", name="T3")
    pp.create_switch(net, lv10, 0, et="t3", type="DS", closed=False, name="t3-lv")
    pp.create_switch(net, hv, 0, et="t3", type=None, name="t3-hv")
    network = read_pandapower(net, "tiny")
    hv_mv, hv_lv = network.branch("T3"), network.branch("T3~lv")
    assert (hv_mv.kind, hv_mv.from_bus, hv_mv.to_bus) == (BranchKind.POWER_TRANSFORMER, "hv", "sub")
    assert (hv_lv.from_bus, hv_lv.to_bus) == ("hv", "mv10")
    assert network.device("t3-lv").branch == "T3~lv" and network.device("t3-lv").normally_open
    assert network.device("t3-hv").branch == "T3"


def test_out_of_service_line_drops_it_and_its_switches(pp: Any) -> None:
    """An out-of-service line is not imported, nor is the switch on it."""
    net = tiny_net(pp)
    net.line.loc[0, "in_service"] = False
    network = read_pandapower(net, "tiny")
    assert "line:0" not in network.branches.index
    assert "brk" not in network.devices.index


def test_switch_on_missing_line_is_a_network_error(pp: Any) -> None:
    """A switch naming a line that does not exist fails the import, naming the switch."""
    net = tiny_net(pp)
    net.switch.loc[net.switch.name == "brk", "element"] = 7
    with pytest.raises(NetworkError, match=r"switch 'brk': element l:7 does not exist"):
        read_pandapower(net, "tiny")


def test_json_file_path_loads(pp: Any, tmp_path: Path) -> None:
    """A path to a pandapower JSON file loads under the file's stem."""
    path = tmp_path / "tiny.json"
    pp.to_json(tiny_net(pp), str(path))
    network = load_pandapower_source(str(path))
    assert network.name == "tiny"
    assert network.customer_total == 3


def test_loading_keeps_pandapower_speed_notice_off_the_screen(
    pp: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """pandapower's advice to install numba (its power flows run while some networks
    load) is not shown; its other warnings still are."""
    import logging

    import pandapower.networks

    def noisy() -> Any:
        logger = logging.getLogger("pandapower.auxiliary")
        logger.warning("numba cannot be imported and numba functions are disabled.")
        logger.warning("something else")
        return tiny_net(pp)

    monkeypatch.setattr(pandapower.networks, "noisy_net", noisy, raising=False)
    with caplog.at_level(logging.WARNING):
        network = load_pandapower_source("pandapower:noisy_net")
    assert network.customer_total == 3
    assert [r.getMessage() for r in caplog.records] == ["something else"]


def test_importing_pandapower_keeps_its_plotting_notice_off_the_screen(pp: Any) -> None:
    """pandapower says, as it is imported, that plotly is missing for interactive plots:
    a fresh process logging at INFO loads a network without showing that."""
    import subprocess
    import sys

    code = ("import logging; logging.basicConfig(level=logging.INFO)\n"
            "from gis.io.pandapower import load_pandapower_source\n"
            "print(load_pandapower_source('pandapower:create_kerber_vorstadtnetz_kabel_1')"
            ".customer_total)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "146"
    assert "plotly" not in done.stderr


def test_broken_json_file_is_a_format_error(pp: Any, tmp_path: Path) -> None:
    """A JSON file pandapower cannot read raises NetworkFormatError naming the path."""
    path = tmp_path / "broken.json"
    path.write_text('{"_module": "pandapower.auxiliary", "_class": "pandapowerNet", ')
    with pytest.raises(NetworkFormatError, match=r"broken\.json"):
        load_pandapower_source(str(path))


@pytest.mark.parametrize("spec", ["pandapower:nope", "simbench:nope", "nope.json", "other:x"])
def test_unknown_spec_is_a_format_error_naming_it(pp: Any, spec: str) -> None:
    """A spec naming no network, code or file raises NetworkFormatError naming the spec."""
    with pytest.raises(NetworkFormatError, match=re.escape(spec)):
        load_pandapower_source(spec)


def test_a_misspelt_simbench_code_is_said_to_be_one() -> None:
    """Not the loader's own failure (an int() of a code's part): what a code looks like."""
    pytest.importorskip("simbench")
    with pytest.raises(NetworkFormatError, match=r"not a SimBench grid code.*1-LV-urban6--0-sw"):
        load_pandapower_source("simbench:1-LV-urban6-0-sw")


def test_line_to_missing_bus_is_a_network_error_naming_the_line(pp: Any) -> None:
    """A line whose bus is not in the bus table fails the import, naming the line."""
    net = tiny_net(pp)
    net.line.loc[0, ["name", "to_bus"]] = ["feeder-1", 99]
    with pytest.raises(NetworkError, match=r"line 'feeder-1': to_bus 99 is not a bus"):
        read_pandapower(net, "tiny")
