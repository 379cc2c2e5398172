/* GeoJSON boundary editor for the admin: Leaflet + Leaflet.draw, synced with a textarea. */
(function () {
  "use strict";
  // Leaflet.draw's texts in the page's language: the widget carries them as JSON data.
  function merge(into, from) {
    Object.keys(from).forEach(function (key) {
      if (from[key] && typeof from[key] === "object") {
        into[key] = into[key] || {};
        merge(into[key], from[key]);
      } else {
        into[key] = from[key];
      }
    });
  }
  function translateDraw(box) {
    var source = box.dataset.texts && document.getElementById(box.dataset.texts);
    if (source && L.drawLocal) merge(L.drawLocal, JSON.parse(source.textContent));
  }
  function init(box) {
    var textarea = document.getElementById(box.dataset.target);
    var mapEl = box.querySelector(".geojson-map");
    if (!textarea || !mapEl || typeof L === "undefined") return;
    var center = (box.dataset.center || "0,0").split(",").map(Number);
    var map = L.map(mapEl).setView(center, Number(box.dataset.zoom || 12));
    var drawn = new L.FeatureGroup().addTo(map);
    // The other territories are the context (and the whole base when there are no tiles).
    var base = typeof EdemMap === "undefined" ? null : EdemMap.base(map, mapEl, { exclude: box.dataset.territory });
    if (base) {
      base.territories.then(function (layer) {
        if (layer && !drawn.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      });
    }
    function load() {
      drawn.clearLayers();
      var text = textarea.value.trim();
      if (!text) return;
      try {
        var layer = L.geoJSON(JSON.parse(text));
        layer.eachLayer(function (l) { drawn.addLayer(l); });
        if (drawn.getLayers().length) map.fitBounds(drawn.getBounds(), { padding: [10, 10] });
        textarea.setCustomValidity("");
      } catch (e) {
        textarea.setCustomValidity(e.message);
      }
    }
    function save() {
      var geoms = [];
      drawn.eachLayer(function (l) { geoms.push(l.toGeoJSON().geometry); });
      if (!geoms.length) { textarea.value = ""; return; }
      if (geoms.length === 1) { textarea.value = JSON.stringify(geoms[0]); return; }
      textarea.value = JSON.stringify({
        type: "MultiPolygon",
        coordinates: geoms.map(function (g) { return g.type === "Polygon" ? g.coordinates : g.coordinates[0]; })
      });
    }
    if (L.Control && L.Control.Draw) {
      translateDraw(box);
      map.addControl(new L.Control.Draw({
        edit: { featureGroup: drawn },
        draw: { polyline: false, circle: false, circlemarker: false, marker: false, rectangle: true, polygon: true }
      }));
      map.on(L.Draw.Event.CREATED, function (e) { drawn.addLayer(e.layer); save(); });
      map.on(L.Draw.Event.EDITED, save);
      map.on(L.Draw.Event.DELETED, save);
    }
    textarea.addEventListener("change", load);
    load();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".geojson-editor").forEach(init);
  });
})();
