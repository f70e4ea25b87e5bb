"""Where the tests find their network files: the repository's own small cases, and the
IEEE test feeders in the shared folder beside the repository (absent on some machines:
tests that need them are skipped)."""

from __future__ import annotations

from pathlib import Path

OPENDSS = Path(__file__).resolve().parent / "opendss"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "networks"
IEEE123 = SHARED / "ieee123" / "IEEETestCases" / "123Bus" / "IEEE123Switches.dss"
IEEE8500 = SHARED / "ieee8500" / "IEEETestCases" / "8500-Node"
