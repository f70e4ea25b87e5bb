"""Ids spelt differently from the model's: one meaning is an answer, two are a question."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gis.ids import IdMatcher

IDS = ["load.s1a", "load.s2b", "line.sw1", "transformer.t5", "line.t5", "Switch 0"]


def test_case_and_missing_class_find_the_one_id() -> None:
    matcher = IdMatcher(IDS)
    assert matcher.matches("Load.S1A") == ["load.s1a"]
    assert matcher.matches(" S2B ") == ["load.s2b"]
    assert matcher.matches("SW1") == ["line.sw1"]
    assert matcher.matches("switch 0") == ["Switch 0"]


def test_ambiguous_and_unknown_spellings_are_not_guessed() -> None:
    matcher = IdMatcher(IDS)
    assert matcher.matches("t5") == ["line.t5", "transformer.t5"]
    assert matcher.matches("ghost") == []


@given(st.lists(st.from_regex(r"[a-z]{1,6}\.[a-z0-9]{1,6}", fullmatch=True), unique=True))
def test_every_id_is_found_by_its_upper_case_spelling(ids: list[str]) -> None:
    """Whatever the ids, each one's upper-case spelling means exactly it."""
    matcher = IdMatcher(ids)
    for element_id in ids:
        assert matcher.matches(element_id.upper()) == [element_id]
