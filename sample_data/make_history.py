"""Write five years of seeded synthetic outage history for a sample territory.

    python sample_data/make_history.py --network sample_data/territory.gpkg [--seed 1366]
        [--start 2021-01-01] [--years 5] [--out-dir sample_data/history]
    python sample_data/make_history.py [--customers-served 6000]
        [--feeders breaker.fdr_a1,breaker.fdr_a2,...]        # a made-up territory

Writes ``outages.csv`` (id,start,end,customers,feeder,momentary,planned,customer_ids),
``feeders.csv`` (feeder,customers,substation,region) and ``daily_saidi.csv`` (date,saidi;
sustained unplanned interruptions accrued to the UTC day they start, non-zero days only).
Outages: fuse, recloser-section and breaker lockouts (with step restoration: groups of the
same outage restored at different times), recloser momentaries, planned work, and storm
days with many long outages so that Major Event Days and budget burn are visible. No
customer is ever in two interruptions at once. Point ``--feeders``/``--customers-served``
at the real sample territory when it lands; customer ids are ``c00001``... numbered
feeder by feeder (the real ids would replace them).
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

DEFAULT_FEEDERS = tuple(f"breaker.fdr_{s}{n}" for s in "abc" for n in (1, 2, 3))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Event:
    """One interruption of a set of customers (indices into the territory's arrays)."""

    outage_id: str
    start: float  # minutes since EPOCH
    end: float
    feeder: int
    customers: np.ndarray
    momentary: bool = False
    planned: bool = False


class Territory:
    """Feeders with contiguous blocks of customer indices, and who is out until when."""

    def __init__(self, names: Sequence[str], customers: int, rng: np.random.Generator,
                 sizes: np.ndarray | None = None) -> None:
        if sizes is None:
            weights = rng.uniform(0.8, 1.2, len(names))
            sizes = np.floor(weights / weights.sum() * customers).astype(int)
            sizes[: customers - sizes.sum()] += 1
        self.names = list(names)
        self.first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.sizes = sizes
        self.busy_until = np.full(customers, -math.inf)

    def segment(self, feeder: int, size: int, rng: np.random.Generator) -> np.ndarray:
        """A contiguous block of ``size`` customers somewhere on ``feeder``."""
        size = int(min(max(size, 1), self.sizes[feeder]))
        offset = int(rng.integers(0, self.sizes[feeder] - size + 1))
        start = int(self.first[feeder]) + offset
        return np.arange(start, start + size)

    def claim(self, block: np.ndarray, start: float, end: float) -> np.ndarray:
        """The customers of ``block`` not already out at ``start``, now out until ``end``."""
        free: np.ndarray = block[self.busy_until[block] <= start]
        self.busy_until[free] = end
        return free


def lognormal(rng: np.random.Generator, median: float, sigma: float) -> float:
    """A log-normal draw with the given median."""
    return float(median * math.exp(sigma * rng.standard_normal()))


def day_events(rng: np.random.Generator, t: Territory, day: date, storm: float,
               ) -> Iterator[tuple[str, float, int, dict[str, float]]]:
    """Outages starting on ``day``: (kind, start minute, feeder, parameters)."""
    base = (day - EPOCH.date()).days * 1440.0
    season = 1.0 + 0.6 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 100) / 365)
    counts = {"fuse": rng.poisson(0.25 * season), "section": rng.poisson(0.025 * season),
              "breaker": rng.poisson(0.008 * season), "momentary": rng.poisson(0.08 * season),
              "planned": rng.poisson(0.06 if day.weekday() < 5 else 0.0)}
    if storm:
        counts["fuse"] += rng.poisson(15 * storm)
        counts["section"] += rng.poisson(4 * storm)
        counts["breaker"] += rng.poisson(0.8 * storm)
        counts["momentary"] += rng.poisson(4 * storm)
    for kind, count in counts.items():
        for _ in range(int(count)):
            minute = rng.uniform(540, 900) if kind == "planned" else rng.uniform(0, 1440)
            yield kind, base + minute, int(rng.integers(len(t.names))), {"storm": storm}


def make_events(rng: np.random.Generator, t: Territory, kind: str, start: float, feeder: int,
                storm: float, outage_id: str) -> list[Event]:
    """Turn one outage into interruption records (several for step restorations)."""
    slow = 1.0 + 3.0 * min(storm, 1.5)
    if kind == "momentary":
        block = t.segment(feeder, int(rng.integers(150, 700)), rng)
        end = start + rng.uniform(0.05, 4.5)
        return [Event(outage_id, start, end, feeder, t.claim(block, start, end), momentary=True)]
    if kind == "planned":
        block = t.segment(feeder, int(rng.integers(8, 120)), rng)
        end = start + rng.uniform(60, 240)
        return [Event(outage_id, start, end, feeder, t.claim(block, start, end), planned=True)]
    size = {"fuse": lognormal(rng, 22, 0.7), "section": rng.uniform(120, 450),
            "breaker": float(t.sizes[feeder])}[kind]
    repair = min(lognormal(rng, 75 * slow, 0.6), 4320.0) + 6.0
    block = t.segment(feeder, int(size), rng)
    steps = 1 if kind == "fuse" else int(rng.integers(2, 5))
    cuts = sorted(rng.choice(np.arange(1, len(block)), steps - 1, replace=False)) \
        if len(block) > steps else []
    ends = [*sorted(rng.uniform(8, repair, steps - 1)), repair]
    events = []
    for part, end in zip(np.split(block, cuts), ends, strict=True):
        free = t.claim(part, start, start + end)
        events.append(Event(outage_id, start, start + end, feeder, free))
    return events


def simulate(seed: int, names: Sequence[str], customers: int, first: date, years: int,
             sizes: np.ndarray | None = None) -> tuple[Territory, list[Event]]:
    """Every interruption of ``years`` years from ``first``, in start order."""
    rng = np.random.default_rng(seed)
    t = Territory(names, customers, rng, sizes)
    last = first.replace(year=first.year + years)
    events: list[Event] = []
    storm_left, storm = 0, 0.0
    day, serial = first, 0
    while day < last:
        if storm_left == 0 and rng.random() < 0.004 * (1.5 if 4 <= day.month <= 9 else 0.6):
            storm_left, storm = int(rng.integers(1, 4)), rng.uniform(0.4, 1.6)
        todays = sorted(day_events(rng, t, day, storm if storm_left else 0.0),
                        key=lambda e: e[1])
        for kind, start, feeder, extra in todays:
            serial += 1
            outage_id = f"o{day.year}-{serial:05d}"
            made = make_events(rng, t, kind, start, feeder, extra["storm"], outage_id)
            events.extend(e for e in made if len(e.customers))
        storm_left = max(storm_left - 1, 0)
        day += timedelta(days=1)
    return t, events


def iso(minutes: float) -> str:
    """Minutes since the epoch as an ISO time in UTC, to the second."""
    moment = EPOCH + timedelta(seconds=round(minutes * 60))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def id_ranges(indices: np.ndarray) -> str:
    """Customer indices as ``c00001..c00150`` ranges (ids number from 1)."""
    parts, run_start = [], None
    ordered = np.sort(indices)
    for k, value in enumerate(ordered):
        if run_start is None:
            run_start = value
        if k + 1 == len(ordered) or ordered[k + 1] != value + 1:
            a, b = f"c{run_start + 1:05d}", f"c{value + 1:05d}"
            parts.append(a if a == b else f"{a}..{b}")
            run_start = None
    return " ".join(parts)


def write(out_dir: Path, t: Territory, events: list[Event], customers: int,
          network: TerritoryNetwork | None = None) -> None:
    """Write outages.csv, feeders.csv and daily_saidi.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "outages.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "start", "end", "customers", "feeder", "momentary", "planned",
                         "customer_ids"])
        for e in sorted(events, key=lambda e: (e.start, e.outage_id, e.end)):
            writer.writerow([e.outage_id, iso(e.start), iso(e.end), len(e.customers),
                             t.names[e.feeder], int(e.momentary), int(e.planned),
                             network.ids_of(e.customers) if network else id_ranges(e.customers)])
    with open(out_dir / "feeders.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["feeder", "customers", "substation", "region"])
        for k, name in enumerate(t.names):
            if network is not None:
                writer.writerow([name, int(t.sizes[k]), network.substations[k],
                                 network.substations[k]])
                continue
            short = name.split("_")[-1]
            writer.writerow([name, int(t.sizes[k]), f"sub_{short[0]}",
                             "north" if short[0] < "c" else "south"])
    daily: dict[str, float] = {}
    for e in events:
        start, end = round(e.start * 60), round(e.end * 60)
        if e.momentary or e.planned or end - start <= 300:
            continue
        day = iso(e.start)[:10]
        daily[day] = daily.get(day, 0.0) + (end - start) / 60 * len(e.customers) / customers
    with open(out_dir / "daily_saidi.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "saidi"])
        writer.writerows([day, f"{value:.6f}"] for day, value in sorted(daily.items()))


@dataclass(frozen=True, slots=True)
class TerritoryNetwork:
    """Feeders, their customer ids and substations, read from a network file."""

    names: list[str]
    sizes: np.ndarray
    ids: list[str]  # customer ids in feeder order (feeder blocks are contiguous)
    substations: list[str]

    def ids_of(self, indices: np.ndarray) -> str:
        from outage.reliability.records import compress_customer_ids

        return compress_customer_ids(self.ids[i] for i in sorted(indices.tolist()))


def read_network(path: Path) -> TerritoryNetwork:
    """The territory's breaker-headed feeders with their real customers."""
    from gis import Topology
    from gis.io import load_network

    network = load_network(path)
    topo = Topology(network)
    feeder = topo.feeder_of[network.customers.bus]
    names, sizes, ids, subs = [], [], [], []
    for index, name in enumerate(topo.feeder_ids):
        mine = np.flatnonzero(feeder == index)
        if len(mine) == 0:
            continue
        names.append(name)
        sizes.append(len(mine))
        ids += [network.customers.ids[i] for i in mine.tolist()]
        root = int(topo.tree_of[network.customers.bus[mine[0]]])
        subs.append(network.sources.substation[root])
    return TerritoryNetwork(names, np.array(sizes), ids, subs)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, simulate, write the files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1366)
    parser.add_argument("--customers-served", type=int, default=6000)
    parser.add_argument("--feeders", default=",".join(DEFAULT_FEEDERS))
    parser.add_argument("--start", type=date.fromisoformat, default=date(2021, 1, 1))
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).parent / "history")
    parser.add_argument("--network", type=Path,
                        help="take feeders, customers and substations from this network "
                             "(the sample territory: sample_data/territory.gpkg)")
    args = parser.parse_args(argv)
    network = read_network(args.network) if args.network else None
    if network is not None:
        names, served = network.names, int(network.sizes.sum())
    else:
        names = [n.strip() for n in args.feeders.split(",") if n.strip()]
        served = args.customers_served
    t, events = simulate(args.seed, names, served, args.start, args.years,
                         network.sizes if network else None)
    write(args.out_dir, t, events, served, network)
    print(f"{len(events)} interruption records written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
