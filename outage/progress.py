"""Progress of long command-line work: bars on a terminal, nothing in pipes and logs.

A replay of a storm on a million customers takes most of a minute, a solver run as
long as it is given; a person at a terminal should see it moving. Output that goes to
a file or a CI log gets the commands' summary lines only, not thousands of redraws.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def shown() -> bool:
    """Whether progress is drawn: stderr is a terminal."""
    return sys.stderr.isatty()


def bar(iterable: Iterable[T], desc: str, *, total: int | None = None,
        unit: str = " rows") -> Iterable[T]:
    """`iterable` with a bar on a terminal (the iterable itself elsewhere)."""
    if not shown():
        return iterable
    wrapped: Iterable[T] = tqdm(iterable, desc=desc, total=total, unit=unit, unit_scale=True,
                                leave=False, dynamic_ncols=True)
    return wrapped


def by_line(numbered: Iterable[tuple[int, T]], path: Path,
            desc: str) -> Iterable[tuple[int, T]]:
    """Items of a file numbered by line, with a bar of the lines read so far."""
    if not shown():
        return numbered
    return _by_line(numbered, count_lines(path), desc)


def _by_line(numbered: Iterable[tuple[int, T]], lines: int,
             desc: str) -> Iterator[tuple[int, T]]:
    with tqdm(total=lines, desc=desc, unit=" lines", unit_scale=True, leave=False,
              dynamic_ncols=True) as progress:
        for number, item in numbered:
            if number > progress.n:
                progress.update(number - progress.n)
            yield number, item
        progress.update(lines - progress.n)


def count_lines(path: Path) -> int:
    """Lines in a file (the last one counts without its newline), read in blocks."""
    count, last = 0, b"\n"
    with Path(path).open("rb") as data:
        while block := data.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


__all__ = ["bar", "by_line", "count_lines", "shown"]
