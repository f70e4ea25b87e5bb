"""The incremental predictor always equals the dynamic programme computed from scratch."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gis import Network, NetworkBuilder, Topology
from outage.candidates import build_candidates
from outage.predict import Predictor, RestoredMeters
from outage.scoring import PredictionParams, Scorer


def _network(parents: list[int], kinds: list[str], customers: list[int]) -> Network:
    b = NetworkBuilder("random")
    b.add_bus("b0", 0, 0)
    for i, parent in enumerate(parents, start=1):
        b.add_bus(f"b{i}", i, 0)
        kind = "service_transformer" if kinds[i - 1] == "tx" else "line"
        b.add_branch(f"br{i}", kind, f"b{parent}", f"b{i}")
        if kinds[i - 1] not in ("tx", "none"):
            b.add_device(f"d{i}", kinds[i - 1], f"br{i}")
    for i, count in enumerate(customers):
        for k in range(count):
            b.add_customer(f"c{i}_{k}", f"b{i}")
    b.add_source("src", "b0")
    return b.build()


def _reference(p: Predictor) -> set[int]:
    """Selection by plain recursion over the tree, from the counts alone."""
    n = len(p.tree)
    children: list[list[int]] = [[] for _ in range(n)]
    for c in range(n):
        if p.tree.parent[c] >= 0:
            children[int(p.tree.parent[c])].append(c)

    def best(a: int) -> tuple[float, set[int]]:
        below = [best(c) for c in children[a]]
        kids = sum(b for b, _ in below)
        score = p.score(a)
        # Reported open, an outage of whoever is behind it (nobody: no outage).
        if (p.forced[a] and p.tree.service_points[a] > 0) or (score > 0 and score >= kids):
            return score, {a}
        return max(kids, 0.0), set().union(*(s for _, s in below)) if below else set()

    return set().union(*(best(r)[1] for r in range(n) if p.tree.parent[r] < 0))


def _confidence(p: Predictor, a: int) -> float:
    """The chance that `a` is the outage, from scratch: of every configuration of the
    outages below the first device above it reported open (each weighed by its
    likelihood ratio against all quiet), the share in which `a`, or a device right above
    or below it serving exactly its customers, is the topmost that operated."""
    tree, n = p.tree, len(p.tree)
    children: list[list[int]] = [[] for _ in range(n)]
    for c in range(n):
        if tree.parent[c] >= 0:
            children[int(tree.parent[c])].append(c)

    def z(x: int) -> float:  # every configuration of x's subtree
        return float(np.logaddexp(p.score(x), sum(z(c) for c in children[x])))

    def twin_below(x: int) -> int:
        size = tree.service_points[x]
        twins = [c for c in children[x] if size and tree.service_points[c] == size]
        return twins[0] if twins and not p.forced[twins[0]] else -1

    if p.forced[a]:
        return 1.0
    chain = [a]
    while twin_below(chain[-1]) >= 0:
        chain.append(twin_below(chain[-1]))
    parent = int(tree.parent[a])
    while parent >= 0 and not p.forced[parent] and twin_below(parent) == chain[0]:
        chain.insert(0, parent)
        parent = int(tree.parent[parent])

    def none_of_chain(x: int) -> float:  # x's subtree with no device of the chain operated
        return sum(none_of_chain(c) if c in chain else z(c) for c in children[x])

    def with_chain(x: int) -> float:  # x not operated, the chain's top-most operated
        if x == chain[0]:
            return float(np.log(np.exp(z(x)) - np.exp(none_of_chain(x))))
        return sum(with_chain(c) if tree.contains(c, a) else z(c) for c in children[x])

    end = chain[0]
    while parent >= 0 and not p.forced[parent]:
        end, parent = parent, int(tree.parent[parent])
    return float(np.exp(with_chain(end) - z(end)))


def _expected_outages(p: Predictor) -> float:
    """The number of outages the evidence implies, from scratch: each candidate's
    chance of being the topmost device that operated (its score, every configuration
    of the subtrees beside its path up, over every configuration of its tree)."""
    tree, n = p.tree, len(p.tree)
    children: list[list[int]] = [[] for _ in range(n)]
    for c in range(n):
        if tree.parent[c] >= 0:
            children[int(tree.parent[c])].append(c)

    def z(x: int) -> float:
        return float(np.logaddexp(p.score(x), sum(z(c) for c in children[x])))

    total = 0.0
    for a in range(n):
        log_weight, x = p.score(a), a
        while tree.parent[x] >= 0:
            up = int(tree.parent[x])
            log_weight += sum(z(c) for c in children[up] if c != x)
            x = up
        total += float(np.exp(log_weight - z(x)))
    return total


def _below(p: Predictor, c: int) -> list[int]:
    """The customers below candidate `c`."""
    parents = p.tree.customer_parent
    return [i for i in range(len(parents)) if parents[i] >= 0 and p.tree.contains(c, parents[i])]


def _restored(p: Predictor, c: int, pick: int, said: dict[int, int]) -> None:
    """`c` restored: its meters say they are back or nothing, gasped or not (which
    meter says what, by `pick`), as `said` records."""
    p.cap_prior(c, 2.0)
    meters = _below(p, c)
    for k, i in enumerate(meters):
        said[i] = (k + pick) % 4
    parents = p.tree.customer_parent
    lists = [np.array([int(parents[i]) for i in meters if said[i] == k], dtype=np.int64)
             for k in range(4)]
    p.set_meters_below(c, RestoredMeters(*lists))


@settings(max_examples=120, deadline=None)
@given(
    st.integers(2, 25).flatmap(
        lambda n: st.tuples(
            st.tuples(*(st.integers(0, i) for i in range(n - 1))),
            st.lists(st.sampled_from(["tx", "fuse", "switch", "recloser", "none"]),
                     min_size=n - 1, max_size=n - 1),
            st.lists(st.integers(0, 4), min_size=n, max_size=n),
        )
    ),
    st.lists(
        st.tuples(st.integers(0, 10**6),
                  st.sampled_from(["call", "gasp", "on", "force", "clear", "ami", "raise",
                                   "restored"])),
        max_size=40,
    ),
    st.booleans(),
)
# A device reported open with no report anywhere, then every score recomputed: the
# recomputation must still reach it (it used to drop it, cancelling a SCADA outage).
@example(shape=((0, 1, 2), ["fuse", "fuse", "tx"], [0, 1, 2, 3]),
         updates=[(2, "force"), (0, "ami")], ami=False)
# Restorations inside one another, then the outer one's reports forgotten: every count of
# its meters goes.
@example(shape=((0, 1), ["fuse", "tx"], [0, 4, 4]),
         updates=[(1, "restored"), (2, "restored"), (0, "clear")], ami=True)
def test_incremental_selection_equals_recomputation(  # type: ignore[no-untyped-def]
    shape, updates, ami
) -> None:
    """After any sequence of reports, retractions, SCADA opens, crews' closes below
    (priors raised above them, and lowered again), restorations whose meters then say
    they are back or nothing, and full recomputes, the set is the DP optimum."""
    parents, kinds, customers = shape
    net = _network(list(parents), kinds, customers)
    tree = build_candidates(net, Topology(net))
    p = Predictor(tree, Scorer(PredictionParams()))
    p.set_ami(ami)
    flags: dict[tuple[int, str], bool] = {}
    said: dict[int, int] = {}  # a restored area's meter -> which of RestoredMeters' lists
    n_customers = len(net.customers.ids)

    for pick, what in updates:
        if what == "force":
            c = pick % len(tree)
            p.set_forced(c, not p.forced[c])
        elif what == "raise":  # a crew closed a device: those above are likely closed
            c = pick % len(tree)
            above = tree.path_up(c)[1:]
            p.raise_prior(above, None if flags.get((c, "raise")) else 3.0)
            flags[(c, "raise")] = not flags.get((c, "raise"), False)
        elif what == "restored":  # a restoration's meters have their say: back or silent
            _restored(p, pick % len(tree), pick, said)
        elif what == "ami":  # meters appear (or the channel is reset): every score anew
            p.set_ami(not p.ami)
        elif what == "clear":  # restoration: calls and gasps below a candidate are over
            c = pick % len(tree)
            p.clear_below(c)
            for i in _below(p, c):
                said.pop(i, None)
            for i in range(n_customers):
                parent = int(tree.customer_parent[i])
                if parent >= 0 and tree.contains(c, parent):
                    flags[(i, "call")] = flags[(i, "gasp")] = False
        elif n_customers:
            i = pick % n_customers
            on = not flags.get((i, what), False)
            flags[(i, what)] = on
            step = 1 if on else -1
            delta = {"call": (step, 0, 0), "gasp": (0, step, 0), "on": (0, 0, step)}[what]
            p.add_evidence(int(tree.customer_parent[i]), *delta)
        _check(p, said)


def _check(p: Predictor, said: dict[int, int]) -> None:
    """The predictor as it must be after any update: `said` is what each restored
    area's meter said since (see `_restored`)."""
    tree = p.tree
    assert p.selected == _reference(p)
    for a in p.selected:
        # Outages never nest inside one another; each one's confidence is its share of
        # every configuration, as a computation from scratch finds it.
        assert not any(tree.contains(a, b) for b in p.selected if b != a)
        assert math.isclose(p.confidence(a), _confidence(p, a), rel_tol=1e-6, abs_tol=1e-9)
        # The alternatives share out the rest: one whole.
        assert math.isclose(p.confidence(a) + sum(c for _, c in p.chances(a)), 1.0,
                            abs_tol=1e-9)
    assert all(math.isfinite(p.best[a]) for a in range(len(tree)))
    # The outages the evidence implies, summed over every configuration.
    assert math.isclose(sum(p.expected_outages().values()), _expected_outages(p),
                        rel_tol=1e-6, abs_tol=1e-9)
    # Scores are fresh, and the restored meters' counts are those of the meters below
    # each candidate (a restoration or a clearing leaves none behind).
    assert all(p.score(a) == p.compute_score(a) for a in range(len(tree)))
    for k, counts in enumerate((p.silent, p.back, p.unheard, p.unheard_back)):
        assert counts == [sum(1 for i in _below(p, a) if said.get(i) == k)
                          for a in range(len(tree))]
