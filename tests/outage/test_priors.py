"""The prior odds of each kind of device operating, on networks that model few kinds."""

from __future__ import annotations

import math

import pytest

from outage.scoring import PredictionParams, Scorer


def priors(kinds: list[str], live_outages: float = 1.0) -> list[float]:
    penalties = Scorer(PredictionParams()).penalties(kinds, live_outages)
    return [1 / (1 + math.exp(p)) for p in penalties]


def test_the_source_keeps_its_share_where_few_kinds_are_modelled() -> None:
    """An MV model (a source, feeder breakers, switches; no transformers or fuses): the
    breakers and switches stand in for the kinds it lacks, in their configured ratio,
    but losing the substation's supply stays as rare as anywhere (it was 6 % of all
    operations here, against 1 % configured)."""
    kinds = ["source"] + ["breaker"] * 4 + ["switch"] * 100
    p = priors(kinds)
    source, breaker, switch = p[0], p[1], p[5]
    assert source == pytest.approx(0.01)
    assert breaker * 4 + switch * 100 == pytest.approx(0.99)
    assert breaker * 4 / (switch * 100) == pytest.approx(0.1 / 0.05)


def test_a_network_of_nothing_but_its_source_puts_every_outage_there() -> None:
    assert priors(["source"]) == pytest.approx([PredictionParams().max_prior])


def test_a_storm_makes_every_device_but_the_source_likelier_up_to_the_cap() -> None:
    """Twenty outages going on: each fuse and transformer is twenty times likelier to
    be out (a fuse's prior reaches the cap); the supply from the transmission system
    is not, or two feeders' outages that begin together read as one loss of supply."""
    kinds = ["source"] + ["fuse"] * 50 + ["service_transformer"] * 500
    quiet, storm = priors(kinds, 1.0), priors(kinds, 20.0)
    assert storm[0] == pytest.approx(quiet[0]) == pytest.approx(0.01)
    assert all(s == pytest.approx(min(20 * q, 0.2))
               for q, s in zip(quiet[1:], storm[1:], strict=True))


def test_a_storm_on_a_network_of_nothing_but_sources_still_counts() -> None:
    """Where the sources are all a network models, they stand in for every device."""
    assert priors(["source"] * 100, 5.0) == pytest.approx([0.05] * 100)
