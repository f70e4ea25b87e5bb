/* Complaints desk: the register with its clocks, one complaint's history and actions,
   a complaint taken by phone or at the hall. Live over Socket.IO; the clocks tick. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { list: [], selected: null, departments: [], categories: [] };
  const when = (iso) => iso ? new Date(iso).toLocaleString(undefined,
    { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false }) : "—";
  const pct = (x) => (x == null ? "—" : Math.round(100 * x) + " %");

  async function load() {
    const q = new URLSearchParams({ status: $("f-status").value });
    if ($("f-dept").value) q.set("department", $("f-dept").value);
    const [data, kpis, said] = await Promise.all([OMS.api("GET", "/api/complaints?" + q),
      OMS.api("GET", "/api/complaints/summary").catch(() => null),
      OMS.api("GET", "/api/outbox/replies?limit=8").catch(() => null)]);
    if (said) showReplies(said.replies);
    if (!state.departments.length) {
      state.departments = data.departments; state.categories = data.categories;
      $("f-dept").insertAdjacentHTML("beforeend", data.departments.map((d) =>
        `<option>${OMS.esc(d)}</option>`).join(""));
      $("n-category").insertAdjacentHTML("beforeend", data.categories.map((c) =>
        `<option value="${c}">${c}</option>`).join(""));
    }
    state.list = data.complaints;
    if (kpis) showKpis(kpis);
    render();
    showSelected();
  }

  function showKpis(k) {
    $("k-open").textContent = k.open;
    $("k-waiting").textContent = k.awaiting_acknowledgement.length;
    $("k-waiting").className = k.awaiting_acknowledgement.length ? "bad" : "";
    $("k-overdue").textContent = k.overdue.length;
    $("k-overdue").className = k.overdue.length ? "bad" : "";
    $("k-ack").textContent = pct(k.acknowledged_in_time);
    $("k-res").textContent = pct(k.resolved_in_time);
    const sat = k.satisfaction;
    $("k-rating").textContent = sat.mean == null ? "—" : sat.mean.toFixed(1) + " (" + OMS.count(sat.ratings, "rating") + ")";
  }

  function showReplies(replies) {
    $("replies").innerHTML = replies.length ? replies.map((r) => `<li><b>${r.rating == null ? "–" : r.rating + "/5"}</b>
      ${OMS.esc(r.text)} <small class="muted">${when(r.received_at)}${r.customer_id ? " · " + OMS.esc(r.customer_id) : ""}</small></li>`).join("")
      : `<li class="muted">No replies yet.</li>`;
  }

  function render() {
    const needle = $("f-search").value.trim().toLowerCase();
    const shown = needle ? state.list.filter((c) => [c.reference, c.customer_id, c.text, c.owner,
      c.contact && c.contact.address].some((v) => v && String(v).toLowerCase().includes(needle))) : state.list;
    $("empty").classList.toggle("hidden", shown.length > 0);
    $("complaints").querySelector("tbody").innerHTML = shown.map((c) => {
      const taken = c.acknowledged ? OMS.esc(c.owner)
        : `<span class="${c.acknowledge_overdue ? "late" : ""}">by ${OMS.hhmm(c.acknowledge_by)}</span>`;
      const left = c.working_days_left;
      const due = c.resolved ? "—" : `<span class="${c.resolve_overdue ? "late" : ""}">${OMS.day(c.resolve_by_day)}` +
        (left == null ? "" : left < 0 ? ` · ${-left} working days late` : left === 0 ? " · today" : ` · ${left} left`) + "</span>";
      return `<tr data-ref="${c.reference}" class="${c.reference === state.selected ? "sel" : ""}">
        <td>${c.reference}</td><td>${when(c.received)}<br><small class="muted">${c.channel}</small></td>
        <td>${c.category} → ${OMS.esc(c.department)}</td><td class="text">${OMS.esc(c.text.slice(0, 140))}${c.text.length > 140 ? "…" : ""}</td>
        <td>${taken}</td><td>${due}</td><td><span class="pill st-${c.status}">${c.status}</span>${
          c.escalated && c.escalated.length && !c.resolved ? ' <span class="pill escalated" title="past its target: escalated to the department\'s supervisor">escalated</span>' : ""}</td></tr>`;
    }).join("");
  }

  function showSelected() {
    // The one in hand, read afresh with the complainant's supply (also when it has left
    // this list: resolved, or routed to another department).
    if (!state.selected) return;
    OMS.api("GET", `/api/complaints/${state.selected}`).then(detail)
      .catch(() => $("detail").classList.add("hidden"));
  }

  function supply(s) {
    if (s.power === "off") return `<span class="late">out since ${when(s.outage.since)}</span> · outage ${OMS.esc(s.outage.reference)}, ${OMS.esc(s.outage.status)}`;
    if (s.power === "unknown") return OMS.esc(s.status);
    return s.restored_at ? `on · restored ${when(s.restored_at)}` : "on";
  }

  function detail(c) {
    const el = $("detail");
    el.classList.remove("hidden");
    const options = (items, now) => items.map((v) => `<option ${v === now ? "selected" : ""}>${OMS.esc(v)}</option>`).join("");
    el.innerHTML = `<h2>${c.reference} <span class="pill st-${c.status}">${c.status}</span></h2>
      <div class="quote">${OMS.esc(c.text)}</div>
      <div class="kv">
        <span class="muted">Received</span><span>${when(c.received)} · ${c.channel}</span>
        <span class="muted">Class</span><span>${c.category} (${c.classified_by === "rules" ? "from the words: " + OMS.esc(c.matched.join(", ") || "none") : "by " + c.classified_by})</span>
        <span class="muted">Department</span><span>${OMS.esc(c.department)}</span>
        <span class="muted">Account</span><span>${OMS.esc(c.customer_id || "—")}</span>
        ${c.supply ? `<span class="muted">Supply now</span><span>${supply(c.supply)}</span>` : ""}
        <span class="muted">Answer to</span><span>${c.contact ? OMS.esc(c.contact.channel + " " + c.contact.address) : "—"}</span>
        <span class="muted">Taken up</span><span>${c.acknowledged ? OMS.esc(c.owner) + ", " + when(c.acknowledged) : "due " + when(c.acknowledge_by)}</span>
        <span class="muted">Answer due</span><span>end of ${OMS.day(c.resolve_by_day, true)}</span>
        ${c.resolution ? `<span class="muted">Resolution</span><span>${OMS.esc(c.resolution)}</span>` : ""}
      </div>
      <ol>${c.history.map((s) => `<li>${when(s.at)} · ${OMS.esc(s.by)} · ${s.kind}${s.note ? ": " + OMS.esc(s.note) : ""}</li>`).join("")}</ol>
      <div class="acts">
        ${c.status === "received" ? `<button class="btn primary" data-act="acknowledge">Take it up</button>` : ""}
        ${c.status === "resolved" ? "" : `<button class="btn" data-act="resolve">Resolve…</button>`}
        ${c.status === "resolved" ? `<button class="btn" data-act="reopen">Reopen…</button>` : ""}
      </div>
      <label>Route to <select id="r-cat">${options(state.categories, c.category)}</select>
        <select id="r-dept">${options(state.departments, c.department)}</select></label>
      <button class="btn" data-act="route">Route</button>
      <label>Note, resolution or reason <textarea id="d-note" rows="3" maxlength="2000"></textarea></label>
      <button class="btn" data-act="note">Add note</button>`;
  }

  async function act(kind) {
    const ref = state.selected, note = $("d-note") ? $("d-note").value.trim() : "";
    const body = {};
    if (kind === "route") { body.category = $("r-cat").value; body.department = $("r-dept").value; }
    if (kind === "resolve") { if (!note) return OMS.toast("Write the resolution first.", true); body.resolution = note; }
    if (kind === "note" || kind === "reopen") { if (!note) return OMS.toast("Write the note first.", true); body.note = note; }
    try {
      await OMS.api("POST", `/api/complaints/${ref}/${kind}`, body, { "Idempotency-Key": ref + kind + Date.now() });
      OMS.toast(`${ref}: ${kind === "acknowledge" ? "taken up" : kind === "note" ? "noted" : kind + "d"}.`);
      await load();
    } catch (err) { OMS.toast(err.message, true); }
  }

  $("complaints").addEventListener("click", (e) => {
    const row = e.target.closest("tr[data-ref]"); if (!row) return;
    state.selected = row.dataset.ref; render(); showSelected();
  });
  $("detail").addEventListener("click", (e) => { if (e.target.dataset.act) act(e.target.dataset.act); });
  $("f-dept").addEventListener("change", load);
  $("f-status").addEventListener("change", load);
  $("f-search").addEventListener("input", render);
  $("new-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { text: $("n-text").value, channel: $("n-channel").value };
    if ($("n-category").value) body.category = $("n-category").value;
    if ($("n-account").value.trim()) body.account = $("n-account").value.trim();
    if ($("n-contact-channel").value) body.contact = { channel: $("n-contact-channel").value, address: $("n-contact").value };
    try {
      const c = await OMS.api("POST", "/api/complaints", body, { "Idempotency-Key": "new" + Date.now() });
      OMS.toast(`Filed as ${c.reference}: ${c.category} → ${c.department}.`);
      e.target.reset(); state.selected = c.reference; await load();
    } catch (err) { OMS.toast(err.message, true); }
  });

  const socket = io({ transports: ["websocket", "polling"] });
  let pending = null;
  socket.on("complaint", () => { clearTimeout(pending); pending = setTimeout(load, 300); });
  setInterval(load, 60000);  // the clocks move on their own
  load().catch((err) => OMS.toast(err.message, true));
})();
