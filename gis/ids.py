"""Finding an element whose id arrives spelled differently from the model's.

Ids keep their source model's spelling (DESIGN.md §3: OpenDSS ids are lower-case
``class.name``). Reports from other systems spell them their own way: ``Load.S1A``
for ``load.s1a`` (OpenDSS itself ignores case), or ``s1a`` without the class. An
`IdMatcher` finds the one id such a spelling can mean, or says that it is ambiguous;
it never picks between two.
"""

from __future__ import annotations

from collections.abc import Iterable


class IdMatcher:
    """Ids by their case-folded spelling, with and without a ``class.`` prefix.

    Built on the first miss: an exact id needs no matcher, and at a million
    customers building one takes a second.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self._ids = ids
        self._folded: dict[str, list[str]] | None = None
        self._bare: dict[str, list[str]] = {}

    def _build(self) -> dict[str, list[str]]:
        folded: dict[str, list[str]] = {}
        for element_id in self._ids:
            key = element_id.casefold()
            folded.setdefault(key, []).append(element_id)
            cls, dot, name = key.partition(".")
            if dot and cls.isidentifier() and name:
                self._bare.setdefault(name, []).append(element_id)
        return folded

    def matches(self, spelling: str) -> list[str]:
        """Every id `spelling` can mean: the same letters in any case, or the name of a
        ``class.name`` id without its class (sorted; one match is an answer)."""
        if self._folded is None:
            self._folded = self._build()
        key = spelling.strip().casefold()
        found = self._folded.get(key) or self._bare.get(key) or []
        return sorted(found)
