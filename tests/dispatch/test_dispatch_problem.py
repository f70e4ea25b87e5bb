"""Validation of crews, jobs and problems."""

from __future__ import annotations

import pytest

from dispatch.errors import DispatchError, InvalidRecordError
from dispatch.problem import Crew, Job, Point
from tests.dispatch.dispatch_fixtures import ORIGIN, crew, job, problem


def test_empty_shift_names_the_crew() -> None:
    """A crew whose shift ends when it starts is rejected, naming the crew."""
    with pytest.raises(InvalidRecordError, match=r"crew .c9.*empty shift"):
        Crew("c9", ORIGIN, (60, 60))


def test_negative_duration_names_the_job() -> None:
    """A negative service time is rejected, naming the job."""
    with pytest.raises(InvalidRecordError, match=r"job .j7.*negative duration"):
        Job("j7", ORIGIN, -1.0)


def test_empty_window_is_rejected() -> None:
    """A window that closes before it opens is rejected."""
    with pytest.raises(InvalidRecordError, match="window"):
        Job("j1", ORIGIN, 5.0, window=(30.0, 10.0))


def test_bad_coordinates_are_rejected() -> None:
    """Points must be lon/lat."""
    with pytest.raises(DispatchError):
        Point(200.0, 10.0)


def test_duplicate_and_dangling_ids_are_rejected() -> None:
    """Duplicate job ids and locks to unknown crews name the record."""
    with pytest.raises(InvalidRecordError, match="duplicate"):
        problem([crew("a")], [job("j", 1), job("j", 2)])
    with pytest.raises(InvalidRecordError, match="unknown crew 'zz'"):
        problem([crew("a")], [job("j", 1, locked_to="zz")])
    with pytest.raises(InvalidRecordError, match="current_job"):
        problem([crew("a", current_job="nope")], [job("j", 1)])


def test_can_do_needs_every_skill() -> None:
    """A crew can do a job only with all of its skills."""
    c = crew("a", {"line", "tree"})
    assert c.can_do(job("j", 1, skills={"line"}))
    assert not c.can_do(job("j", 1, skills={"line", "underground"}))
