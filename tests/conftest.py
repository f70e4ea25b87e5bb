"""Fixtures shared across packages: the services the production setup runs on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres import running_server, server_binaries


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server this test run starts and stops: its maintenance database's URL."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    pytest.importorskip("psycopg", reason="the PostgreSQL driver comes with the test extra")
    with running_server(binaries) as url:
        yield url
