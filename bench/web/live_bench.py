"""Report → dashboard latency with N connected Socket.IO dashboards.

    .venv/bin/python bench/web/live_bench.py [--clients 200] [--reports 30]
        [--server gunicorn|werkzeug] [--threads 300] [--client raw|socketio]
        [--transport websocket|polling] [--server-cpu 0] [--client-cpu 0]

Serves `bench/web/wsgi.py` (the app factory) on loopback — by default as in production,
gunicorn with one gthread worker (`-w 1 -k gthread --threads N`; Flask-SocketIO in
threading mode, websockets through simple-websocket) — connects N signed-in dispatcher
dashboards, then posts pairs of calls from neighbours (the second makes an outage) and
measures, per dashboard, the time from the POST to the `outages` event naming that outage.

Dashboards: `raw` (default) are Engine.IO v4 websocket connections read by one thread
with a selector (a dashboard does little more than read frames, so the load generator
stays light); `socketio` are python-socketio clients (a few threads each), with either
transport. `--server-cpu` / `--client-cpu` pin the server and the load generator with
taskset / sched_setaffinity (another benchmark may own the other core).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import requests
import websocket

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WERKZEUG = """
import sys; sys.path.insert(0, {bench!r})
from wsgi import app
from web import socketio
socketio.run(app, host="127.0.0.1", port={port}, allow_unsafe_werkzeug=True, log_output=False)
"""
Record = Callable[[list[dict[str, Any]], float], None]


def server_command(args: argparse.Namespace) -> list[str]:
    if args.server == "gunicorn":
        command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "-k", "gthread",
                   "--threads", str(args.threads), "-b", f"127.0.0.1:{args.port}",
                   "--log-level", "warning", "--chdir", str(HERE), "wsgi:app"]
    else:
        code = WERKZEUG.format(bench=str(HERE), port=args.port)
        command = [sys.executable, "-c", code]
    if args.server_cpu is not None:
        command = ["taskset", "-c", str(args.server_cpu), *command]
    return command


class RawDashboards:
    """N Engine.IO v4 websocket connections, all read by one thread with a selector."""

    def __init__(self, base: str, cookie: str, count: int, record: Record) -> None:
        self.record = record
        self.selector = selectors.DefaultSelector()
        self.sockets: list[websocket.WebSocket] = []
        url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        for _ in range(count):
            ws = websocket.create_connection(url, header=[f"Cookie: {cookie}"], timeout=30)
            if not str(ws.recv()).startswith("0") or ws.sock is None:  # Engine.IO open
                raise RuntimeError("no Engine.IO open packet")
            ws.send("40")  # connect to the default namespace
            self.sockets.append(ws)
            self.selector.register(ws.sock, selectors.EVENT_READ, ws)
        self._stop = False
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop:
            ready = self.selector.select(timeout=0.2)
            now = time.perf_counter()  # the frames are in the socket buffers by now
            for key, _ in ready:
                ws: websocket.WebSocket = key.data
                try:
                    message = ws.recv()
                except (websocket.WebSocketException, OSError):
                    self.selector.unregister(key.fileobj)
                    continue
                if not isinstance(message, str):
                    continue
                if message == "2":  # Engine.IO ping from the server
                    ws.send("3")
                elif message.startswith("42"):
                    event, *data = json.loads(message[2:])
                    if event == "outages":
                        self.record(data[0], now)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        for ws in self.sockets:
            ws.close()


class SocketioDashboards:
    """N python-socketio clients (each with its own threads)."""

    def __init__(self, base: str, cookie: str, count: int, record: Record,
                 transport: str) -> None:
        import socketio

        self.clients = []
        for _ in range(count):
            client = socketio.Client(reconnection=False)
            client.on("outages", lambda batch: record(batch, time.perf_counter()))
            client.connect(base, headers={"Cookie": cookie}, transports=[transport])
            self.clients.append(client)

    def close(self) -> None:
        for client in self.clients:
            client.disconnect()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's master and worker)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def sign_in(base: str) -> str:
    http = requests.Session()
    token = http.get(f"{base}/api/session").json()["csrf_token"]
    http.post(f"{base}/api/session", json={"username": "bench", "password": "bench"},
              headers={"X-CSRF-Token": token}).raise_for_status()
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            requests.get(f"{base}/api/session", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def neighbour_pairs(count: int) -> list[list[str]]:
    sys.path.insert(0, str(ROOT))
    from gis.io import load_network

    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    buses = network.customers.bus
    first = np.unique(buses, return_index=True)[1]
    pairs = []
    for k in range(count):
        i = int(first[k * 7])
        pairs.append([network.customers.ids[j] for j in np.flatnonzero(buses == buses[i])[:2]])
    return pairs


def measure(base: str, args: argparse.Namespace, seen: dict[str, list[float]],
            lock: threading.Lock) -> list[float]:
    latencies: list[float] = []
    auth = {"Authorization": "Bearer bench-token"}
    http = requests.Session()
    for k, pair in enumerate(neighbour_pairs(args.reports)):
        http.post(f"{base}/api/events", json={"type": "call", "customer_id": pair[0]},
                  headers=auth).raise_for_status()
        time.sleep(args.gap)
        t0 = time.perf_counter()
        answer = http.post(f"{base}/api/events", headers=auth,
                           json={"type": "call", "customer_id": pair[1]}).json()
        outage = answer["outages"][0]
        deadline = time.time() + 10
        got: list[float] = []
        while time.time() < deadline:
            with lock:
                got = list(seen.get(outage, []))
            if len(got) >= args.clients:
                break
            time.sleep(0.005)
        latencies += [t - t0 for t in got[: args.clients]]
        missing = args.clients - len(got[: args.clients])
        if missing:
            print(f"report {k}: {missing} clients missed the update")
        time.sleep(args.gap)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--port", type=int, default=5092)
    parser.add_argument("--server", default="gunicorn", choices=["gunicorn", "werkzeug"])
    parser.add_argument("--threads", type=int, default=300,
                        help="gunicorn threads: one per open websocket, plus requests")
    parser.add_argument("--client", default="raw", choices=["raw", "socketio"])
    parser.add_argument("--transport", default="websocket", choices=["websocket", "polling"],
                        help="for --client socketio (raw clients are always websocket)")
    parser.add_argument("--server-cpu", type=int, default=None)
    parser.add_argument("--client-cpu", type=int, default=None)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between reports")
    args = parser.parse_args()
    if args.client_cpu is not None:
        os.sched_setaffinity(0, {args.client_cpu})
    url = f"sqlite:///{tempfile.mkdtemp(prefix='oms-live-bench-')}/events.db"
    env = {**os.environ, "OMS_EVENT_LOG": url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(server_command(args), env=env)
    base = f"http://127.0.0.1:{args.port}"
    dashboards: RawDashboards | SocketioDashboards | None = None
    try:
        wait_up(base, server)
        cookie = sign_in(base)
        seen: dict[str, list[float]] = {}
        lock = threading.Lock()

        def record(batch: list[dict[str, Any]], now: float) -> None:
            with lock:
                for o in batch:
                    seen.setdefault(str(o["id"]), []).append(now)

        t = time.perf_counter()
        if args.client == "raw":
            dashboards = RawDashboards(base, cookie, args.clients, record)
        else:
            dashboards = SocketioDashboards(base, cookie, args.clients, record, args.transport)
        print(f"{args.clients} dashboards connected in {time.perf_counter() - t:.1f} s")
        time.sleep(2)
        with lock:
            seen.clear()
        server_cpu, client_cpu, wall = cpu_seconds(server.pid), time.process_time(), \
            time.perf_counter()
        latencies = measure(base, args, seen, lock)
        wall = time.perf_counter() - wall
        server_cpu = cpu_seconds(server.pid) - server_cpu
        print(f"CPU while measuring ({wall:.0f} s): server {server_cpu:.1f} s, "
              f"load generator {time.process_time() - client_cpu:.1f} s")
        q = statistics.quantiles(latencies, n=100)
        print(f"{args.server} / {args.client} {args.transport}: {args.clients} clients, "
              f"{args.reports} reports, {len(latencies)} deliveries: "
              f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
              f"p99 {q[98] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    finally:
        if dashboards is not None:
            dashboards.close()
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
