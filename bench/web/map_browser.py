"""The dashboard of a utility of N customers in headless Chromium: how long from signing
in until the network is fetched and drawn, and one zoom step.

Serves a synthetic utility (`gis.synthetic`) under Werkzeug with the map's GeoJSON built
as the server starts (as `oms serve` does), signs a dispatcher in two seconds later.

    .venv/bin/python bench/web/map_browser.py 100000
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from gis.synthetic import synthesize_utility
from web import create_app

FETCHED = ("performance.getEntriesByType('resource').some((e) => "
           "e.name.endsWith('/api/network.geojson') && e.responseEnd > 0)")
SIZE = ("performance.getEntriesByType('resource').find((e) => "
        "e.name.endsWith('/api/network.geojson')).transferSize")
FRAMES = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customers", type=int)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    network = synthesize_utility(args.customers, seed=1)
    app = create_app({
        "TESTING": True, "NETWORK": network, "ROADS": None, "CREWS": [],
        "USERS": [{"username": "d", "password": "p", "role": "dispatcher"}],
        "PASSWORD_METHOD": "pbkdf2:sha256:1000", "PLANNER_BACKGROUND": True,
        "EVENT_LOG": f"sqlite:///{tempfile.mkdtemp()}/events.db"})
    http = make_server("127.0.0.1", args.port, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    time.sleep(2)
    base = f"http://127.0.0.1:{args.port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
        page.goto(f"{base}/login?next=/dispatch")
        page.fill("#username", "d")
        page.fill("#password", "p")
        t0 = time.perf_counter()
        page.click("button[type=submit]")
        page.wait_for_url("**/dispatch")
        page.wait_for_function(FETCHED, timeout=600_000)
        t1 = time.perf_counter()
        page.evaluate(FRAMES)
        t2 = time.perf_counter()
        page.mouse.wheel(0, -400)
        page.evaluate(FRAMES)
        t3 = time.perf_counter()
        print(f"{args.customers:,} customers: network fetched {t1 - t0:.1f} s after signing "
              f"in ({page.evaluate(SIZE) / 1e6:.1f} MB on the wire), drawn at "
              f"{t2 - t0:.1f} s; a zoom step {t3 - t2:.2f} s")
        browser.close()
    http.shutdown()
    app.extensions["oms_live"].planner.stop()


if __name__ == "__main__":
    main()
