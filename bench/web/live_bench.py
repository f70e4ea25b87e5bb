"""Report → dashboard latency with N connected Socket.IO dashboards.

    .venv/bin/python bench/web/live_bench.py [--clients 200] [--reports 30]

Starts `oms serve`'s server (threaded Werkzeug + simple-websocket) on loopback, connects
N dispatcher Socket.IO clients (websocket transport), then posts pairs of calls from
neighbours (the second makes an outage) and measures, per client, the time from the
POST to the `outages` event naming that outage.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
SERVER = """
import sys; sys.path.insert(0, {bench!r})
from wsgi import app
from web import socketio
socketio.run(app, host="127.0.0.1", port={port}, allow_unsafe_werkzeug=True, log_output=False)
"""


def main() -> None:  # noqa: PLR0915  (a linear benchmark script)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--port", type=int, default=5092)
    parser.add_argument("--transport", default="polling", choices=["polling", "websocket"])
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='oms-live-bench-')}/events.db"
    env = {**os.environ, "OMS_EVENT_LOG": url, "PYTHONPATH": str(ROOT)}
    code = SERVER.format(bench=str(Path(__file__).parent), port=args.port)
    server = subprocess.Popen([sys.executable, "-c", code], env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        time.sleep(6)
        http = requests.Session()
        token = http.get(f"{base}/api/session").json()["csrf_token"]
        http.post(f"{base}/api/session", json={"username": "bench", "password": "bench"},
                  headers={"X-CSRF-Token": token}).raise_for_status()
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        seen: dict[str, list[float]] = {}
        lock = threading.Lock()

        def on_outages(batch: list[dict[str, object]]) -> None:
            now = time.perf_counter()
            with lock:
                for o in batch:
                    seen.setdefault(str(o["id"]), []).append(now)

        clients = []
        for _ in range(args.clients):
            client = socketio.Client(reconnection=False)
            client.on("outages", on_outages)
            client.connect(base, headers={"Cookie": cookie}, transports=[args.transport])
            clients.append(client)
        time.sleep(2)
        with lock:
            seen.clear()
        sys.path.insert(0, str(ROOT))
        from gis.io import load_network

        network = load_network(ROOT / "sample_data" / "territory.gpkg")
        buses = network.customers.bus
        first = np.unique(buses, return_index=True)[1]
        latencies: list[float] = []
        auth = {"Authorization": "Bearer bench-token"}
        for k in range(args.reports):
            i = int(first[k * 7])
            pair = [network.customers.ids[j] for j in np.flatnonzero(buses == buses[i])[:2]]
            requests.post(f"{base}/api/events", json={"type": "call", "customer_id": pair[0]},
                          headers=auth)
            t0 = time.perf_counter()
            answer = requests.post(f"{base}/api/events", headers=auth,
                                   json={"type": "call", "customer_id": pair[1]}).json()
            outage = answer["outages"][0]
            deadline = time.time() + 10
            while time.time() < deadline:
                with lock:
                    got = list(seen.get(outage, []))
                if len(got) >= args.clients:
                    break
                time.sleep(0.01)
            latencies += [t - t0 for t in got[: args.clients]]
            missing = args.clients - len(got[: args.clients])
            if missing:
                print(f"report {k}: {missing} clients missed the update")
        q = statistics.quantiles(latencies, n=100)
        print(f"{args.clients} clients, {args.reports} reports, {len(latencies)} deliveries: "
              f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
              f"p99 {q[98] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
        for client in clients:
            client.disconnect()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
