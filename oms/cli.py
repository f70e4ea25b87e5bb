"""The ``oms`` command line: one entry point, one sub-command group per package.

Each package owns its commands in its own ``cli.py`` with a ``register(subparsers)``
function; this module only composes them and turns domain errors into readable
messages and exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from gis.errors import NetworkImportWarning

# Packages that contribute sub-commands, in the order ``oms --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "gis.cli",
    "outage.cli",
    "dispatch.cli",
    "outage.reliability.cli",
    "web.cli",
)

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every package's sub-commands registered."""
    parser = argparse.ArgumentParser(
        prog="oms", description="Outage management and field dispatch for distribution utilities."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``oms`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", NetworkImportWarning)
        warnings.showwarning = _note
        try:
            code: int = args.func(args)
        except (ValueError, LookupError, OSError) as error:
            # Domain errors carry messages written for people (record and field named).
            print(f"oms: error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return code


_show_warning = warnings.showwarning


def _note(message: Warning | str, category: type[Warning], filename: str, lineno: int,
          file: TextIO | None = None, line: str | None = None) -> None:
    """An import's warnings are notes for the person at the terminal, not for a
    programmer: said plainly, without the source line that raised them."""
    if issubclass(category, NetworkImportWarning):
        print(f"oms: note: {message}", file=file or sys.stderr)
    else:
        _show_warning(message, category, filename, lineno, file, line)


if __name__ == "__main__":
    sys.exit(main())
