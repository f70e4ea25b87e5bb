"""How right a replay was: device-level and customer-level precision, recall and F1.

A predicted outage matches a true one when its customers are exactly the true
device's downstream customers (so predicting a device's upstream twin with the
same customers counts as right). Customer level compares everyone predicted out
at any time with everyone truly out. Over a stream of several storms, the outages
recorded at the end are matched in time as well (`span_score`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _score(true_positive: int, predicted: int, actual: int) -> Score:
    precision = true_positive / predicted if predicted else (1.0 if not actual else 0.0)
    recall = true_positive / actual if actual else 1.0
    return Score(precision, recall)


def device_score(predicted: Iterable[frozenset[str]], truth: Iterable[frozenset[str]]) -> Score:
    """One-to-one matching of outages by identical customer sets."""
    predicted, truth = list(predicted), list(truth)
    unmatched = list(truth)
    hits = 0
    for customers in predicted:
        if customers in unmatched:
            unmatched.remove(customers)
            hits += 1
    return _score(hits, len(predicted), len(truth))


def customer_score(predicted: Iterable[frozenset[str]], truth: Iterable[frozenset[str]]) -> Score:
    """Everyone predicted out against everyone truly out."""
    out = frozenset().union(*predicted)
    real = frozenset().union(*truth)
    return _score(len(out & real), len(out), len(real))


@dataclass(frozen=True, slots=True)
class Span:
    """An outage as scored at the end: its customers and when they were out."""

    customers: frozenset[str]
    start: datetime
    end: datetime


def span_score(predicted: Iterable[Span], truth: Iterable[Span]) -> Score:
    """One-to-one matching by identical customer sets and overlapping times, so a
    device that operates in two storms of one stream is two outages to find."""
    predicted, truth = list(predicted), list(truth)
    unmatched = list(truth)
    hits = 0
    for p in predicted:
        match = next((t for t in unmatched if t.customers == p.customers
                      and t.start <= p.end and p.start <= t.end), None)
        if match is not None:
            unmatched.remove(match)
            hits += 1
    return _score(hits, len(predicted), len(truth))
