"""Instance readers: Solomon text, VRPLIB, LKH-3 .vrptw, field JSON, and their error paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dispatch.errors import DispatchError, InstanceFormatError, InvalidRecordError
from dispatch.io.detect import read_instance
from dispatch.io.field_json import plan_to_json, problem_from_json, problem_to_json, read_field_json
from dispatch.io.lkh import original_fleet, read_lkh
from dispatch.io.solomon import read_solomon
from dispatch.io.vrplib import read_vrplib
from dispatch.problem import Problem
from dispatch.solve import SolveParams, solve
from dispatch.vrptw import VrptwInstance
from dispatch.vrptw_solve import VrptwParams, solve_vrptw
from tests.dispatch.dispatch_fixtures import DATA


def test_solomon_reader() -> None:
    """Depot first, fleet and capacity from the VEHICLE section."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    assert (inst.name, inst.fleet, inst.capacity, inst.customers) == ("TINY", 3, 50, 5)
    assert inst.due[4] == 60 and inst.service[1] == 5


def test_lkh_reader_uses_the_original_fleet() -> None:
    """VEHICLES is the BKS count, not the fleet; service time applies to customers only."""
    inst = read_lkh(DATA / "tiny.vrptw")
    assert inst.bks_vehicles == 2
    assert inst.fleet == original_fleet(5) == 1
    assert inst.service[0] == 0 and inst.service[1] == 5
    assert original_fleet(200) == 50 and original_fleet(400) == 100


def test_lkh_and_solomon_agree() -> None:
    """The same tiny instance in both formats gives the same data."""
    a, b = read_solomon(DATA / "tiny_solomon.txt"), read_lkh(DATA / "tiny.vrptw")
    assert list(a.x) == list(b.x) and list(a.due) == list(b.due)
    assert list(a.service) == list(b.service)


def test_vrplib_reader_with_service_section() -> None:
    """A VRPLIB file with SERVICE_TIME_SECTION keeps per-node service times."""
    inst = read_vrplib(DATA / "tiny_vrplib.txt")
    assert inst.fleet == 2 and inst.customers == 3 and inst.service[1] == 1


def test_vrplib_cvrp_without_time_windows_is_solved_by_capacity_alone() -> None:
    """A CVRPLIB file has no time windows: every route fits the horizon it gets, the fleet
    is unlimited, and the plan serves everyone within capacity."""
    inst = read_instance(DATA / "tiny_cvrp.vrp")
    assert isinstance(inst, VrptwInstance)
    assert inst.customers == 40 and inst.fleet == 40 and inst.bks_vehicles is None
    assert (inst.ready == 0).all() and (inst.due == inst.due[0]).all()
    result = solve_vrptw(inst, VrptwParams(time_limit=5, solution_limit=200))
    assert result.feasible and not result.unassigned
    loads = [int(inst.demand[route].sum()) for route in result.routes]
    assert sum(loads) == int(inst.demand.sum()) and max(loads) <= inst.capacity


def test_detect_formats() -> None:
    """read_instance recognises each format."""
    assert isinstance(read_instance(DATA / "tiny_solomon.txt"), VrptwInstance)
    assert isinstance(read_instance(DATA / "tiny.vrptw"), VrptwInstance)
    assert isinstance(read_instance(DATA / "tiny_vrplib.txt"), VrptwInstance)
    assert isinstance(read_instance(DATA / "field_small.json"), Problem)


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("broken_missing_customer.txt", InstanceFormatError, "missing VEHICLE or CUSTOMER"),
        ("broken_negative_time.txt", InvalidRecordError, "customer '4': negative time"),
        ("broken_missing_tw.vrptw", InstanceFormatError, "TIME_WINDOW_SECTION"),
        ("broken_explicit.vrp", InstanceFormatError, "EDGE_WEIGHT_TYPE EXPLICIT: only Euclidean"),
        ("broken_no_jobs.json", InstanceFormatError, "missing section 'jobs'"),
        ("broken_empty_shift.json", InvalidRecordError, "crew 'T1'.*empty shift"),
        ("broken_negative_duration.json", InvalidRecordError, "job 'fuse-1'.*negative duration"),
        ("broken_job_no_location.json", InstanceFormatError, "job #2 \\('lat-1'\\) location"),
        ("does_not_exist.txt", InstanceFormatError, "no such instance"),
    ],
)
def test_broken_files_raise_clear_errors(name: str, error: type[Exception], match: str) -> None:
    """Every broken file raises a ValueError subclass whose message names the record."""
    with pytest.raises(error, match=match):
        read_instance(DATA / name)
    assert issubclass(error, DispatchError)


@pytest.mark.parametrize(("content", "match"), [
    (b'{"start_time": ', "not valid JSON"),
    (b"[" * 100_000, "nested too deeply"),
    (b'{"crews": "\xff"}', "not UTF-8"),
])
def test_a_field_instance_that_is_not_json_names_the_file(
        tmp_path: Path, content: bytes, match: str) -> None:
    """Not JSON, nested too deeply, or not UTF-8: refused with the file's name."""
    path = tmp_path / "storm.json"
    path.write_bytes(content)
    with pytest.raises(InstanceFormatError, match=f"storm.json: .*{match}"):
        read_field_json(path)


SOLOMON_HEAD = "C101\n\nVEHICLE\nNUMBER CAPACITY\n 25 200\n\nCUSTOMER\nCUST NO.\n"


@pytest.mark.parametrize(("content", "match"), [
    ((SOLOMON_HEAD + " 0 40 50 0 0 1236 0\n 1 45 68 10 912 967 90\n").encode("latin-1")
     + b"\xe9\n", r"c101.txt: not UTF-8 text \(byte 101\)"),
    ((SOLOMON_HEAD + " 0 40 50 0 0 1236 0\n 1 nan 68 10 912 967 90\n").encode(),
     r"c101.txt: line 10: not a finite number in '1 nan 68"),
    ((SOLOMON_HEAD + " 0 40 50 0 0 1236 0\n 1 45 68 10 912 inf 90\n").encode(),
     r"c101.txt: line 10: not a finite number"),
])
def test_a_solomon_file_with_bytes_or_numbers_it_cannot_take_names_them(
        tmp_path: Path, content: bytes, match: str) -> None:
    """A byte that is not UTF-8, or "nan" / "inf" (which float() reads), is refused
    with the file and line rather than solved as if it were a place or a time."""
    path = tmp_path / "c101.txt"
    path.write_bytes(content)
    with pytest.raises(InstanceFormatError, match=match):
        read_instance(path)


def test_an_instance_with_a_position_that_is_not_finite_names_the_customer() -> None:
    """An instance built in code with an infinite coordinate names the customer."""
    a = np.array([[0, 40, 50, 0, 0, 1236, 0], [1, np.inf, 68, 10, 912, 967, 90]], dtype=float)
    with pytest.raises(InvalidRecordError, match=r"customer '1'.*x not a finite number"):
        VrptwInstance(name="t", x=a[:, 1], y=a[:, 2], demand=a[:, 3].astype(np.int64),
                      ready=a[:, 4], due=a[:, 5], service=a[:, 6], capacity=200, fleet=2)


@pytest.mark.parametrize(("record", "field", "value", "match"), [
    ("jobs", "skills", "line", r"job #0 \('fuse-1'\): skills must be a list of names, got 'line'"),
    ("crews", "skills", [1, 2], r"crew #0 \('T1'\): skills must be a list of names"),
    ("jobs", "customers", 2.5, r"job #0 \('fuse-1'\): customers must be a whole number"),
    ("jobs", "critical", "two", r"job #0 \('fuse-1'\): critical must be a whole number"),
])
def test_a_field_of_the_wrong_type_is_named_not_read_some_other_way(
        record: str, field: str, value: object, match: str) -> None:
    """A skill given as a string was read as its letters ('no crew has skills e, i, l,
    n'), and 2.5 customers as 2: each is refused, naming the record and the field."""
    data = problem_to_json(read_field_json(DATA / "field_small.json"))
    data[record][0][field] = value
    with pytest.raises(InstanceFormatError, match=match):
        problem_from_json(data)


def test_a_crew_whose_shift_has_ended_is_on_the_roster_unused() -> None:
    """A roster may list crews already off duty: their jobs go to others or are dropped
    with a reason; the instance is not refused (it was: 'shift ends before the plan
    starts')."""
    data = problem_to_json(read_field_json(DATA / "field_small.json"))
    off, on = data["crews"]
    off["shift"] = ["2025-12-31T20:00:00Z", "2025-12-31T23:00:00Z"]  # before start_time
    plan = solve(problem_from_json(data), SolveParams(time_limit=1))
    assert plan.routes[off["id"]] == ()
    served = {v.job for v in plan.visits}
    assert served and all(v.crew == on["id"] for v in plan.visits)
    assert {d.job for d in plan.dropped} | served == {j["id"] for j in data["jobs"]}


def test_field_json_round_trip() -> None:
    """Writing a problem as JSON and reading it back gives the same crews and jobs."""
    p = read_field_json(DATA / "field_small.json")
    q = problem_from_json(problem_to_json(p))
    assert q.crews == p.crews and q.jobs == p.jobs


def test_plan_json_follows_the_contract() -> None:
    """The --json object has the DESIGN.md keys; unassigned jobs carry a reason."""
    p = read_field_json(DATA / "field_small.json")
    out = plan_to_json(p, solve(p, SolveParams(metaheuristic="greedy_descent")))
    for key in (
        "vehicles",
        "distance",
        "objective",
        "routes",
        "unassigned",
        "seconds",
        "schedule",
        "customer_minutes",
        "travel_minutes",
    ):
        assert key in out
    assert len(out["routes"]) == 2
    assert out["unassigned"] == [{"id": "tree-1", "reason": "no crew has skills tree"}]
    assert out["schedule"][0]["arrival"].endswith("Z")
