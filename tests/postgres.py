"""A throwaway PostgreSQL server for the tests of what runs on it in production.

The test run starts its own server (Debian's `postgresql` package, which `.ci/run`
installs) in a temporary directory on a free port, and stops it at the end; each test
gets a database of its own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "oms"


def server_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl (the newest installed), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(binaries: Path) -> Iterator[str]:
    """Start a server; yield the SQLAlchemy URL of its maintenance database."""
    root = Path(tempfile.mkdtemp(prefix="oms-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as its own user
        as_owner = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    try:
        subprocess.run([*as_owner, str(binaries / "initdb"), "-D", str(data), "-U", USER,
                        "-A", "trust", "--no-sync"], check=True, capture_output=True)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        subprocess.run([*as_owner, str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                        "-l", str(root / "server.log"), "-w", "start"],
                       check=True, capture_output=True)
        try:
            yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
        finally:
            # Immediate: the data directory is thrown away next; a failure leaves
            # nothing worse than a stray test server.
            subprocess.run([*as_owner, str(binaries / "pg_ctl"), "-D", str(data),
                            "-m", "immediate", "stop"], check=False, capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str) -> str:
    """Create an empty database on the server; return its URL."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name
