// The admin's map of one point: every element with data-map (rendered by the admin_map template tag).
// Vendored Leaflet (../vendor/leaflet/); tiles only when data-tile-url is set (settings.MAP_TILE_URL), else
// the point shows inside the city's outline (data-bounds) on a plain background and no tile host is asked.
// Leaflet makes the map and its marker keyboard-focusable (arrows pan, + and - zoom, Enter opens the label).
(function () {
  "use strict";

  function init(element) {
    if (element.dataset.mapReady || !window.L) return;
    element.dataset.mapReady = "1";
    const point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)];
    const label = element.dataset.label || "";
    const tileUrl = element.dataset.tileUrl;
    const map = L.map(element, { keyboard: true, scrollWheelZoom: false, zoomSnap: 0.25 });
    const bounds = (element.dataset.bounds || "").split(",").map(Number);
    let outline = null;
    if (bounds.length === 4 && bounds.every(Number.isFinite)) {
      outline = L.rectangle(
        [[bounds[0], bounds[1]], [bounds[2], bounds[3]]],
        { color: "#264b5d", weight: 2, dashArray: "6 4", fill: false, interactive: false },
      ).addTo(map);
    }
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
      map.setView(point, 16);
    } else {
      element.classList.add("aspirasi-map-plain");
      if (outline) map.fitBounds(outline.getBounds(), { padding: [8, 8] });
      else map.setView(point, 11);
    }
    const marker = L.marker(point, { title: label, alt: label, keyboard: true }).addTo(map);
    marker.bindPopup(document.createTextNode(label));
    element.aspirasiMap = { map: map, marker: marker };
  }

  function initAll() {
    document.querySelectorAll("[data-map]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
