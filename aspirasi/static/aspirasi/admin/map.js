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
    // Picking a point (the relocate decision, panel.js): a click, or Enter on the focused map (its centre).
    let chosen = null;
    function pick(latlng) {
      if (!chosen) chosen = L.circleMarker(latlng, { radius: 8, color: "#b71c1c", interactive: false }).addTo(map);
      chosen.setLatLng(latlng);
      element.dispatchEvent(new CustomEvent("map:point", {
        bubbles: true, detail: { latitude: latlng.lat.toFixed(6), longitude: latlng.lng.toFixed(6) },
      }));
    }
    map.on("click", function (event) { pick(event.latlng); });
    // Typed into the relocate decision: the chosen point follows (panel.js sends relocate:point).
    document.addEventListener("relocate:point", function (event) {
      if (!element.isConnected) return;  // this map was replaced by a refresh of the page
      const latlng = L.latLng(event.detail.latitude, event.detail.longitude);
      if (!chosen) chosen = L.circleMarker(latlng, { radius: 8, color: "#b71c1c", interactive: false }).addTo(map);
      chosen.setLatLng(latlng);
    });
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target === element) { event.preventDefault(); pick(map.getCenter()); }
    });
  }

  function initAll() {
    document.querySelectorAll("[data-map]").forEach(init);
  }
  window.AspirasiMap = { initAll: initAll };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
