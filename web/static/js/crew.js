/* Crew phone view: jobs in order, status buttons, cause and partial restoration, position.
   Works on a flaky connection: every action is queued in localStorage with an idempotency
   key and retried until the server answers, so an action is never lost nor done twice. */
"use strict";
(() => {
  const QKEY = "oms.crew.queue";
  let data = { crew: null, jobs: [] };
  const queue = () => JSON.parse(localStorage.getItem(QKEY) || "[]");
  const saveQueue = (q) => { localStorage.setItem(QKEY, JSON.stringify(q)); showSync(); };
  const key = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2));

  function enqueue(url, body) { const q = queue(); q.push({ key: key(), url, body }); saveQueue(q); flush(); }
  let flushing = false, backoff = 1000;
  async function flush() {
    if (flushing) return; flushing = true;
    try {
      let q = queue();
      while (q.length) {
        const item = q[0];
        let res;
        try {
          res = await fetch(item.url, { method: "POST", credentials: "same-origin", body: JSON.stringify(item.body),
            headers: { "Content-Type": "application/json", "X-CSRF-Token": OMS.csrf(), "Idempotency-Key": item.key } });
        } catch (e) { res = null; }   // offline: keep it, retry later
        if (!res || res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 403 && !(await isFinal(res))) {
          setTimeout(flush, backoff); backoff = Math.min(backoff * 2, 30000); return;
        }
        backoff = 1000;
        if (!res.ok) { const err = await res.json().catch(() => ({})); OMS.toast("Not accepted: " + (err.error || res.status), true); }
        q = queue(); q.shift(); saveQueue(q);
      }
      load();
    } finally { flushing = false; }
  }
  async function isFinal(res) { const e = await res.clone().json().catch(() => ({})); return !/CSRF/.test(e.error || ""); }
  function showSync() {
    const n = queue().length, el = document.getElementById("sync");
    el.textContent = n ? `${n} action${n > 1 ? "s" : ""} waiting to send…` : navigator.onLine ? "online · all sent" : "offline";
  }
  window.addEventListener("online", flush);

  function act(job, status, extra) {
    // When it was done, not when it reached the server: a restoration sent after an hour
    // without signal restored its customers an hour earlier.
    enqueue("/api/crew/status", Object.assign({ outage_id: job, status, at: new Date().toISOString() }, extra || {}));
    // Optimistic: show the new state at once; the server's answer follows on the socket.
    if (status === "restored") data.jobs = data.jobs.filter((j) => j.id !== job);
    else { const j = data.jobs.find((x) => x.id === job); if (j) j.stage = status; if (data.crew) { data.crew.status = status; data.crew.job = job; } }
    render();
  }

  function render() {
    const c = data.crew;
    if (c) {
      document.getElementById("crew-name").textContent = c.name;
      document.getElementById("crew-status").textContent = OMS.label(c.status);
    }
    const el = document.getElementById("jobs");
    if (!data.jobs.length) { el.innerHTML = '<p class="empty">No jobs for you right now.<br>Stand by.</p>'; return; }
    // An update (plan, socket) must not close a restore form the crew is filling in.
    const kept = {};
    el.querySelectorAll(".restore-form.open").forEach((f) => {
      kept[f.closest(".job").dataset.job] = { cause: f.cause.value, partial: f.partial.checked, device: f.device.value };
    });
    el.innerHTML = data.jobs.map((j, i) => `
      <article class="job ${i === 0 ? "current" : ""}" data-job="${j.id}">
        <div class="top"><div class="order">${j.order}</div><div><h2>${OMS.esc(j.address || j.device_id)}</h2>
          <span class="muted">${j.id} · ${OMS.esc(j.device_id)} (${OMS.label(j.device_kind)})</span></div></div>
        ${j.hazards.length ? `<div class="hazard">⚠ Hazard reported: ${j.hazards.map(OMS.label).join(", ")}</div>` : ""}
        <div class="facts"><span><b>${j.customers_out}</b> ${j.customers_out === 1 ? "customer" : "customers"}</span>
          ${j.critical_out ? `<span class="crit"><b>${j.critical_out}</b> critical</span>` : ""}
          <span>status <b style="font-size:15px">${OMS.label(j.stage)}</b></span>${j.eta && j.stage !== "on_site" ? `<span>ETA <b>${OMS.hhmm(j.eta)}</b></span>` : ""}</div>
        ${j.navigate ? `<a class="nav" href="${j.navigate}">Navigate ➜</a>` : ""}
        ${j.stage === "en_route" || j.stage === "on_site" ? `<div class="etr-row"><span>Customers told: power back by
          <b>${OMS.hhmm(j.etr)}</b>${j.etr_source === "crew" ? " (yours)" : ""}</span>
          <span class="muted">Power back in</span>${[30, 60, 120, 240].map((m) =>
            `<button type="button" class="etr-in" data-min="${m}">${m < 60 ? m + " min" : m / 60 + " h"}</button>`).join("")}</div>` : ""}
        <div class="actions4">
          <button class="a-en_route" data-s="en_route" ${j.stage === "en_route" ? "disabled" : ""}>En route</button>
          <button class="a-on_site" data-s="on_site" ${j.stage === "on_site" ? "disabled" : ""}>On site</button>
          <button class="a-restored" data-s="restore-form">Restored</button>
          <button class="a-need_help" data-s="need_help">Need help</button>
        </div>
        <form class="restore-form">
          <label>Cause <select name="cause"><option>tree contact</option><option>lightning</option><option>equipment failure</option>
            <option>wind</option><option>vehicle</option><option>animal</option><option>unknown</option></select></label>
          <label><input type="checkbox" name="partial">Partial restoration (section isolated)</label>
          <label class="partial-dev hidden">Isolating device (left open) <input type="text" name="device" placeholder="e.g. fuse.s1f2l3"></label>
          <button type="submit" class="btn primary big">Confirm power restored</button>
        </form>
      </article>`).join("");
    for (const [job, v] of Object.entries(kept)) {
      const f = el.querySelector(`article[data-job="${CSS.escape(job)}"] .restore-form`);
      if (!f) continue;
      f.classList.add("open"); f.cause.value = v.cause; f.partial.checked = v.partial; f.device.value = v.device;
      f.querySelector(".partial-dev").classList.toggle("hidden", !v.partial);
    }
  }
  document.getElementById("jobs").addEventListener("click", (e) => {
    const etr = e.target.closest("button[data-min]");
    if (etr) {  // the crew says when the power will be back: its customers are told
      const job = etr.closest(".job").dataset.job, when = new Date(Date.now() + 60000 * +etr.dataset.min).toISOString();
      enqueue("/api/crew/etr", { outage_id: job, etr: when });
      const j = data.jobs.find((x) => x.id === job); if (j) { j.etr = when; j.etr_source = "crew"; }
      render(); return;
    }
    const b = e.target.closest("button[data-s]"); if (!b) return;
    const job = b.closest(".job").dataset.job;
    if (b.dataset.s === "restore-form") { b.closest(".job").querySelector(".restore-form").classList.toggle("open"); return; }
    act(job, b.dataset.s);
  });
  document.getElementById("jobs").addEventListener("change", (e) => {
    if (e.target.name === "partial") e.target.closest("form").querySelector(".partial-dev").classList.toggle("hidden", !e.target.checked);
  });
  document.getElementById("jobs").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = e.target, job = f.closest(".job").dataset.job, extra = { cause: f.cause.value };
    if (f.partial.checked && f.device.value.trim()) extra.partial = { device_id: f.device.value.trim() };
    act(job, "restored", extra);
  });

  async function load() { try { data = await OMS.api("GET", "/api/crew/jobs"); render(); } catch (e) { showSync(); } }
  const socket = io({ transports: ["websocket", "polling"] });
  socket.on("jobs", (d) => { if (!queue().length) { data = d; render(); } });
  socket.on("connect", () => { flush(); showSync(); });

  // Position every 30 s when the phone will tell us (queued like any action).
  function post(pos) { enqueue("/api/crew/position", { lon: pos.coords.longitude, lat: pos.coords.latitude }); }
  if (navigator.geolocation) setInterval(() => navigator.geolocation.getCurrentPosition(post, () => {}, { maximumAge: 20000 }), 30000);
  load(); flush(); showSync();
})();
