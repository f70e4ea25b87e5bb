/* Shared helpers: JSON API calls with the CSRF header, time formatting, toasts. */
"use strict";
const OMS = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  async function api(method, url, body, headers) {
    const init = { method, credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrf() }, headers || {}) };
    if (body !== undefined) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
    const res = await fetch(url, init);
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) { const err = new Error((data && data.error) || res.statusText); err.status = res.status; throw err; }
    return data;
  }
  const pad = (n) => String(n).padStart(2, "0");
  function hhmm(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function ago(iso, now) {
    if (!iso) return "—";
    const m = Math.max(0, Math.round(((now ? new Date(now) : new Date()) - new Date(iso)) / 60000));
    return m < 60 ? m + " min" : Math.floor(m / 60) + " h " + pad(m % 60);
  }
  function toast(text, bad) {
    const el = document.createElement("div");
    el.className = "toast" + (bad ? " bad" : "");
    el.textContent = text;
    document.body.appendChild(el);
    setTimeout(() => el.remove(), 4000);
  }
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const label = (s) => String(s || "").replace(/_/g, " ");
  // A chance as outage/explain.py's `percent` says it: never 100 % or 0 % unless certain.
  function percent(p) {
    if (p > 0 && p < 0.005) return "under 1 %";
    if (p >= 0.995 && p < 1) return "over 99 %";
    return Math.round(100 * p) + " %";
  }
  // A calendar date ("2026-12-04", the utility's) as a day's name, wherever the reader is.
  function day(isoDate, long) {
    const [y, m, d] = isoDate.split("-").map(Number);
    return new Date(y, m - 1, d).toLocaleDateString(undefined,
      long ? { weekday: "long", day: "numeric", month: "long" } : { weekday: "short", day: "numeric", month: "short" });
  }
  // "1 call", "3 calls": a count with its noun.
  const count = (n, noun) => n + " " + noun + (n === 1 ? "" : "s");
  return { api, hhmm, ago, toast, esc, label, csrf, percent, count, day };
})();
