"""``oms network import`` and ``oms network info``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from gis.io import load_network, save_network
from gis.summary import NetworkSummary, summarise


def register(commands: Any) -> None:
    """Add the ``network`` command group to the ``oms`` parser."""
    network = commands.add_parser("network", help="import and inspect network models")
    sub = network.add_subparsers(dest="network_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import",
        help="import a network into the project's schema",
        description="SOURCE: an OpenDSS master .dss (EXTRA: more .dss files to redirect, or a "
        "bus coordinates file), simbench:CODE, pandapower:NAME, a pandapower .json, "
        "or a .gpkg/.geojson in the project's schema.",
    )
    imp.add_argument("source")
    imp.add_argument("extra", nargs="*", type=Path, help="OpenDSS only: extra files")
    imp.add_argument("--out", required=True, type=Path, help="NET.gpkg or NET.geojson")
    imp.set_defaults(func=_import)

    info = sub.add_parser("info", help="counts, feeders, radiality and problems of a network")
    info.add_argument("net", help="a network file or source, as for import")
    info.add_argument("--json", action="store_true", help="print machine-readable JSON")
    info.set_defaults(func=_info)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _import(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    _say(f"reading {args.source} …")
    network = load_network(args.source, args.extra)
    _say("tracing topology …")
    summary = summarise(network)
    _say(f"writing {args.out} …")
    save_network(network, args.out)
    print(format_summary(summary, brief=True))
    _say(f"imported in {time.perf_counter() - started:.1f} s")
    return 0


def _info(args: argparse.Namespace) -> int:
    summary = summarise(load_network(args.net))
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print(format_summary(summary))
    return 0


def _kinds(counts: dict[str, int]) -> str:
    return " · ".join(f"{kind} {n:,}" for kind, n in counts.items()) or "none"


def format_summary(s: NetworkSummary, *, brief: bool = False) -> str:
    """A person-readable report of a network summary."""
    where = s.crs or f"local plane ({s.units})"
    lines = [
        f"Network {s.name!r} — {where}",
        f"  customers      {s.customers:,} at {s.service_points:,} service points "
        f"({s.critical_customers:,} critical); energised {s.energised_customers:,}",
        f"  buses          {s.buses:,}",
        f"  branches       {_kinds(s.branches)}",
        f"  devices        {_kinds(s.devices)} ({s.normally_open} normally open)",
        f"  sources        {s.sources} in {s.substations} substation(s)",
        f"  radial         {'yes' if s.radial else 'no (see problems)'}",
        f"Feeders ({len(s.feeders)}):",
    ]
    width = max([len(f.id) for f in s.feeders] + [6])
    lines.append(f"  {'feeder':<{width}}  customers  critical  buses  radial")
    shown = s.feeders if not brief else s.feeders[:20]
    for f in shown:
        lines.append(
            f"  {f.id:<{width}}  {f.customers:>9,}  {f.critical:>8,}  {f.buses:>5,}  "
            f"{'yes' if f.radial else 'NO'}"
        )
    if len(shown) < len(s.feeders):
        lines.append(f"  … and {len(s.feeders) - len(shown)} more (oms network info lists all)")
    lines.append(f"Problems ({len(s.problems)}):" if s.problems else "Problems: none")
    lines.extend(f"  [{p.kind}] {p.message}" for p in s.problems)
    return "\n".join(lines)
