"""Input files that may be gzip-compressed: an archived event stream is read as it is."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO, cast

GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: str | Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (known by its first bytes, not its
    name)."""
    with Path(path).open("rb") as head:
        gzipped = head.read(2) == GZIP_MAGIC
    if gzipped:
        return cast(BinaryIO, gzip.open(path, "rb"))
    return Path(path).open("rb")
