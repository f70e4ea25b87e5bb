"""Finding the files an OpenDSS model names, whatever their case, or doing without.

Most OpenDSS models are written on Windows, where file names ignore case: a master
that says ``Redirect Substation_ckt24.dss`` beside ``substation_ckt24.dss`` compiles
there and fails on a case-sensitive file system. OpenDSS stops at the first file it
cannot open, naming it, so the model is compiled again from a *mirror*: a scratch
folder of links to the model's folder, where each name the model spells in another
case than the disk's is linked to the one file it can mean. A data file that is not
there in any case (a load shape's or curve's values, bus coordinates: nothing of the
network's elements or connections) is read as empty there. The model's own files are
never touched. A name that could mean several files (``lines.dss`` and ``LINES.dss``
side by side), or a redirected model file that is missing, is left to fail, with
what is on disk said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# OpenDSS's messages for a file it cannot open, by the command that asked (Redirect or
# Compile, BusCoords, a load shape's CSV file), and the file and line that asked.
_MISSING_FILE = (
    re.compile(r'not found:?\s*"([^"]+)"', re.IGNORECASE),
    re.compile(r'unable to open file:?\s*"([^"]+)"', re.IGNORECASE),
    re.compile(r'file\s*"([^"]+)"\s*could not be opened', re.IGNORECASE),
    re.compile(r'error opening file:?\s*"([^"]+)"', re.IGNORECASE),
)
# Redirect and Compile (both say "Redirect file") read model files: elements.
_MODEL_FILE = re.compile(r"redirect file", re.IGNORECASE)
_ASKED_BY = re.compile(r'\[file: "([^"]+)", line: (\d+)\]')

# Renamed files one model may need before it is taken for something else.
MAX_RELINKED = 100


@dataclass(frozen=True, slots=True)
class MissingFile:
    """A file OpenDSS could not open: the path it looked for, and who asked."""

    wanted: Path
    asked_by: str  # "file, line N", or "" when the message does not say
    model: bool  # a model file (elements), not data (values, coordinates)

    def twins(self, folder: Path) -> list[Path]:
        """The files on disk whose path differs from the one wanted in case only: from
        the model's `folder` down, or beside the one wanted when it lies outside."""
        if self.wanted.is_relative_to(folder):
            found, parts = [folder], self.wanted.relative_to(folder).parts
        else:
            found, parts = [self.wanted.parent], (self.wanted.name,)
        for part in parts:
            found = [entry for here in found if here.is_dir() for entry in here.iterdir()
                     if entry.name.lower() == part.lower()]
        return sorted(found)


def missing_file(message: str) -> MissingFile | None:
    """The file an OpenDSS error message says it could not open, as an absolute path
    (a relative name is relative to the file that named it), or None."""
    name = next((m.group(1) for pattern in _MISSING_FILE if (m := pattern.search(message))),
                None)
    if name is None:
        return None
    asked = _ASKED_BY.search(message)
    wanted = Path(name.replace("\\", "/"))
    if not wanted.is_absolute():
        if asked is None:
            return None
        wanted = Path(asked.group(1)).parent / wanted
    where = f"{Path(asked.group(1)).name}, line {asked.group(2)}" if asked else ""
    return MissingFile(Path(_normal(wanted)), where, bool(_MODEL_FILE.search(message)))


def _normal(path: Path) -> str:
    """`path` without ``.`` and ``..`` steps, links left unresolved (a mirror's path
    must stay in the mirror)."""
    parts: list[str] = []
    for part in path.parts[1:]:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return str(Path(path.anchor, *parts))


@dataclass(slots=True)
class Mirror:
    """A folder of links standing for the model's `folder`, where names spelt in
    another case are linked too. Made in `place` (a scratch folder) when first needed."""

    folder: Path
    place: Path
    # Each name asked for -> the file on disk read for it (None: read as empty), and
    # the file and line that asked.
    read_for: dict[Path, tuple[Path | None, str]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.read_for)

    def path(self, original: Path) -> Path:
        """Where the compile reads `original` from: in the mirror once there is one."""
        if self.active and original.is_relative_to(self.folder):
            return self.place / original.relative_to(self.folder)
        return original

    def original(self, text: str) -> str:
        """`text` (an OpenDSS message) with mirror paths named as the model's own."""
        return text.replace(str(self.place), str(self.folder)) if self.active else text

    def link(self, missing: MissingFile, actual: Path | None) -> None:
        """Make the missing file (a path in the model's folder, as the model spells it)
        read `actual`, or an empty file: the folders on the way become folders of links
        to the ones they stand for (found whatever their case), or empty ones."""
        wanted = missing.wanted
        here = self.place
        there: Path | None = self.folder
        _materialise(here, there)
        relative = wanted.relative_to(self.folder)
        for part in relative.parts[:-1]:
            same = [e for e in there.iterdir() if e.name.lower() == part.lower()] if there else []
            here, there = here / part, (same[0] if len(same) == 1 and same[0].is_dir() else None)
            _materialise(here, there)
        target = here / relative.name
        if target.is_symlink():
            target.unlink()
        if actual is None:
            target.write_bytes(b"")
        else:
            target.symlink_to(actual)
        self.read_for[wanted] = (actual, missing.asked_by)

    def note(self) -> str:
        """What was read for which name, for the person importing (empty: nothing)."""
        other_case = [f"{by}: {wanted.name!r} read from {str(actual.relative_to(self.folder))!r}"
                      for wanted, (actual, by) in self.read_for.items() if actual is not None]
        empty = [f"{by}: {wanted.name!r}"
                 for wanted, (actual, by) in self.read_for.items() if actual is None]
        said = []
        if other_case:
            said.append("names files in another case than they have on disk, read as on "
                        f"Windows ({'; '.join(other_case)})")
        if empty:
            said.append(f"names data files that are not there, read as empty "
                        f"({'; '.join(empty)}): load shapes, curves or bus coordinates, none "
                        "of the network's elements or connections; buses without "
                        "coordinates are placed as a schematic")
        return "; it ".join(said)


def _materialise(here: Path, there: Path | None) -> None:
    """A real folder at `here` holding a link to each entry of `there` (if any)."""
    if here.is_dir() and not here.is_symlink():
        return
    if here.is_symlink():
        here.unlink()
    here.mkdir(parents=True)
    for entry in there.iterdir() if there is not None else ():
        (here / entry.name).symlink_to(entry)
