"""``oms reliability report``: IEEE 1366 indices, Major Event Days and the 99.9 % budget."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outage.progress import bar
from outage.reliability.errors import FormatError
from outage.reliability.indices import IndexParams
from outage.reliability.med import read_daily_saidi
from outage.reliability.records import parse_instant, parse_period, read_outages
from outage.reliability.report import ReportParams, build_report
from outage.reliability.report_text import render_text
from outage.reliability.target import TargetParams
from outage.reliability.territory import GROUPINGS, Territory, read_feeders
from outage.reliability.validate import validate_interruptions


def register(subparsers: Any) -> None:
    """Add the ``reliability`` command group with its ``report`` sub-command."""
    group = subparsers.add_parser("reliability", help="IEEE 1366 reliability indices")
    commands = group.add_subparsers(dest="reliability_command", metavar="COMMAND",
                                    required=True)
    report = commands.add_parser(
        "report", help="indices, Major Event Days and the ASAI budget for a period",
        description="IEEE 1366 indices for OUTAGES.csv over a period, with Major Event Days "
                    "excluded and reported separately, and the ASAI target budget.")
    _add_report_arguments(report)
    report.set_defaults(func=run_report)


def _add_report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--outages", required=True, type=Path, metavar="OUTAGES.csv",
                   help="id,start,end,customers[,feeder][,momentary][,planned][,customer_ids]")
    p.add_argument("--customers-served", type=int, metavar="N",
                   help="customers served (N_T); optional with --feeders")
    p.add_argument("--feeders", type=Path, metavar="FEEDERS.csv",
                   help="feeder,customers[,substation][,region]: customers served per feeder")
    p.add_argument("--period", required=True, metavar="START/END",
                   help="ISO dates or times, end exclusive (2025-01-01/2026-01-01)")
    p.add_argument("--tz", default="UTC", help="zone of day boundaries (default UTC)")
    p.add_argument("--history", type=Path, metavar="HISTORY.csv",
                   help="daily SAIDI rows date,saidi for the MED threshold")
    p.add_argument("--by", choices=GROUPINGS[1:], help="also report per group")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--html", type=Path, metavar="OUT.html", help="write an HTML report")
    p.add_argument("--target", type=float, default=0.999, help="target ASAI (0.999)")
    p.add_argument("--exclude-planned", action="store_true",
                   help="do not count planned interruptions against the target")
    p.add_argument("--as-of", metavar="TIME", help="tracker time (default: period end − 1 s)")
    p.add_argument("--cemi-n", type=int, default=3, help="n of CEMI_n (3)")
    p.add_argument("--celid-s", type=float, default=480.0, metavar="MIN",
                   help="CELID-s single-interruption minutes (480)")
    p.add_argument("--celid-t", type=float, default=480.0, metavar="MIN",
                   help="CELID-t total minutes (480)")


def _territory(args: argparse.Namespace) -> Territory:
    if args.feeders is None:
        if args.customers_served is None:
            raise FormatError("give --customers-served N or --feeders FEEDERS.csv")
        return Territory(args.customers_served)
    feeders = read_feeders(args.feeders)
    if args.customers_served is None:
        return Territory.of_feeders(feeders)
    return Territory(args.customers_served, feeders)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormatError(f"--tz {name!r} is not a known time zone") from None


def run_report(args: argparse.Namespace) -> int:
    """Read, validate, compute, print or write; returns the exit code."""
    tz = _zone(args.tz)
    territory = _territory(args)
    period = parse_period(args.period, tz)
    table = read_outages(args.outages, progress=lambda rows: bar(rows, "reading"))
    validate_interruptions(table.records, territory, period, locate=table.where)
    history = read_daily_saidi(args.history) if args.history else None
    params = ReportParams(
        tz=tz, grouping=args.by,
        indices=IndexParams(args.cemi_n, args.celid_s, args.celid_t),
        target=TargetParams(args.target, include_planned=not args.exclude_planned),
        as_of=parse_instant(args.as_of, tz, field="--as-of") if args.as_of else None)
    report = build_report(table.records, territory, period, params, history=history,
                          progress=lambda rows: bar(rows, "tracking"))
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.html:
        # matplotlib loads only when a report needs it, keeping `oms` start-up quick
        from outage.reliability.report_html import render_html

        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"wrote {args.html}")
    else:
        sys.stdout.write(render_text(report))
    return 0
