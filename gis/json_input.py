"""JSON from outside (an event line, a request body, a network or instance file).

`json.loads` fails in more ways than `JSONDecodeError`: a number of thousands of
digits is a plain `ValueError`, bytes that are not UTF-8 a `UnicodeDecodeError`, and
arrays nested some thousand deep a `RecursionError`, which no caller expects. A hostile
line must be a rejected line, not a crash, so every reader of outside JSON goes
through `loads`, which turns all of them into one error with a readable reason.
"""

from __future__ import annotations

import json
from typing import Any


class JsonInputError(ValueError):
    """Text that is not JSON this system accepts; the message says why."""


def loads(text: str | bytes) -> Any:
    """The JSON value of `text`, or `JsonInputError` with the reason."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise JsonInputError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except UnicodeDecodeError as error:
        raise JsonInputError(f"not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise JsonInputError("not accepted: JSON nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise JsonInputError(f"not accepted: {error}") from None
