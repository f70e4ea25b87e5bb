"""Status page lookups per second and latency against gunicorn (gthread) on loopback.

    .venv/bin/python bench/web/status_bench.py [--seconds 15] [--connections 32] [--workers 2]

Seeds a storm into a fresh event log, starts gunicorn on it (each worker folds the same
log: read replicas), then runs an asyncio keep-alive load generator on the same machine
(it competes for the same 2 cores, so the figures are conservative).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def seed(url: str) -> list[str]:
    from gis.io import load_network
    from outage.log import EventLog
    from outage.service import OutageService
    from outage.simulate import ScenarioBuilder, ScenarioParams

    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    service = OutageService.open(network, EventLog(url))
    storm = ScenarioBuilder(network).build(
        ScenarioParams(kind="storm", outages=12, start=datetime.now(UTC)), 7)
    for event in storm.events[:1500]:
        if not (event["type"] == "device" and event["state"] == "closed"):
            service.submit(event)
    return list(network.customers.ids)


async def worker(port: int, ids: list[str], until: float, lat: list[float],
                 codes: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < until:
        path = f"/api/customers/{random.choice(ids)}/status"
        t0 = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        await reader.readexactly(length)
        lat.append(time.perf_counter() - t0)
        code = int(head.split(b" ")[1])
        codes[code] = codes.get(code, 0) + 1
    writer.close()


async def load(port: int, ids: list[str], seconds: float, connections: int) -> None:
    lat: list[float] = []
    codes: dict[int, int] = {}
    until = time.perf_counter() + seconds
    await asyncio.gather(*(worker(port, ids, until, lat, codes) for _ in range(connections)))
    lat.sort()
    q = statistics.quantiles(lat, n=100)
    print(f"requests {len(lat)} in {seconds:.0f} s: {len(lat) / seconds:,.0f} req/s; "
          f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms; "
          f"status codes {codes}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=5091)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='oms-bench-')}/events.db"
    ids = seed(url)
    env = {**os.environ, "OMS_EVENT_LOG": url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers), "-k", "gthread",
         "--threads", str(args.threads), "-b", f"127.0.0.1:{args.port}", "--log-level", "warning",
         "--chdir", str(Path(__file__).parent), "wsgi:app"], env=env)
    try:
        time.sleep(8)  # workers load the network and fold the log
        asyncio.run(load(args.port, ids, 2.0, args.connections))  # warm-up
        asyncio.run(load(args.port, ids, args.seconds, args.connections))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
