/* Dispatcher dashboard: live map, outage list, plan, KPIs, restoration curve (Socket.IO). */
"use strict";
(() => {
  const map = omsMap("map");
  const state = { outages: new Map(), crews: [], plan: null, kpis: null, sort: "customers", selected: null,
    branchLayer: {}, feederColor: {} };
  const FEEDER = ["#4d6a8f", "#52708a", "#5a6a99", "#4a7a86", "#61708f", "#557391", "#4f6f9a", "#5c7486"];
  const dead = L.layerGroup().addTo(map), outLayer = L.layerGroup().addTo(map), crewLayer = L.layerGroup().addTo(map),
    routeLayer = L.layerGroup().addTo(map), hazLayer = L.layerGroup().addTo(map), reportLayer = L.layerGroup().addTo(map);
  let network = null;

  fetch("/api/network.geojson", { credentials: "same-origin" }).then((r) => r.json()).then((gj) => {
    network = gj;
    const feeders = [...new Set(gj.features.map((f) => f.properties.feeder).filter(Boolean))].sort();
    feeders.forEach((f, i) => (state.feederColor[f] = FEEDER[i % FEEDER.length]));
    const drawn = L.geoJSON(gj, {
      filter: (f) => f.properties.layer === "branch" || f.properties.layer === "source",
      style: (f) => ({ color: state.feederColor[f.properties.feeder] || "#4d6a8f",
        weight: f.properties.kind === "service_transformer" ? 1 : 2.2, opacity: 0.9 }),
      pointToLayer: (f, ll) => L.marker(ll, { icon: L.divIcon({ className: "sub-icon", iconSize: [14, 14] }) })
        .bindTooltip("Substation " + f.properties.substation),
      onEachFeature: (f, layer) => { if (f.properties.layer === "branch") state.branchLayer[f.properties.i] = f; },
    }).addTo(map);
    omsFit(map, drawn.getBounds());
    drawDead();
  });

  function drawDead() {
    dead.clearLayers();
    if (!network) return;
    for (const o of state.outages.values()) {
      if (!o.active) continue;
      const lines = o.branches.map((i) => state.branchLayer[i]).filter(Boolean)
        .map((f) => f.geometry.coordinates.map(([x, y]) => [y, x]));
      if (lines.length) L.polyline(lines, { color: "#ff4d4f", weight: 3.5, opacity: 0.9, interactive: false }).addTo(dead);
    }
  }

  function drawOutages() {
    outLayer.clearLayers(); hazLayer.clearLayers();
    for (const o of state.outages.values()) {
      if (!o.active || !o.location) continue;
      const ll = [o.location.lat, o.location.lon];
      const color = { predicted: "#ffd166", confirmed: "#ff8c42", assigned: "#7cc4ff", en_route: "#3aa0ff", on_site: "#2ecc71" }[o.stage] || "#ff8c42";
      const c = L.circleMarker(ll, { radius: 6 + 2.2 * Math.sqrt(o.customers_out), color, weight: 2,
        fillColor: color, fillOpacity: 0.15 + 0.45 * o.confidence, dashArray: o.stage === "predicted" ? "4 3" : null })
        .on("click", () => select(o.id)).addTo(outLayer);
      c.bindTooltip(o.id + " · " + o.customers_out, { permanent: o.customers_out >= 100, direction: "top", className: "olabel" });
      if (o.hazards.length) L.marker(ll, { icon: L.divIcon({ className: "haz-icon", html: "⚠", iconSize: [20, 20], iconAnchor: [-4, 22] }) })
        .bindTooltip("Hazard: " + o.hazards.join(", ")).addTo(hazLayer);
    }
  }

  // Reports no outage explains (a lone call or last gasp, a wire down with the power
  // on; a meter silent since its area came back only beside one of those): small markers, re-read when their count
  // changes and every 30 s (their ages change even when the count does not).
  let reportsSeen = -1, reportsRead = 0, reportOpen = false;
  async function readReports(count) {
    if (reportOpen) return;  // redrawing would close the popup the dispatcher is using
    if (count === reportsSeen && Date.now() - reportsRead < 30000) return;
    reportsSeen = count; reportsRead = Date.now();
    const data = await OMS.api("GET", "/api/reports").catch(() => null);
    if (!data) return;
    state.reports = data.reports; reportLayer.clearLayers();
    for (const r of data.reports) {
      if (!r.location) continue;
      const what = [r.called && "call", r.last_gasp && "last gasp", r.silent && "meter silent since restoration"]
        .filter(Boolean).join(" + ");
      const text = `${[r.customer_id, r.address].filter(Boolean).map(OMS.esc).join(" · ")}<br>${what} since ${OMS.hhmm(r.since)}` +
        (r.hazards.length ? `<br><b>Hazard: ${OMS.esc(r.hazards.join(", "))}</b>` : "") + "<br>not in any predicted outage";
      L.marker([r.location.lat, r.location.lon], { icon: L.divIcon({ className: "report-icon" + (r.hazards.length ? " haz" : ""),
        html: r.hazards.length ? "⚠" : "?", iconSize: [16, 16] }) })
        .bindTooltip(text)
        .bindPopup(`${text}<div class="actions"><button class="btn clear-report" data-customer="${OMS.esc(r.customer_id)}">` +
          "Checked: no outage</button>" + (r.device ? ` <button class="btn open-device" data-device="${OMS.esc(r.device.id)}">` +
          `Outage at ${OMS.esc(r.device.id)} (${r.device.customers})</button>` : "") + "</div>")
        .on("popupopen", (e) => { reportOpen = true; e.target.closeTooltip(); })
        .on("popupclose", () => { reportOpen = false; })
        .addTo(reportLayer);
    }
  }

  // The desk checked a report (a callback, a visit) and found no outage: it goes.
  // Or it confirmed an outage at the device above the customer: a crew's "open" for it.
  document.getElementById("map").addEventListener("click", async (e) => {
    const { customer, device } = e.target.dataset || {}; if (!customer && !device) return;
    const id = customer || device;
    try {
      if (customer) await OMS.api("POST", "/api/reports/clear", { customer_ids: [customer] },
        { "Idempotency-Key": "clear-" + customer + "-" + Date.now() });
      else await OMS.api("POST", "/api/events", { type: "device", device_id: device, state: "open", source: "crew" },
        { "Idempotency-Key": "open-" + device + "-" + Date.now() });
      map.closePopup(); reportsSeen = -1; OMS.toast(customer ? `${id}: report cleared` : `${id}: outage recorded`);
    } catch (err) { OMS.toast(`${id}: ${err.message}`, true); }
  });

  function drawCrews() {
    crewLayer.clearLayers(); routeLayer.clearLayers();
    for (const c of state.crews) {
      if (c.path && c.path.length > 1)
        L.polyline(c.path.map(([x, y]) => [y, x]), { color: "#3aa0ff", weight: 3, dashArray: "6 6", opacity: 0.9 }).addTo(routeLayer);
      L.marker([c.lat, c.lon], { icon: L.divIcon({ className: "crew-icon " + c.status, html: c.id, iconSize: [28, 20] }) })
        .bindTooltip(c.name + " · " + OMS.label(c.status) + (c.job ? " · " + c.job : "")).addTo(crewLayer);
    }
  }

  const SORTS = {
    customers: (a, b) => b.customers_out - a.customers_out, critical: (a, b) => b.critical_out - a.critical_out || b.customers_out - a.customers_out,
    age: (a, b) => a.started.localeCompare(b.started), etr: (a, b) => (a.etr || "9").localeCompare(b.etr || "9"),
    id: (a, b) => a.id.localeCompare(b.id), stage: (a, b) => a.stage.localeCompare(b.stage),
  };
  // Live, nobody on site, first reported longer ago than the response target.
  const overdue = (o, now) => state.kpis && o.active && !o.arrived &&
    new Date(now) - new Date(o.first_report) > state.kpis.response.target_minutes * 60000;
  function drawTable() {
    const now = state.kpis && state.kpis.as_of;
    const rows = [...state.outages.values()].filter((o) => o.active).sort(SORTS[state.sort]);
    document.getElementById("o-count").textContent = rows.length + " live";
    document.querySelector("#outages tbody").innerHTML = rows.map((o) => `
      <tr data-id="${o.id}" class="${o.id === state.selected ? "sel" : ""}">
        <td><b>${o.id}</b>${o.hazards.length ? ' <span class="haz" title="hazard">⚠</span>' : ""}</td>
        <td><span class="pill st-${o.stage}">${OMS.label(o.stage)}</span></td>
        <td class="num">${o.customers_out}</td><td class="num ${o.critical_out ? "crit" : ""}">${o.critical_out || ""}</td>
        <td class="${overdue(o, now) ? "crit" : ""}">${OMS.ago(o.started, now)}</td><td>${OMS.hhmm(o.etr)}</td>
        <td>${o.crew_id || (o.planned_crew ? '<span class="muted">' + o.planned_crew + "</span>" : "—")}</td>
        <td><span class="conf"><i style="width:${Math.round(o.confidence * 100)}%"></i></span></td></tr>`).join("");
    document.querySelectorAll("#outages th").forEach((th) => th.classList.toggle("sorted", th.dataset.k === state.sort));
  }
  document.querySelector("#outages thead").addEventListener("click", (e) => {
    const k = e.target.dataset.k; if (k) { state.sort = k; drawTable(); }
  });
  document.querySelector("#outages tbody").addEventListener("click", (e) => {
    const tr = e.target.closest("tr"); if (tr) select(tr.dataset.id, true);
  });

  function drawPlan() {
    const p = state.plan, byCrew = {};
    if (p) p.visits.forEach((v) => (byCrew[v.crew] = byCrew[v.crew] || []).push(v));
    document.getElementById("plan-info").textContent = p && p.planned_at
      ? `planned ${OMS.hhmm(p.planned_at)} · ${p.visits.length} jobs · ${p.dropped.length} unassigned` : "no plan yet";
    document.getElementById("plan").innerHTML = state.crews.map((c) => {
      const visits = byCrew[c.id] || [];
      return `<div class="crew-plan"><div class="head"><b>${OMS.esc(c.name)}</b>
        <span class="pill st-${c.status}">${OMS.label(c.status)}</span><span class="muted">${OMS.esc(c.kind)}</span>
        <span class="muted" style="margin-left:auto">${c.job ? "on " + c.job : ""}</span></div>
        <div class="route">${visits.length ? visits.map((v) => `<b>${v.job}</b> ${OMS.hhmm(v.start)}`).join(" → ") : "idle"}</div></div>`;
    }).join("") + (p && p.dropped.length ? `<div class="crew-plan"><b>Unassigned</b> <span class="muted">${p.dropped.length}</span>
      <div class="route wrap">${unassigned(p.dropped)}</div></div>` : "");
  }

  // The jobs no crew can take, grouped by why ("no crews on the roster": all of them).
  function unassigned(dropped) {
    const byReason = new Map();
    dropped.forEach((d) => byReason.set(d.reason, [...(byReason.get(d.reason) || []), d.job]));
    return [...byReason].map(([reason, jobs]) => `${OMS.esc(reason)}: ${jobs.slice(0, 12).join(", ")}` +
      (jobs.length > 12 ? ` and ${jobs.length - 12} more` : "")).join("<br>");
  }

  function drawKpis() {
    const k = state.kpis; if (!k) return;
    document.getElementById("clock").textContent = new Date(k.as_of).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
    const out = document.getElementById("k-out"); out.textContent = k.customers_out.toLocaleString(); out.className = "v " + (k.customers_out ? "bad" : "ok");
    document.getElementById("k-out-pct").textContent = (100 * k.customers_out / k.customers_served).toFixed(1) + " % of " + k.customers_served.toLocaleString() +
      (k.restored_by ? " · 90 % back by " + OMS.hhmm(k.restored_by) : "");
    const crit = document.getElementById("k-crit"); crit.textContent = k.critical_out; crit.className = "v " + (k.critical_out ? "bad" : "ok");
    document.getElementById("k-calls").textContent = k.calls_last_hour;
    document.getElementById("k-open").innerHTML = k.open_reports
      ? k.open_reports.toLocaleString() + " not in an outage" +
        (k.open_hazards ? ` · <b class="crit">${k.open_hazards} ⚠</b>` : "") : "all channels";
    readReports(k.open_reports);
    // The outages the reports imply, reported or not: a storm's scale before it is all on the board.
    const live = document.getElementById("k-live"), more = k.outages_implied > k.outages_live + 1;
    live.title = more ? "Outages the reports imply are going on, reported or not" : "";
    live.textContent = k.outages_live + " live" + (more ? ` · about ${k.outages_implied} going on` : "") +
      (k.engine_faults ? ` · ${k.engine_faults} event(s) failed: see the server log` : "");
    const order = ["predicted", "confirmed", "assigned", "en_route", "on_site", "restored"];
    const late = k.response.overdue.length, hours = k.response.target_minutes / 60;
    document.getElementById("k-stages").innerHTML = order.filter((s) => k.by_stage[s])
      .map((s) => `<span class="pill st-${s}">${OMS.label(s)} ${k.by_stage[s]}</span>`).join("") +
      // The response target: a crew on site within two hours of the first report.
      (late ? `<span class="pill overdue" title="Reported over ${hours} h ago, no crew on site yet">` +
              `${late} waiting &gt; ${hours} h</span>` : "");
    const r = k.reliability, asai = document.getElementById("k-asai");
    asai.textContent = (100 * r.asai_ytd).toFixed(3) + " %"; asai.className = "v " + (r.asai_ytd >= r.target_asai ? "ok" : "bad");
    const answered = k.response.share_within;  // a crew on site within 2 h, last 30 days
    const kept = k.etrs.share_kept;  // restored by the ETR customers were told, 30 days
    // Lines break between the parts, never inside one ("… on site in 2" / "h").
    document.getElementById("k-asai-t").textContent = ["target " + (100 * r.target_asai).toFixed(1) + " %",
      "SAIDI " + r.saidi_ytd.toFixed(0) + " min",
      ...(answered === null ? [] : [`${Math.round(100 * answered)} % on site in ${k.response.target_minutes / 60} h`]),
      ...(kept === null ? [] : [`${Math.round(100 * kept)} % ETRs kept`])]
      .map((part) => part.replace(/ /g, "\u00a0")).join(" · ");
    // Complaints nobody has taken up within the hour, or past their answer's day: the
    // control room, staffed around the clock, sees them when the desk is not there.
    const c = k.complaints, behind = c.awaiting_acknowledgement.length + c.overdue.length;
    const link = document.getElementById("k-complaints");
    link.textContent = behind ? `Complaints · ${behind} late` : "Complaints";
    link.classList.toggle("overdue", behind > 0);
    link.title = behind ? `${c.awaiting_acknowledgement.length} not taken up within the hour, ` +
      `${c.overdue.length} past their answer's day` : `${c.open} open`;
    const used = 100 * r.budget_used_fraction, b = document.getElementById("k-budget");
    b.textContent = used.toFixed(1) + " %"; b.className = "v " + (used > 100 ? "bad" : r.burn_ratio > 1 ? "warn" : "ok");
    document.getElementById("k-budget-bar").style.width = Math.min(100, used) + "%";
    drawCurve(k.curve);
  }

  function drawCurve(points) {
    const svg = document.getElementById("curve"), w = svg.clientWidth || 460, h = svg.clientHeight || 130;
    if (!points || points.length < 1) { svg.innerHTML = ""; return; }
    const t = points.map((p) => new Date(p[0]).getTime()), v = points.map((p) => p[1]);
    const t0 = t[0], t1 = Math.max(t[t.length - 1], t0 + 60000), vmax = Math.max(10, ...v);
    const X = (x) => 34 + (w - 44) * (x - t0) / (t1 - t0), Y = (y) => h - 18 - (h - 28) * y / vmax;
    let d = `M${X(t[0])},${Y(0)}`;
    for (let i = 0; i < t.length; i++) { if (i) d += `L${X(t[i])},${Y(v[i - 1])}`; d += `L${X(t[i])},${Y(v[i])}`; }
    d += `L${X(t1)},${Y(v[v.length - 1])}`;
    const grid = [0, 0.5, 1].map((f) => `<line x1="34" x2="${w - 10}" y1="${Y(vmax * f)}" y2="${Y(vmax * f)}" stroke="#24324a"/>
      <text x="30" y="${Y(vmax * f) + 4}" fill="#8a9ab3" font-size="10" text-anchor="end">${Math.round(vmax * f)}</text>`).join("");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.innerHTML = grid + `<path d="${d}L${X(t1)},${Y(0)}Z" fill="rgba(255,77,79,.18)"/><path d="${d}" fill="none" stroke="#ff4d4f" stroke-width="2"/>
      <text x="34" y="${h - 4}" fill="#8a9ab3" font-size="10">${OMS.hhmm(points[0][0])}</text>
      <text x="${w - 10}" y="${h - 4}" fill="#8a9ab3" font-size="10" text-anchor="end">${OMS.hhmm(points[points.length - 1][0])}</text>`;
    document.getElementById("curve-max").textContent = "peak " + Math.max(...v).toLocaleString();
  }

  // The "Why" of the selected outage: written by the engine when read, so fetched again
  // only when what it rests on has moved (not at every redraw of a busy storm).
  const why = { id: null, key: null, text: "" };
  async function loadWhy(o) {
    const key = [o.device_id, o.stage, o.calls, o.gasps, o.customers_out, o.confidence, o.restored].join("|");
    if (why.id === o.id && why.key === key) return;
    if (why.id !== o.id) why.text = "…";
    why.id = o.id; why.key = key;
    let text;
    try { text = (await OMS.api("GET", `/api/outages/${o.id}`)).explanation; } catch (err) { text = ""; }
    if (why.id !== o.id || why.key !== key) return;  // a newer request has taken over
    why.text = text || "—";
    const el = document.getElementById("d-why");
    if (el && state.selected === o.id) el.textContent = why.text;
  }

  function select(id, pan) {
    state.selected = id; drawTable();
    const o = state.outages.get(id), el = document.getElementById("detail");
    if (!o) { el.classList.add("hidden"); return; }
    if (pan && o.location) map.panTo([o.location.lat, o.location.lon]);
    const targets = mergeTargets(o);
    el.classList.remove("hidden");
    el.innerHTML = `<h3>${o.id} <span class="pill st-${o.stage}">${OMS.label(o.stage)}</span>
      <button class="btn" style="float:right" data-a="close">✕</button></h3>
      <div class="kv"><span>Device</span><span>${OMS.esc(o.device_id)} (${OMS.label(o.device_kind)})</span>
      <span>Feeder</span><span>${OMS.esc(o.feeder)}</span><span>Where</span><span>${OMS.esc(o.address)}</span>
      <span>Customers</span><span>${o.customers_out} out${o.critical_out ? ` · <b class="crit">${o.critical_out} critical</b>` : ""}</span>
      <span>Evidence</span><span>${OMS.count(o.calls, "call")} · ${OMS.count(o.gasps, "last gasp")} · conf. ${OMS.percent(o.confidence)}</span>
      <span>Started</span><span>${OMS.hhmm(o.started)}</span><span>ETR</span><span>${OMS.hhmm(o.etr)} (${OMS.esc(o.etr_source)})</span>
      <span>Crew</span><span>${o.crew_id || "—"}${o.crew_eta ? " · ETA " + OMS.hhmm(o.crew_eta) : ""}</span>
      <span>Hazards</span><span class="haz">${o.hazards.join(", ") || "—"}</span>
      <span>Why</span><span id="d-why" class="muted" style="white-space:normal">${OMS.esc(why.id === o.id ? why.text : "…")}</span></div>
      <div class="actions"><button class="btn" data-a="confirm">Confirm</button><button class="btn" data-a="cancel">Cancel</button>
      <select id="d-crew">${state.crews.map((c) => `<option>${c.id}</option>`).join("")}</select>
      <button class="btn primary" data-a="assign">Assign</button>
      <input id="d-etr" type="time"><button class="btn" data-a="etr">Set ETR</button>
      ${o.etr_source === "dispatcher" ? '<button class="btn" data-a="release-etr" title="Withdraw this ETR: the plan\'s (its crew\'s finish) again">Plan\'s ETR</button>' : ""}
      ${targets.length ? `<select id="d-into" title="Another outage these customers belong to">
        ${targets.map((t) => `<option value="${t.id}">${t.id} · ${t.customers_out} cust.</option>`).join("")}</select>
        <button class="btn" data-a="merge">Merge into</button>` : ""}</div>`;
    loadWhy(o);
  }
  // The live outages this one could be part of: on its feeder (a device above both can
  // be open), nearest first.
  function mergeTargets(o) {
    const far = (t) => (o.location && t.location
      ? Math.hypot(t.location.lon - o.location.lon, t.location.lat - o.location.lat) : 0);
    return [...state.outages.values()].filter((t) => t.active && t.id !== o.id && t.feeder === o.feeder)
      .sort((a, b) => far(a) - far(b)).slice(0, 15);
  }
  document.getElementById("detail").addEventListener("click", async (e) => {
    const a = e.target.dataset.a, id = state.selected; if (!a) return;
    if (a === "close") { state.selected = null; document.getElementById("detail").classList.add("hidden"); drawTable(); return; }
    try {
      if (a === "assign") await OMS.api("POST", `/api/jobs/${id}/assign`, { crew_id: document.getElementById("d-crew").value });
      else if (a === "merge") await OMS.api("POST", `/api/outages/${id}/merge`, { target: document.getElementById("d-into").value });
      else if (a === "etr") {
        const [h, m] = document.getElementById("d-etr").value.split(":"); const now = new Date(state.kpis.as_of), d = new Date(now);
        d.setHours(+h, +m, 0, 0);
        if (d < now) d.setDate(d.getDate() + 1);  // 01:30 set at 22:00 is tomorrow's
        await OMS.api("POST", `/api/outages/${id}/etr`, { etr: d.toISOString() });
      } else if (a === "release-etr") await OMS.api("DELETE", `/api/outages/${id}/etr`);
      else await OMS.api("POST", `/api/outages/${id}/${a}`);
      OMS.toast(`${id}: ${a} done`);
    } catch (err) { OMS.toast(`${id}: ${err.message}`, true); }
  });

  const crewForm = document.getElementById("crew-form"), addCrew = document.getElementById("add-crew");
  if (addCrew) addCrew.addEventListener("click", () => crewForm.classList.remove("hidden"));
  document.getElementById("crew-close").addEventListener("click", () => crewForm.classList.add("hidden"));
  crewForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = (id) => document.getElementById(id).value.trim(), centre = map.getCenter();
    try {
      const crew = await OMS.api("POST", "/api/crews", { id: v("c-id"), name: v("c-name") || v("c-id"), kind: v("c-kind"),
        skills: v("c-skills").split(",").map((s) => s.trim()).filter(Boolean), position: { lon: centre.lng, lat: centre.lat } },
        { "Idempotency-Key": "crew-" + Date.now() });
      OMS.toast(`${crew.name} is on the roster.`); crewForm.reset(); crewForm.classList.add("hidden");
    } catch (err) { OMS.toast(err.message, true); }
  });

  let pending = false;
  function redraw() {
    if (pending) return; pending = true;
    requestAnimationFrame(() => { pending = false; drawDead(); drawOutages(); drawTable(); if (state.selected) select(state.selected); });
  }
  const socket = io({ transports: ["websocket", "polling"] });
  socket.on("connect", () => document.getElementById("live").classList.add("on"));
  socket.on("disconnect", () => document.getElementById("live").classList.remove("on"));
  socket.on("outages", (list) => { list.forEach((o) => state.outages.set(o.id, o)); window.omsLastUpdate = Date.now(); redraw(); });
  socket.on("crews", (crews) => { state.crews = crews; drawCrews(); drawPlan(); });
  socket.on("plan", (plan) => { state.plan = plan; drawPlan(); drawTable(); });
  socket.on("kpis", (k) => { state.kpis = k; drawKpis(); drawTable(); });
  window.omsState = state;
})();
