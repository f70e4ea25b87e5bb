"""``oms replay``: run an event log through the engine and write RESULT.json."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from gis.io import load_network
from outage.interruptions import interruptions, write_outages_csv
from outage.replay import replay_file


def register(commands: Any) -> None:
    """Add ``replay`` to the ``oms`` parser."""
    replay = commands.add_parser(
        "replay",
        help="replay an event log (JSON Lines) and write the outages it implies",
        description="Deterministic: the engine runs on event time, the same code as the live "
        "system. Rejected lines are counted in stats and listed with their reasons.",
    )
    replay.add_argument("--network", required=True, help="NET.gpkg, .geojson, .dss, …")
    replay.add_argument("--events", required=True, type=Path, help="EVENTS.jsonl")
    replay.add_argument("--out", required=True, type=Path, help="RESULT.json")
    replay.add_argument(
        "--interruptions", type=Path, metavar="OUTAGES.csv",
        help="also write each customer's interruptions, for `oms reliability report`",
    )
    replay.set_defaults(func=_replay)


def _replay(args: argparse.Namespace) -> int:
    if not args.events.is_file():
        raise FileNotFoundError(f"events file {str(args.events)!r} does not exist")
    network = load_network(args.network)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown event types are listed in the result
        result = replay_file(network, args.events)
    args.out.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
    if args.interruptions:
        engine = result.engine
        outages = engine.outages()
        ids = {o.id: engine.customer_ids_of(o) for o in outages}
        write_outages_csv(interruptions(network, outages, ids), args.interruptions)
    stats = result.to_json()["stats"]
    live = sum(1 for o in result.engine.outages() if o.active)
    print(
        f"{stats['events']:,} events applied, {stats['rejected']:,} rejected, "
        f"{stats['ignored']:,} of unknown type, {stats['out_of_order']:,} out of time order "
        f"(replayed in order), {stats['noted']:,} noted; {len(result.engine.outages()):,} outages "
        f"({live:,} live) in {stats['seconds']:.2f} s → {args.out}",
        file=sys.stderr,
    )
    for rejection in stats["rejections"][:10]:
        print(f"  line {rejection['line']}: {rejection['reason']}", file=sys.stderr)
    for note in stats["notes"][:10]:
        print(f"  line {note['line']}: {note['reason']}", file=sys.stderr)
    return 0
