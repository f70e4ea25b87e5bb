/* The basemap: the utility's tile server when one is configured (OMS_TILE_URL), and the
   streets from /api/roads.geojson on top (on a plain background without tiles). A network
   served without streets leaves the view to the page (omsFit). */
"use strict";
function omsMap(id, opts) {
  const dark = !(opts && opts.light);
  const tiles = document.querySelector('meta[name="oms-tiles"]');
  const map = L.map(id, { zoomControl: false, attributionControl: !!tiles, preferCanvas: true, zoomSnap: 0.25 });
  L.control.zoom({ position: (opts && opts.zoom) || "topleft" }).addTo(map);
  map.setView([45.52, -122.66], 14);
  if (tiles) {
    if (map.attributionControl) map.attributionControl.setPrefix(false);
    // A tile server's usage policy may ask for the page's origin (the pages send no
    // referrer elsewhere); the control room's dark map dims and inverts the tiles.
    L.tileLayer(tiles.content, { maxZoom: 19, attribution: tiles.dataset.attribution || "",
      referrerPolicy: "strict-origin-when-cross-origin", className: dark ? "tiles-dark" : "" }).addTo(map);
  }
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
