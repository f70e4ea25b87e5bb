"""The served territory: customers served per feeder, and feeder → substation / region."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from outage.reliability.csv_rows import csv_table
from outage.reliability.errors import FormatError, ReliabilityError
from outage.reliability.records import Interruption

#: Groupings that :func:`group_key` understands.
GROUPINGS = ("system", "feeder", "substation", "region")
FEEDER_COLUMNS = ("feeder", "customers")


@dataclass(frozen=True, slots=True)
class Feeder:
    """One feeder: its id, customers served, and the substation and region it belongs to."""

    name: str
    customers: int
    substation: str = ""
    region: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise FormatError("a feeder needs a name")
        if self.customers < 1:
            raise FormatError(f"feeder {self.name!r}: customers served {self.customers} < 1")


@dataclass(frozen=True, slots=True)
class Territory:
    """Customers served (N_T), optionally split by feeder."""

    customers_served: int
    feeders: tuple[Feeder, ...] = ()

    def __post_init__(self) -> None:
        if self.customers_served < 1:
            raise FormatError(f"customers served {self.customers_served} < 1")
        names = [f.name for f in self.feeders]
        if len(set(names)) != len(names):
            raise FormatError("a feeder is listed twice")
        total = sum(f.customers for f in self.feeders)
        if self.feeders and total != self.customers_served:
            raise FormatError(f"feeders serve {total} customers in all, "
                              f"not the {self.customers_served} given as customers served")

    @classmethod
    def of_feeders(cls, feeders: tuple[Feeder, ...]) -> Territory:
        """A territory whose N_T is the sum over its feeders."""
        return cls(sum(f.customers for f in feeders), feeders)

    @property
    def by_name(self) -> Mapping[str, Feeder]:
        """Feeders by name."""
        return {f.name: f for f in self.feeders}

    def served(self, grouping: str) -> dict[str, int]:
        """Customers served in each group of ``grouping`` (see :data:`GROUPINGS`)."""
        if grouping == "system":
            return {"system": self.customers_served}
        self._require_feeders(grouping)
        totals: dict[str, int] = {}
        for feeder in self.feeders:
            key = _feeder_group(feeder, grouping)
            totals[key] = totals.get(key, 0) + feeder.customers
        return totals

    def group_key(self, grouping: str) -> Callable[[Interruption], str]:
        """Return a function naming the group of ``grouping`` that a record belongs to."""
        if grouping == "system":
            return lambda record: "system"
        self._require_feeders(grouping)
        table = {f.name: _feeder_group(f, grouping) for f in self.feeders}
        return lambda record: table[record.feeder or ""]

    def _require_feeders(self, grouping: str) -> None:
        if grouping not in GROUPINGS:
            raise ReliabilityError(f"unknown grouping {grouping!r}; one of {GROUPINGS}")
        if not self.feeders:
            raise ReliabilityError(f"grouping by {grouping} needs customers served per feeder "
                                   "(a feeders file: feeder,customers[,substation][,region])")


def _feeder_group(feeder: Feeder, grouping: str) -> str:
    value = {"feeder": feeder.name, "substation": feeder.substation,
             "region": feeder.region}[grouping]
    if not value:
        raise FormatError(f"feeder {feeder.name!r} has no {grouping}")
    return value


def read_feeders(path: str | Path) -> tuple[Feeder, ...]:
    """Read ``FEEDERS.csv``: ``feeder,customers[,substation][,region]``."""
    source = Path(path).name
    first, reader = csv_table(path)
    fields = [f.strip().lower() for f in first or []]
    if any(c not in fields for c in FEEDER_COLUMNS):
        raise FormatError(f"{source} line 1: header needs {','.join(FEEDER_COLUMNS)}")
    feeders = []
    for line, row in reader:
        if not any(cell.strip() for cell in row):
            continue
        # A short row leaves its last columns empty (the optional ones, most often).
        cells = {k: row[n].strip() if n < len(row) else "" for n, k in enumerate(fields)}
        try:
            feeders.append(Feeder(cells["feeder"], int(cells["customers"]),
                                  cells.get("substation", ""), cells.get("region", "")))
        except (ValueError, FormatError) as error:
            raise FormatError(f"{source} line {line}: {error}") from None
    if not feeders:
        raise FormatError(f"{source} lists no feeders")
    return tuple(feeders)
