"""Progress of long command-line work: bars on a terminal, nothing in pipes and logs.

A replay of a storm on a million customers takes most of a minute, a solver run as
long as it is given; a person at a terminal should see it moving. Output that goes to
a file or a CI log gets the commands' summary lines only, not thousands of redraws.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from outage.compressed import open_binary

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


@contextmanager
def countdown(desc: str, seconds: float) -> Iterator[None]:
    """A bar of the time spent against a time limit (a solver's search), for the work
    inside the block. A thread draws it: the solver does not say how far it is."""
    if not shown():
        yield
        return
    finished = threading.Event()
    with tqdm(total=seconds, desc=desc, leave=False, dynamic_ncols=True,
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s") as progress:

        def draw() -> None:
            started = time.perf_counter()
            while not finished.wait(_REDRAW_SECONDS):
                progress.n = min(time.perf_counter() - started, seconds)
                progress.refresh()

        drawer = threading.Thread(target=draw, name="progress", daemon=True)
        drawer.start()
        try:
            yield
        finally:
            finished.set()
            drawer.join()


_REDRAW_SECONDS = 0.5


def count_lines(path: Path) -> int:
    """Lines in a file, or in a gzip of one (the last one counts without its newline),
    read in blocks."""
    count, last = 0, b"\n"
    with open_binary(path) as data:
        while block := data.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


__all__ = ["bar", "by_line", "count_lines", "countdown", "shown"]
