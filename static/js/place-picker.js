/* Progressive map picker for the appeal form: writes latitude/longitude into their fields.
   Without JavaScript the map stays hidden and the typed address is enough. */
(function () {
  "use strict";
  var el = document.getElementById("place-map");
  if (!el || typeof L === "undefined" || typeof EdemMap === "undefined") return;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  el.hidden = false;
  document.getElementById("place-map-help").hidden = false;
  var center = (el.dataset.center || "56,38").split(",").map(Number);
  var map = L.map(el).setView(center, Number(el.dataset.zoom || 12));
  EdemMap.base(map, el);
  var marker = null;
  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: true }).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
  }
  function typed() {
    // What is typed into the two fields (a decimal comma allowed), when it is a real place.
    var a = Number(lat.value.replace(",", ".")), b = Number(lon.value.replace(",", "."));
    if (!lat.value || !lon.value || !isFinite(a) || !isFinite(b) || Math.abs(a) > 90 || Math.abs(b) > 180) return null;
    return L.latLng(a, b);
  }
  var start = typed();
  if (start) {
    marker = L.marker(start, { keyboard: true }).addTo(map);
    map.setView(start, 16);
  }
  function follow() {
    var point = typed();
    if (!point) return;
    if (marker) marker.setLatLng(point); else marker = L.marker(point, { keyboard: true }).addTo(map);
    map.panTo(point);
  }
  lat.addEventListener("change", follow);
  lon.addEventListener("change", follow);
  map.on("click", function (e) { place(e.latlng); });
  document.getElementById("place-clear").addEventListener("click", function () {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = ""; lon.value = "";
  });
})();
