"""How many outages are going on, and of which kinds, as the evidence implies: a storm
of small outages that each drew one call is many outages, not one caller's mistake
made again and again."""

from __future__ import annotations

from gis import Network, NetworkBuilder
from outage.engine import OutageEngine

from .conftest import call
from .test_engine import run


def one_customer_transformers(laterals: int = 8, per_lateral: int = 100) -> Network:
    """A breaker feeding fused laterals of one-customer transformers (as on IEEE 8500):
    customer ``c{lateral}.{t}`` behind ``transformer.{lateral}.{t}``."""
    b = NetworkBuilder("singles", crs="EPSG:4326", units="deg")
    b.add_bus("sub", 0.0, 0.0)
    b.add_bus("head", 0.001, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    for lateral in range(laterals):
        y = 0.002 * lateral
        b.add_bus(f"l{lateral}", 0.002, y)
        b.add_branch(f"line.{lateral}", "line", "head", f"l{lateral}")
        b.add_device(f"fuse.{lateral}", "fuse", f"line.{lateral}")
        for t in range(per_lateral):
            bus, x = f"l{lateral}.{t}", 0.003 + 0.0005 * t
            b.add_bus(bus, x, y)
            b.add_bus(f"{bus}s", x, y + 0.0002)
            b.add_branch(f"line.{bus}", "line", f"l{lateral}.{t - 1}" if t else f"l{lateral}",
                         bus)
            b.add_branch(f"transformer.{lateral}.{t}", "service_transformer", bus, f"{bus}s")
            b.add_customer(f"c{lateral}.{t}", f"{bus}s", x=x, y=y + 0.0003)
    b.add_source("vsource.sub", "sub")
    return b.build()


def replayed(network: Network, events: list[dict[str, object]]) -> OutageEngine:
    """The engine after `events` and the end of the replay (`settle`)."""
    engine = run(network, events)
    engine.settle()
    return engine


def test_lone_calls_scattered_over_many_transformers_are_each_an_outage() -> None:
    # Nine of 800 customers call within the hour, each alone behind a transformer of
    # their own, all over the feeder: a storm's many small outages, each an outage of
    # its own (a caller's mistake is one in thousands, not nine in 800).
    callers = [(0, 30), (0, 71), (1, 20), (2, 55), (3, 17), (4, 88), (5, 2), (6, 41), (7, 64)]
    events = [call(f"c{lat}.{t}", 6.0 * k) for k, (lat, t) in enumerate(callers)]
    engine = replayed(one_customer_transformers(), events)
    shown = {o.device_id for o in engine.outages() if o.active}
    assert shown == {f"transformer.{lat}.{t}" for lat, t in callers}
    # The storm's size is the evidence's: more outages than anyone reported (a
    # one-customer outage is reported by a call in five), of transformers mostly.
    predictor = engine.predictor
    assert predictor.storm_size > len(callers)
    shares = predictor.scorer.learned_shares
    assert shares is not None and shares["service_transformer"] > 0.5


def test_one_lone_call_on_a_quiet_day_is_not_a_storm() -> None:
    # As likely a caller's mistake as a transformer out: a report for the trouble desk.
    engine = replayed(one_customer_transformers(), [call("c2.8", 0.0)])
    assert engine.predictor.storm_size < 2
    assert not [o for o in engine.outages() if o.active]
