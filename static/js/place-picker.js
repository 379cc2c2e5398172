/* Progressive map picker for the appeal form: writes latitude/longitude into hidden fields.
   Without JavaScript the map stays hidden and the typed address is enough. */
(function () {
  "use strict";
  var el = document.getElementById("place-map");
  if (!el || typeof L === "undefined") return;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  el.hidden = false;
  document.getElementById("place-map-help").hidden = false;
  var center = (el.dataset.center || "56,38").split(",").map(Number);
  var map = L.map(el).setView(center, Number(el.dataset.zoom || 12));
  L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap" }).addTo(map);
  var marker = null;
  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: true }).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
  }
  if (lat.value && lon.value) { place(L.latLng(Number(lat.value), Number(lon.value))); map.setView(marker.getLatLng(), 16); }
  map.on("click", function (e) { place(e.latlng); });
  document.getElementById("place-clear").addEventListener("click", function () {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = ""; lon.value = "";
  });
})();
