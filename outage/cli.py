"""``oms replay``: run an event log through the engine and write RESULT.json."""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from gis.io import load_network
from outage import progress
from outage.engine import OutageEngine
from outage.events import read_jsonl
from outage.interruptions import interruptions, write_outages_csv
from outage.replay import replay_events


def register(commands: Any) -> None:
    """Add ``replay`` to the ``oms`` parser."""
    replay = commands.add_parser(
        "replay",
        help="replay an event log (JSON Lines) and write the outages it implies",
        description="Deterministic: the engine runs on event time, the same code as the live "
        "system. Rejected lines are counted in stats and listed with their reasons.",
    )
    replay.add_argument("--network", required=True, help="NET.gpkg, .geojson, .dss, …")
    replay.add_argument("--events", required=True, type=Path,
                        help="EVENTS.jsonl, or a gzip of it")
    replay.add_argument("--out", required=True, type=Path, help="RESULT.json")
    replay.add_argument(
        "--interruptions", type=Path, metavar="OUTAGES.csv",
        help="also write each customer's interruptions, for `oms reliability report`",
    )
    replay.set_defaults(func=_replay)


def _replay(args: argparse.Namespace) -> int:
    if not args.events.is_file():
        raise FileNotFoundError(f"events file {str(args.events)!r} does not exist")
    started = time.perf_counter()
    _say(f"reading network {args.network} …")
    network = load_network(args.network)
    _say(f"{network.customers.count.size:,} service points "
         f"({network.customer_total:,} customers); starting the engine …")
    engine = OutageEngine(network)
    events = progress.by_line(read_jsonl(args.events), args.events, "reading events")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown event types are listed in the result
        result = replay_events(network, events, engine=engine,
                               progress=lambda timed: progress.bar(
                                   timed, "replaying", total=len(timed), unit=" events"))
    _say(f"writing {args.out} …")
    written = result.to_json()
    args.out.write_text(json.dumps(written, indent=1), encoding="utf-8")
    outages = engine.outages()
    if args.interruptions:
        ids = {o.id: engine.customer_ids_of(o) for o in outages}
        write_outages_csv(interruptions(network, outages, ids), args.interruptions)
    stats = written["stats"]
    live = sum(1 for o in outages if o.active)
    print(
        f"{stats['events']:,} events applied, {stats['rejected']:,} rejected, "
        f"{stats['ignored']:,} of unknown type, {stats['out_of_order']:,} out of time order "
        f"(replayed in order), {stats['noted']:,} noted; {len(outages):,} outages "
        f"({live:,} live) in {stats['seconds']:.2f} s ({time.perf_counter() - started:.1f} s "
        f"in all) → {args.out}",
        file=sys.stderr,
    )
    for rejection in stats["rejections"][:10]:
        print(f"  line {rejection['line']}: {rejection['reason']}", file=sys.stderr)
    for note in stats["notes"][:10]:
        print(f"  line {note['line']}: {note['reason']}", file=sys.stderr)
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
