"""The whole story in headless Chromium: report → map → plan → crew → restored → customer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from gis import Network, Topology
from outage.candidates import build_candidates
from tests.web.conftest import PASSWORD, ROOT, make_config, neighbours_at_transformers
from web import create_app

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, network: Network) -> Iterator[str]:
    """The app under a threaded server on loopback, planning in the background."""
    yield from _serve(tmp_path, network)


def _serve(tmp_path: Path, network: Network, **config: Any) -> Iterator[str]:
    app = create_app(make_config(tmp_path, network, PLANNER_BACKGROUND=True,
                                 PLAN_TIME_LIMIT=0.5, PLAN_SOLUTION_LIMIT=None, **config))
    port = _free_port()
    http = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    app.extensions["oms_live"].planner.stop()
    http.shutdown()
    thread.join(5)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _login(page: Any, base: str, user: str, target: str) -> None:
    page.goto(f"{base}/login?next={target}")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def test_report_to_restoration_story(server: str, browser: Any) -> None:
    """A customer's report reaches the map within a second; the crew restores; all see it."""
    ARTIFACTS.mkdir(exist_ok=True)
    desk = browser.new_context(viewport={"width": 1600, "height": 900})
    dashboard = desk.new_page()
    _login(dashboard, server, "disp", "/dispatch")
    dashboard.wait_for_function("window.omsState && document.getElementById('live')"
                                ".classList.contains('on')")
    # A neighbour has already called (IVR intake); the web report makes it an outage.
    desk.request.post(f"{server}/api/events", headers={"Authorization": "Bearer ivr-token"},
                      data={"type": "call", "customer_id": "cust.000001", "channel": "ivr"})
    # One call is not an outage yet, but the control room sees it on the map.
    dashboard.wait_for_selector(".report-icon", timeout=5000)
    assert dashboard.inner_text("#k-open") == "1 not in an outage"

    phone_options = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2,
                     "is_mobile": True, "has_touch": True}
    customer = browser.new_context(**phone_options).new_page()
    customer.goto(f"{server}/status")
    customer.fill("#account", "cust.000002")
    customer.click("#lookup button[type=submit]")
    customer.wait_for_selector("#result:not(.hidden)")
    customer.select_option("#hazard", "wire_down")
    started = time.monotonic()
    customer.click("#report-btn")
    dashboard.wait_for_function(
        "[...window.omsState.outages.values()].some(o => o.active)", timeout=1000)
    latency = time.monotonic() - started
    assert latency < 1.0
    customer.wait_for_selector("text=Power outage at your address")
    dashboard.wait_for_selector(".report-icon", state="detached", timeout=5000)
    # The public map shows the area out, says what its colours mean and when it was drawn.
    public = customer.context.new_page()
    public.goto(f"{server}/map")
    public.wait_for_function("document.getElementById('m-asof').textContent"
                             ".startsWith('Updated ')", timeout=5000)
    assert int(public.inner_text("#m-out")) > 0
    assert public.inner_text("#m-n").startswith("1 outage ·")
    assert "over 50 %" in public.inner_text(".map-key")
    public.screenshot(path=str(ARTIFACTS / "public-map.png"))
    public.close()

    crew_id = dashboard.wait_for_function(
        "(() => { const o = [...window.omsState.outages.values()].find(o => o.active);"
        " return o && o.crew_id; })()", timeout=15000).json_value()
    outage_id = dashboard.evaluate(
        "[...window.omsState.outages.values()].find(o => o.active).id")
    dashboard.wait_for_function("document.getElementById('k-out').textContent !== '—'")
    # The dispatcher opens it and reads why the engine believes it: written as of now.
    dashboard.click(f"tr[data-id='{outage_id}']")
    dashboard.wait_for_function(
        "(document.getElementById('d-why') || {}).textContent?.includes('Confidence')",
        timeout=5000)
    assert "call" in dashboard.inner_text("#d-why")
    before = dashboard.inner_text("#k-out")
    dashboard.screenshot(path=str(ARTIFACTS / "dispatch.png"))

    crew = browser.new_context(**phone_options).new_page()
    _login(crew, server, f"crew{crew_id[1:]}", "/crew")
    card = crew.wait_for_selector(f"article[data-job='{outage_id}']")
    assert "wire down" in card.inner_text().lower()
    assert "ETA" in card.inner_text()  # assigned: when the plan has it there
    crew.click(f"article[data-job='{outage_id}'] button[data-s='on_site']")
    crew.wait_for_function(  # on site: an arrival time is no longer news
        f"!document.querySelector(\"article[data-job='{outage_id}'] .facts\").textContent"
        ".includes('ETA')", timeout=5000)
    _crew_says_two_hours(crew, desk, f"{server}/api/outages/{outage_id}")
    crew.screenshot(path=str(ARTIFACTS / "crew.png"))
    crew.click(f"article[data-job='{outage_id}'] button[data-s='restore-form']")
    crew.select_option(f"article[data-job='{outage_id}'] select[name=cause]", "tree contact")
    crew.click(f"article[data-job='{outage_id}'] .restore-form button[type=submit]")
    crew.wait_for_selector("text=No jobs for you right now")
    crew.wait_for_function(  # the offline queue drains once the server has acknowledged
        "JSON.parse(localStorage.getItem('oms.crew.queue') || '[]').length === 0")

    customer.wait_for_selector("text=Power restored", timeout=5000)
    customer.screenshot(path=str(ARTIFACTS / "status.png"), full_page=True)
    dashboard.wait_for_function(
        f"document.getElementById('k-out').textContent !== {before!r}", timeout=5000)
    assert dashboard.inner_text("#k-out") == "0"
    dashboard.screenshot(path=str(ARTIFACTS / "dispatch-after.png"))


def _crew_says_two_hours(crew: Any, desk: Any, outage_url: str) -> None:
    """On site the crew says when the power will be back: its customers are told that."""
    outage_id = outage_url.rsplit("/", 1)[1]
    crew.click(f"article[data-job='{outage_id}'] button[data-min='120']")
    crew.wait_for_function(
        "JSON.parse(localStorage.getItem('oms.crew.queue') || '[]').length === 0")
    assert desk.request.get(outage_url).json()["etr_source"] == "crew"
    assert "(yours)" in crew.inner_text(f"article[data-job='{outage_id}'] .etr-row")


def test_the_desk_clears_a_checked_report_from_the_map(server: str, browser: Any) -> None:
    """A lone wire-down call is a red marker until the dispatcher marks it checked; a
    lone call the desk confirms becomes an outage at the device above the caller."""
    desk = browser.new_context(viewport={"width": 1400, "height": 850})
    dashboard = desk.new_page()
    _login(dashboard, server, "disp", "/dispatch")
    dashboard.wait_for_function("document.getElementById('live').classList.contains('on')")
    desk.request.post(f"{server}/api/events", headers={"Authorization": "Bearer ivr-token"},
                      data={"type": "call", "customer_id": "cust.000001", "channel": "ivr",
                            "hazard": "wire_down"})
    marker = dashboard.wait_for_selector(".report-icon.haz", timeout=5000)
    marker.click()
    dashboard.click("button.clear-report[data-customer='cust.000001']")
    dashboard.wait_for_selector(".report-icon", state="detached", timeout=5000)
    dashboard.wait_for_function("document.getElementById('k-open').textContent === 'all channels'")
    assert desk.request.get(f"{server}/api/reports").json() == {"count": 0, "reports": []}
    # A neighbour's lone call: this time the desk confirms an outage at the transformer.
    desk.request.post(f"{server}/api/events", headers={"Authorization": "Bearer ivr-token"},
                      data={"type": "call", "customer_id": "cust.000003", "channel": "ivr"})
    dashboard.wait_for_selector(".report-icon", timeout=5000).click()
    # Another lone report elsewhere while the popup is open: it must not close it.
    desk.request.post(f"{server}/api/events", headers={"Authorization": "Bearer ivr-token"},
                      data={"type": "call", "customer_id": "cust.000500", "channel": "ivr"})
    dashboard.wait_for_function("document.getElementById('k-open').textContent"
                                ".startsWith('2 not')", timeout=5000)
    dashboard.wait_for_timeout(1000)  # time for a re-read of the reports to redraw them
    assert dashboard.is_visible("button.open-device")
    device = dashboard.get_attribute("button.open-device", "data-device")
    dashboard.click("button.open-device")
    dashboard.wait_for_function(
        f"[...window.omsState.outages.values()].some(o => o.active && o.device_id === {device!r}"
        " && o.stage === 'confirmed')", timeout=5000)
    dashboard.wait_for_function("document.querySelectorAll('.report-icon').length === 1",
                                timeout=5000)


def test_the_dashboard_shows_a_storms_scale(server: str, browser: Any, network: Network) -> None:
    """Two neighbours call at each of 32 transformers, calls only: the dashboard counts
    the outages live, and about how many are going on, reported or not (as the engine
    last sized the storm: after the 4th, 8th, … 64th event)."""
    desk = browser.new_context(viewport={"width": 1400, "height": 850})
    dashboard = desk.new_page()
    _login(dashboard, server, "disp", "/dispatch")
    dashboard.wait_for_function("document.getElementById('live').classList.contains('on')")
    for customer in neighbours_at_transformers(network, 32):
        desk.request.post(f"{server}/api/events", headers={"Authorization": "Bearer ivr-token"},
                          data={"type": "call", "customer_id": customer, "channel": "ivr"})
    dashboard.wait_for_function("document.getElementById('k-live').textContent"
                                ".startsWith('32 live · about ')", timeout=10000)
    implied = desk.request.get(f"{server}/api/kpis").json()["outages_implied"]
    assert dashboard.inner_text("#k-live") == f"32 live · about {implied} going on"


def test_a_complaint_from_the_status_page_to_its_resolution(server: str, browser: Any) -> None:
    """A customer complains on the status page and is told the reference and the day of
    the answer; the agent's desk shows it live, classed and routed; the agent takes it
    up and resolves it, and it leaves the open list."""
    ARTIFACTS.mkdir(exist_ok=True)
    agent = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
    errors: list[str] = []
    agent.on("pageerror", lambda error: errors.append(str(error)))
    _login(agent, server, "agent1", "/complaints")
    agent.wait_for_selector("#empty:not(.hidden)")
    agent.wait_for_selector("#replies li")  # "No replies yet."
    customer = browser.new_context(viewport={"width": 390, "height": 844},
                                   is_mobile=True).new_page()
    customer.goto(f"{server}/status")
    customer.fill("#c-account", "cust.000007")
    customer.fill("#c-text", "A surge last night damaged my fridge, and the lights flicker")
    customer.fill("#c-contact", "+1 503 555 0107")
    customer.click("#complaint button[type=submit]")
    customer.wait_for_selector("#c-done:not(.hidden)")
    done = customer.inner_text("#c-done")
    assert "C-000001 (quality, for our Power Quality team)" in done and "answer by" in done
    row = agent.wait_for_selector("tr[data-ref='C-000001']", timeout=5000)  # live
    assert "quality → Power Quality" in row.inner_text()
    row.click()
    agent.click("button[data-act=acknowledge]")
    agent.wait_for_selector("#detail .st-acknowledged")
    agent.fill("#d-note", "Surge traced to a loose neutral; repaired; claim form sent.")
    agent.click("button[data-act=resolve]")
    agent.wait_for_selector("#empty:not(.hidden)")
    agent.wait_for_selector("#detail .st-resolved")  # still in hand, to reopen if need be
    assert agent.is_visible("button[data-act=reopen]")
    assert agent.inner_text("#k-open") == "0"
    assert errors == []
    # Looking the account up, the customer sees where the complaint stands.
    customer.fill("#account", "cust.000007")
    customer.click("#lookup button[type=submit]")
    customer.wait_for_selector("#c-mine:not(.hidden)")
    assert "C-000001 · quality, Power Quality · answered" in customer.inner_text("#c-mine")
    customer.screenshot(path=str(ARTIFACTS / "status-complaint.png"), full_page=True)


def test_a_supervisor_adds_a_crew_from_the_dashboard(server: str, browser: Any) -> None:
    """Mutual aid arrives: a supervisor adds the crew from the plan panel, at the map's
    centre, and it joins the roster every dashboard shows; a dispatcher has no button."""
    page = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    _login(page, server, "sup", "/dispatch")
    page.wait_for_function("window.omsState && window.omsState.crews.length > 0")
    page.click("#add-crew")
    page.fill("#c-id", "MA-1")
    page.fill("#c-name", "Mutual aid 1")
    page.select_option("#c-kind", "mutual_aid")
    page.click("#crew-form button[type=submit]")
    page.wait_for_function("window.omsState.crews.some((c) => c.id === 'MA-1')")
    assert "Mutual aid 1" in page.inner_text("#plan")
    assert page.is_hidden("#crew-form")
    other = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    _login(other, server, "disp", "/dispatch")
    other.wait_for_function("window.omsState && window.omsState.crews.some((c) => c.id === 'MA-1')")
    assert other.query_selector("#add-crew") is None


def test_the_control_room_sees_complaints_waiting_past_the_hour(
        tmp_path: Path, network: Network, browser: Any) -> None:
    """A complaint nobody took up within the hour: the dashboard's Complaints link says
    so, in red, for the control room staffed when the desk is not."""
    from datetime import UTC, datetime, timedelta

    class Later:  # the app's clock, moved on by the test
        t = datetime.now(UTC)

        def now(self) -> datetime:
            return self.t

    clock = Later()
    app = create_app(make_config(tmp_path, network, CLOCK=clock))
    port = _free_port()
    http = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        client = app.test_client()
        token = client.get("/api/session").get_json()["csrf_token"]
        filed = client.post("/api/complaints", headers={"X-CSRF-Token": token},
                            json={"text": "My bill is wrong", "account": "cust.000001"})
        assert filed.status_code == 201
        clock.t += timedelta(minutes=61)
        page = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
        _login(page, f"http://127.0.0.1:{port}", "disp", "/dispatch")
        page.wait_for_function("document.getElementById('k-complaints').textContent"
                               ".includes('late')")
        assert page.inner_text("#k-complaints") == "Complaints · 1 late"
        assert "overdue" in (page.get_attribute("#k-complaints", "class") or "")
        # The clock escalates it; the desk sees it marked in its list.
        assert app.extensions["oms_live"].complaints.escalate_due() == 1
        page.context.clear_cookies()
        _login(page, f"http://127.0.0.1:{port}", "agent1", "/complaints")
        page.wait_for_selector("#complaints tbody .pill.escalated")
    finally:
        http.shutdown()
        thread.join(5)
        app.extensions["oms_live"].store.close()


def test_a_dispatcher_merges_two_outages_from_the_dashboard(server: str, browser: Any,
                                                            network: Network) -> None:
    """Two predicted outages the dispatcher knows are one: from the first one's panel,
    "Merge into" the other (outages of its feeder offered, nearest first); one outage
    is left, over both."""
    desk = browser.new_context(viewport={"width": 1600, "height": 900})
    page = desk.new_page()
    _login(page, server, "disp", "/dispatch")
    page.wait_for_function("document.getElementById('live').classList.contains('on')")
    tree = build_candidates(network, Topology(network))
    below: dict[int, list[str]] = {}
    for i, parent in enumerate(tree.customer_parent.tolist()):
        below.setdefault(parent, []).append(network.customers.ids[i])
    by_feeder: dict[int, list[int]] = {}
    for t in sorted(below, key=lambda t: int(tree.tin[t])):
        if tree.kind[t] == "service_transformer" and len(below[t]) >= 2:
            up = tree.path_up(t)  # nearest first: the feeder is its topmost breaker
            feeder = next((a for a in reversed(up) if tree.kind[a] == "breaker"), up[-1])
            by_feeder.setdefault(feeder, []).append(t)
    # Two far apart on one feeder: two outages, one device (the feeder's) above both.
    pair = next((ts[0], ts[-1]) for ts in by_feeder.values() if len(ts) >= 10)
    for t in pair:
        for customer in below[t][:2]:
            desk.request.post(f"{server}/api/events", data={
                "type": "call", "customer_id": customer, "channel": "ivr"},
                headers={"Authorization": "Bearer ivr-token"})
    page.wait_for_function("document.querySelectorAll('#outages tr[data-id]').length === 2")
    first, other = [r.get_attribute("data-id") for r in page.query_selector_all(
        "#outages tr[data-id]")]
    page.click(f"#outages tr[data-id='{first}']")
    page.select_option("#d-into", other)
    page.click("button[data-a=merge]")
    page.wait_for_function("document.querySelectorAll('#outages tr[data-id]').length === 1")
    [merged] = desk.request.get(f"{server}/api/outages?status=live").json()
    # One outage now, the older's id and start, the other's record merged into it.
    assert merged["customers_out"] >= 4
    assert {first, other} == {merged["id"], *merged["merged_from"]}


TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture
def tiled_server(tmp_path: Path, network: Network) -> Iterator[str]:
    yield from _serve(tmp_path, network, TILE_URL=TILES,
                      TILE_ATTRIBUTION="© OpenStreetMap contributors")


def test_the_maps_lie_on_the_configured_tiles(tiled_server: str, browser: Any) -> None:
    """With a tile server configured, the public map and the control room's map fetch
    their tiles from it (with the page's origin as referrer, as tile servers' usage
    policies ask) and credit it; without one they fetch none (the other tests)."""
    png = (ROOT / "web/static/vendor/leaflet/images/marker-icon.png").read_bytes()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    asked: list[tuple[str, str]] = []

    def tile(route: Any) -> None:
        asked.append((route.request.url, route.request.headers.get("referer", "")))
        route.fulfill(status=200, content_type="image/png", body=png)

    context.route("https://tiles.example.org/**", tile)
    public = context.new_page()
    public.goto(f"{tiled_server}/map")
    public.wait_for_selector(".leaflet-tile-loaded", timeout=5000)
    assert "OpenStreetMap contributors" in public.inner_text(".leaflet-control-attribution")
    assert asked and all(url.endswith(".png") for url, _ in asked)
    assert all(referer == f"{tiled_server}/" for _, referer in asked)
    asked.clear()
    dashboard = context.new_page()
    _login(dashboard, tiled_server, "disp", "/dispatch")
    dashboard.wait_for_selector(".tiles-dark .leaflet-tile-loaded", timeout=5000)
    assert asked


def test_a_dispatchers_etr_is_the_next_such_time_and_can_be_withdrawn(
        server: str, browser: Any) -> None:
    """In the outage panel the dispatcher types a time an hour before now: that is
    tomorrow's (it was today's, already past); "Plan's ETR" withdraws it."""
    desk = browser.new_context(viewport={"width": 1600, "height": 900}, timezone_id="UTC")
    page = desk.new_page()
    _login(page, server, "disp", "/dispatch")
    page.wait_for_function("window.omsState && window.omsState.kpis")
    for customer in ("cust.000001", "cust.000002"):
        desk.request.post(f"{server}/api/events", data={
            "type": "call", "customer_id": customer, "channel": "ivr"},
            headers={"Authorization": "Bearer ivr-token"})
    page.wait_for_selector("#outages tr[data-id]")
    outage_id = page.get_attribute("#outages tr[data-id]", "data-id")
    page.click(f"#outages tr[data-id='{outage_id}']")
    now = datetime.fromisoformat(page.evaluate("window.omsState.kpis.as_of"))
    page.fill("#d-etr", (now - timedelta(hours=1)).strftime("%H:%M"))
    page.click("button[data-a=etr]")
    page.wait_for_selector("button[data-a=release-etr]")
    detail = desk.request.get(f"{server}/api/outages/{outage_id}").json()
    etr = datetime.fromisoformat(detail["etr"])
    assert timedelta(hours=22) < etr - now < timedelta(hours=23, minutes=1)
    page.click("button[data-a=release-etr]")
    page.wait_for_function("!document.querySelector('button[data-a=release-etr]')")
    assert desk.request.get(f"{server}/api/outages/{outage_id}").json()["etr_source"] != \
        "dispatcher"
