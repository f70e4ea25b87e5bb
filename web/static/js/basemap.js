/* A local vector basemap: the streets from /api/roads.geojson on a plain background (no tiles).
   A network served without streets leaves the view to the page (omsFit). */
"use strict";
function omsMap(id, opts) {
  const dark = !(opts && opts.light);
  const map = L.map(id, { zoomControl: false, attributionControl: false, preferCanvas: true, zoomSnap: 0.25 });
  L.control.zoom({ position: (opts && opts.zoom) || "topleft" }).addTo(map);
  map.setView([45.52, -122.66], 14);
  map.createPane("roads"); map.getPane("roads").style.zIndex = 250;
  // Resolves to the number of streets drawn (0 for a network served without them).
  map.omsRoads = fetch("/api/roads.geojson").then((r) => r.json()).then((gj) => {
    const layer = L.geoJSON(gj, { pane: "roads", interactive: false, style: (f) => {
      const k = f.properties.kind;
      if (dark) return { color: k === "arterial" ? "#2a3850" : k === "bridge" ? "#3a4a66" : "#1c2739",
        weight: k === "arterial" ? 4 : 2.2, opacity: 1 };
      return { color: k === "arterial" ? "#ffffff" : "#ffffff", weight: k === "arterial" ? 6 : 3.5, opacity: 1 };
    } }).addTo(map);
    if (gj.features.length && !(opts && opts.keepView)) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    if (!dark) { map.getContainer().style.background = "#e9edf2"; }
    return gj.features.length;
  });
  return map;
}

/* Fit the view to a territory's bounds when there are no streets to fit it to; resolves
   to the number of streets. */
function omsFit(map, bounds) {
  return map.omsRoads.then((streets) => {
    if (!streets && bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    return streets;
  });
}
