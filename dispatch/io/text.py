"""The text of an instance file, or an error naming the file when it is not text."""

from __future__ import annotations

from pathlib import Path

from dispatch.errors import InstanceFormatError


def read_text(path: Path) -> str:
    """The UTF-8 text of `path` (a binary or Latin-1 file is refused with its name)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InstanceFormatError(f"{path.name}: not UTF-8 text (byte {error.start + 1}); "
                                  f"an instance file is text") from None
