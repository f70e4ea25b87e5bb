"""One paragraph a dispatcher can read: why the engine believes in an outage."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from outage.predict import NOTHING

if TYPE_CHECKING:
    from outage.engine.records import EngineRecords
    from outage.records import Outage

# A start within this of the earliest report is that report (times are shown to the minute).
ROUNDING = timedelta(seconds=30)


def explain(engine: EngineRecords, outage: Outage, restored: datetime | None = None, *,
            named: bool = False) -> str:
    """Say what operated, on what evidence, and what the alternative explanation was; of
    an outage being `restored` then, its start as its reports tell it up to then. One
    `named` by its own device's close has no alternative above it: the close says which
    device was open, whatever the reports above it say."""
    predictor, tree = engine.predictor, engine.tree
    c = outage.candidate
    n, calls, gasps, powered = predictor.evidence_of(c)
    kind = outage.device_kind.replace("_", " ")
    parts = [f"{kind.capitalize()} {outage.device_id}"
             + (f" on feeder {outage.feeder}" if outage.feeder else "") + "."]
    if predictor.forced[c]:
        parts.append("Reported open (SCADA, crew or dispatcher), so this is confirmed.")
    evidence = f"{calls} of its {_n(n, 'service point')} reported by call"
    if predictor.ami:
        evidence += (f", {gasps} sent a last gasp, {_n(powered, 'meter')} "
                     f"{'says it has' if powered == 1 else 'say they have'} power")
        silent = predictor.silent_since_restored(c)
        if silent:
            evidence += (f"; {_n(silent, 'meter')} {'has' if silent == 1 else 'have'} not "
                         f"said the power is back since their area was restored")
    parts.append(evidence + ".")
    # A device reported open needs no comparison with the outages below it (its score
    # is then a sentinel, not a figure to show).
    below = [] if predictor.forced[c] else predictor.children_explanation(c)
    if len(below) > 1:
        parts.append(
            f"One operation here explains the reports better than {len(below)} separate "
            f"outages below it (score {predictor.score(c):.1f} against "
            f"{predictor.child_sum[c]:.1f})."
        )
    elif len(below) == 1:
        parts.append(f"It explains the reports better than {tree.element_id[below[0]]} alone.")
    parent = int(tree.parent[c])
    if parent >= 0 and not predictor.forced[c] and not named:
        pn, pc, pg, _ = predictor.evidence_of(parent)
        parts.append(
            f"Upstream {tree.element_id[parent]} serves {_n(pn, 'service point')} with "
            f"{_n(pc, 'call')}" + (f" and {_n(pg, 'last gasp')}" if predictor.ami else "")
            + ": too few to believe it operated."
        )
        close = engine.close_below(parent)
        if close is not None:
            parts.append(f"{tree.element_id[parent]} is likely closed too: {close[0]}, below "
                         f"it, was closed at {close[1]:%H:%M} (crews restore from the source "
                         f"outward).")
    isolating = engine.isolating_below(c)
    if isolating:
        opened = ", ".join(isolating)
        parts.append(f"Reported open inside it while it was out: {opened} (isolating the "
                     f"fault); behind {'it' if len(isolating) == 1 else 'them'} customers "
                     f"stay out when {outage.device_id} closes.")
    dark = engine.dark_close_below(c)
    if dark is not None:
        parts.append(f"{dark[0]}, below it, was closed at {dark[1]:%H:%M}, but none of its "
                     f"{_n(dark[2], 'meter')} that had sent a last gasp said it was back: "
                     "the supply above it is still off.")
    parts.append(f"Confidence {percent(outage.confidence)}; started "
                 f"{outage.started:%Y-%m-%d %H:%M} ({_start_basis(engine, outage, restored)}).")
    otherwise = _otherwise(engine, c) if outage.active else ""
    if otherwise:
        parts.append(otherwise)
    if outage.hazards:
        hazards = ", ".join(sorted(outage.hazards))
        parts.append(f"Hazard reported: {hazards} — make safe first.")
    return " ".join(parts)


def percent(chance: float) -> str:
    """A chance as a dispatcher reads it: whole percent, but never 100 % or 0 % unless it
    is certain either way (a prediction at 99.7 % is not a device reported open)."""
    if 0.0 < chance < 0.005:
        return "under 1%"
    if 0.995 <= chance < 1.0:
        return "over 99%"
    return f"{chance:.0%}"


def _otherwise(engine: EngineRecords, c: int) -> str:
    """The likeliest other explanations of candidate `c`'s reports and their chances
    (at most three, of 1 % or more), or nothing when there is none."""
    likely = sorted(((chance, what) for what, chance in engine.predictor.chances(c)),
                    reverse=True)
    said = [f"{_alternative(engine, c, what)} ({percent(chance)})"
            for chance, what in likely[:3] if chance >= 0.005]
    return f"Otherwise: {'; '.join(said)}." if said else ""


def _alternative(engine: EngineRecords, c: int, what: int) -> str:
    predictor, tree = engine.predictor, engine.tree
    names = tree.element_id
    if what >= 0:
        if tree.kind[what] == "source":
            return f"loss of supply at {names[what]}"
        return f"{names[what]} operated"
    if what == NOTHING:
        return "no outage, false reports"
    below = predictor.children_explanation(predictor.lowest_twin(c))
    if not below:  # none likelier than nothing, yet some chance of one
        return "a smaller outage below it"
    if len(below) == 1:
        return f"only {names[below[0]]} out"
    if len(below) <= 3:
        listed = [names[b] for b in below]
        return f"{', '.join(listed[:-1])} and {listed[-1]} out"
    return f"{len(below)} outages below it"


def _start_basis(engine: EngineRecords, outage: Outage, restored: datetime | None) -> str:
    """What the start is dated from: its earliest report, the wait expected before its
    first call, or an earlier loss of power (an outage above restored without these
    customers, a device reported open); and a report below it set aside as of something
    else (a lone call long before the rest), which a dispatcher sees on the map."""
    reports = engine.earliest_report_below(outage.candidate, restored)
    aside = ""
    if reports is not None and reports[0] - reports[1] >= ROUNDING:
        first = reports[1]
        day = "" if first.date() == outage.started.date() else f"{first:%Y-%m-%d} "
        aside = (f"; a report below it from {day}{first:%H:%M} came too long before the "
                 "rest to be of this outage")
    wait = round(outage.first_call_wait)  # shown to the minute
    if wait and outage.started == outage.report_dated:  # not since moved (a merge)
        first_call = outage.started + timedelta(minutes=outage.first_call_wait)
        return (f"{_n(wait, 'minute')} before its first call, at {first_call:%H:%M}: the "
                f"wait expected of the first of its callers{aside}")
    if reports is None:
        return "no report below it"
    earliest = reports[0]
    if abs(earliest - outage.started) < ROUNDING:
        return f"earliest report{aside}"
    if earliest > outage.started:
        return (f"before its earliest report, at {earliest:%H:%M}: its customers lost "
                "power then and were not restored since")
    return (f"its reports at the time; an earlier one below it, from {earliest:%H:%M}, "
            "came in later")


def _n(count: int, noun: str) -> str:
    """``1 call``, ``2 calls``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
