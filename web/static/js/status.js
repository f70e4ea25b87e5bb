/* Customer status page: look up, see my outage live, report it, subscribe, complain. */
"use strict";
(() => {
  let token = null, socket = null, tab = "account";
  const $ = (id) => document.getElementById(id);
  document.querySelector(".tabs").addEventListener("click", (e) => {
    const t = e.target.dataset.tab; if (!t) return; tab = t;
    document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("on", b.dataset.tab === t));
    document.querySelectorAll(".t-account").forEach((el) => el.classList.toggle("hidden", t !== "account"));
    document.querySelectorAll(".t-phone").forEach((el) => el.classList.toggle("hidden", t !== "phone"));
  });

  function show(s) {
    const off = s.power === "off", unsure = s.power === "unknown", o = s.outage;
    $("result").classList.remove("hidden"); $("report-card").classList.remove("hidden"); $("sub-card").classList.remove("hidden");
    $("s-icon").className = "status-icon " + (off ? "off" : unsure ? "unknown" : "on");
    $("s-icon").textContent = off ? "✕" : unsure ? "!" : "✓";
    $("s-title").textContent = off ? "Power outage at your address" : unsure ? "We are checking your supply"
      : (s.restored_at ? "Power restored" : "Your power is on");
    $("s-street").textContent = s.street;
    $("s-facts").innerHTML = off ? `
      <div><small>Since</small><b>${OMS.hhmm(o.since)}</b></div>
      <div><small>Customers affected</small><b>${o.customers_affected}</b></div>
      <div><small>Estimated restoration</small><b>${OMS.hhmm(o.etr)}</b>${o.etr_by ? `<small class="by">${OMS.esc(o.etr_by)}</small>` : ""}</div>
      <div><small>Crew</small><b>${OMS.esc(o.crew_status)}${o.crew_eta ? " · ETA " + OMS.hhmm(o.crew_eta) : ""}</b></div>
      <div style="grid-column:1/3"><small>Status</small><b>${OMS.esc(o.status)}</b></div>
      ${o.cause ? `<div style="grid-column:1/3"><small>Cause</small><b>${OMS.esc(o.cause)}</b></div>` : ""}`
      : unsure ? `<div><small>Reported at</small><b>${OMS.hhmm(s.reported_at)}</b></div><div style="grid-column:1/3"><small>Status</small><b>${OMS.esc(s.status)}</b></div>`
      : s.restored_at ? `<div><small>Restored at</small><b>${OMS.hhmm(s.restored_at)}</b></div><div><small>Status</small><b>${OMS.esc(s.status)}</b></div>`
      : `<div style="grid-column:1/3"><small>Status</small><b>${OMS.esc(s.status)}</b></div>`;
    $("report-btn").textContent = off || unsure ? "Add a report (hazard or details)" : "Report my outage";
  }

  function watch() {
    if (!socket) {
      socket = io({ transports: ["websocket", "polling"] });
      socket.on("connect", () => token && socket.emit("watch", { token }));
      socket.on("status", (s) => show(s));
    } else if (socket.connected) socket.emit("watch", { token });
  }

  $("lookup").addEventListener("submit", async (e) => {
    e.preventDefault(); $("lookup-error").textContent = "";
    try {
      const s = tab === "account"
        ? await OMS.api("GET", `/api/customers/${encodeURIComponent($("account").value.trim())}/status`)
        : await OMS.api("GET", `/api/customers/lookup?phone=${encodeURIComponent($("phone").value)}&postcode=${encodeURIComponent($("postcode").value)}`);
      token = s.token; show(s); watch(); mine(s.complaints || []);
      $("c-account-label").classList.add("hidden");  // the lookup says who is complaining
    } catch (err) { $("lookup-error").textContent = err.message; }
  });
  $("report").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { token, text: $("text").value };
    if ($("hazard").value) body.hazard = $("hazard").value;
    try {
      const r = await OMS.api("POST", "/api/customers/report", body, { "Idempotency-Key": String(Date.now()) });
      show(r.status); $("s-note").textContent = "Thank you — your report is in (reference #" + r.seq + ")."; $("s-note").classList.remove("hidden");
    } catch (err) { OMS.toast(err.message, true); }
  });
  $("subscribe").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await OMS.api("POST", "/api/customers/subscribe", { token, channel: $("channel").value, contact: $("contact").value });
      OMS.toast("We'll keep you posted.");
    } catch (err) { OMS.toast(err.message, true); }
  });
  // The account's complaints: where each stands and the day of its answer.
  let myComplaints = [];
  function mine(list) {
    myComplaints = list;
    const STATUS = { received: "received", acknowledged: "being handled", resolved: "answered" };
    $("c-mine").innerHTML = list.map((c) => `<li><b>${OMS.esc(c.reference)}</b> · ${OMS.esc(c.category)},
      ${OMS.esc(c.department)} · ${STATUS[c.status] || OMS.esc(c.status)}${c.resolved ? ""
        : " · answer by " + OMS.day(c.resolve_by_day, true)}</li>`).join("");
    $("c-mine").classList.toggle("hidden", !list.length);
  }

  $("complaint").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { text: $("c-text").value };
    if ($("c-category").value) body.category = $("c-category").value;
    if (token) body.token = token;
    else if ($("c-account").value.trim()) body.account = $("c-account").value.trim();
    if ($("c-contact").value.trim()) body.contact = { channel: $("c-channel").value, address: $("c-contact").value.trim() };
    try {
      const c = await OMS.api("POST", "/api/complaints", body, { "Idempotency-Key": "c" + Date.now() });
      const day = OMS.day(c.resolve_by_day, true);
      $("c-done").textContent = `Thank you — your complaint is ${c.reference} (${c.category}, for our ${c.department} team). ` +
        `Someone will take it up by ${OMS.hhmm(c.acknowledge_by)}, and you will have our answer by ${day}.`;
      $("c-done").classList.remove("hidden"); $("c-text").value = "";
      if (token) mine([{ ...c, status: "received" }, ...myComplaints]);
    } catch (err) { OMS.toast(err.message, true); }
  });
})();
