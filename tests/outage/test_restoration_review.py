"""A restoration the meters saw says which device operated: restore messages from
meters that said nothing, and silence from customers of the predicted device."""

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from outage.engine import OutageEngine
from outage.events import Tick, parse_event
from outage.records import Stage
from outage.restoration_review import operated_device
from tests.outage.conftest import T0, call, device, lateral_feeder, meter

FEEDER = OutageEngine(lateral_feeder())  # read only: its tree and customers


def run(events: list[dict[str, object]]) -> OutageEngine:
    engine = OutageEngine(lateral_feeder())
    for data in events:
        engine.apply(parse_event(data))
    return engine


def test_restore_messages_from_meters_that_said_nothing_grow_the_record() -> None:
    """Fuse a operates; only transformer a1's last gasps arrive, so a1 is predicted.
    When the fuse closes, meters under a2 and a3 that never said they were out send
    restore messages with a1's: once they are in, the record is fuse a's, with its
    eighteen customers."""
    events = [meter(f"a1.{m}", 0.01 * m, "off") for m in range(1, 5)]
    events += [call("a1.5", 12)]
    engine = run(events)
    (outage,) = engine.book.live()
    assert outage.device_id == "transformer.a1"
    back = [meter("a1.1", 90, "on")]
    back += [meter(f"{t}.{m}", 90.5, "on") for t in ("a2", "a3") for m in (2, 4, 6)]
    for data in back:
        engine.apply(parse_event(data))
    assert outage.stage is Stage.RESTORED and outage.device_id == "transformer.a1"
    engine.apply(Tick(T0 + timedelta(minutes=101)))
    assert outage.device_id == "fuse.a"
    assert outage.customers_out == 18 and len(outage.customer_ids) == 18
    assert "not transformer.a1" in outage.explanation


def test_a_lone_restore_message_far_away_does_not_grow_the_record() -> None:
    """One restore message from lateral b, with nothing else from its eighteen
    customers, is not the recloser's restoration: the record stays at a1."""
    events = [meter(f"a1.{m}", 0.01 * m, "off") for m in range(1, 5)]
    engine = run(events)
    (outage,) = engine.book.live()
    for data in [meter("a1.1", 90, "on"), meter("b2.3", 90.5, "on")]:
        engine.apply(parse_event(data))
    engine.settle()
    assert outage.device_id == "transformer.a1" and outage.customers_out == 6


def test_a_device_a_crew_reported_closed_is_not_reviewed() -> None:
    """A crew's close names the device: restore messages from elsewhere change nothing."""
    events = [meter(f"a1.{m}", 0.01 * m, "off") for m in range(1, 5)]
    events += [device("transformer.a1", 90, "closed", source="crew")]
    events += [meter(f"{t}.{m}", 90.5, "on") for t in ("a2", "a3") for m in (2, 4, 6)]
    engine = run(events)
    engine.settle()
    (outage,) = engine.outages()
    assert outage.device_id == "transformer.a1" and outage.stage is Stage.RESTORED


def test_a_record_shrinks_to_the_device_whose_meters_all_came_back() -> None:
    """Recloser r1 predicted from calls on lateral a and one on lateral b; at its
    restoration every meter of lateral a says it is back and none of lateral b's
    eighteen: fuse a operated (b1.1's was a false call)."""
    engine = OutageEngine(lateral_feeder())
    tree, ids = engine.tree, engine.network.customers.index
    candidate = {tree.element_id[c]: c for c in range(len(tree))}
    reporters = [ids[c] for c in ("a1.1", "a2.1", "a3.1", "b1.1")]
    messages = [ids[f"a{t}.{m}"] for t in (1, 2, 3) for m in range(1, 7)]
    heard = set(reporters) | set(messages)

    def counts(a: int) -> tuple[int, int, int]:
        below = engine.customers_below(a).tolist()
        return len(below), sum(i in heard for i in below), 0

    def prior(a: int) -> float:
        return -2.0

    reported = tree.customer_parent[reporters].tolist()
    back = tree.customer_parent[messages].tolist()
    common = {"silence": -0.7, "outside": math.log(1e-3), "on_while_out": math.log(1e-3),
              "best_prior": -1.4}
    recloser = candidate["recloser.r1"]
    assert tree.element_id[operated_device(tree, recloser, reported, back, counts, prior,
                                           **common)] == "fuse.a"
    # With half of lateral b's meters back too, it was the recloser.
    few = [ids[f"b{t}.{m}"] for t in (1, 2, 3) for m in (1, 2, 3)]
    heard |= set(few)
    back += tree.customer_parent[few].tolist()
    assert operated_device(tree, recloser, reported, back, counts, prior, **common) == recloser


def test_meters_back_with_an_earlier_restoration_keep_a_nested_record_below_them() -> None:
    """The fuse's restoration brought laterals a1 and a3 back; a2 stayed out (a nested
    outage) until its own restoration. Reviewing that one, a2's silent neighbours are
    cheap to explain (few meters speak) and the fuse's prior is far above a
    transformer's, so they would move the record up to the fuse. But their meters said
    they had power before a2 came back: the fuse was closed, and a2 it stays."""
    tree, ids = FEEDER.tree, FEEDER.network.customers.index
    candidate = {tree.element_id[c]: c for c in range(len(tree))}
    inner = candidate["transformer.a2"]
    reporters = [ids[f"a2.{m}"] for m in (1, 3)]
    messages = [ids[f"a2.{m}"] for m in (2, 4, 5)]
    heard = set(reporters) | set(messages)
    back_before = {ids[f"a{t}.{m}"] for t in (1, 3) for m in range(1, 7)}

    def prior(a: int) -> float:
        return -1.4 if a == candidate["fuse.a"] else -5.0

    def review(powered: set[int]) -> str:
        def counts(a: int) -> tuple[int, int, int]:
            below = FEEDER.customers_below(a).tolist()
            return (len(below), sum(i in heard for i in below),
                    sum(i in powered for i in below))

        return tree.element_id[operated_device(
            tree, inner, tree.customer_parent[reporters].tolist(),
            tree.customer_parent[messages].tolist(), counts, prior, silence=-0.2,
            outside=math.log(1e-3), on_while_out=math.log(1e-3), best_prior=-1.4)]

    assert review(set()) == "fuse.a"  # nothing said they had power: silence is cheap
    assert review(back_before) == "transformer.a2"


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_the_record_stays_on_its_reporters_path(data: st.DataObject) -> None:
    """Whatever the restore messages say, the record moves only up or down the path of
    a customer who reported the outage: never to a device where nobody said it was."""
    tree, customers = FEEDER.tree, FEEDER.network.customers.ids
    predicted = data.draw(st.sampled_from([c for c in range(len(tree))
                                           if len(FEEDER.customers_below(c))]))
    below = FEEDER.customers_below(predicted).tolist()
    reporters = data.draw(st.lists(st.sampled_from(below), min_size=1, unique=True))
    # Restore messages from a whole area somewhere on the feeder, and from a few others.
    area = data.draw(st.sampled_from(range(len(tree))))
    messages = sorted(set(FEEDER.customers_below(area).tolist())
                      | set(data.draw(st.lists(st.integers(0, len(customers) - 1)))))
    heard = set(reporters) | set(messages)

    def counts(a: int) -> tuple[int, int, int]:
        mine = FEEDER.customers_below(a).tolist()
        return len(mine), sum(i in heard for i in mine), 0

    priors = data.draw(st.lists(st.floats(-8, -1.4), min_size=len(tree), max_size=len(tree)))
    best = operated_device(
        tree, predicted, tree.customer_parent[reporters].tolist(),
        tree.customer_parent[messages].tolist(), counts, priors.__getitem__,
        silence=data.draw(st.floats(-5, -0.01)), outside=data.draw(st.floats(-12, -1)),
        on_while_out=math.log(1e-3), best_prior=-1.4)
    assert tree.contains(best, predicted) or tree.contains(predicted, best)
    assert any(tree.contains(best, int(p)) for p in tree.customer_parent[reporters])
