/* Area subscriptions: click the map to set the centre of the circle; the radius field draws it.
   Without JavaScript the map stays hidden and the typed coordinates are enough. */
(function () {
  "use strict";
  var el = document.getElementById("area-map");
  if (!el || typeof L === "undefined" || typeof EdemMap === "undefined") return;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var radius = document.getElementById("id_radius_m");
  var circleChoice = document.querySelector('input[name="area"][value="circle"]');
  el.hidden = false;
  document.getElementById("area-map-help").hidden = false;
  var center = (el.dataset.center || "56,38").split(",").map(Number);
  var map = L.map(el).setView(center, Number(el.dataset.zoom || 12));
  EdemMap.base(map, el);
  var circle = null;
  function draw() {
    var la = parseFloat(lat.value), lo = parseFloat(lon.value), r = parseFloat(radius.value) || 500;
    if (!isFinite(la) || !isFinite(lo)) { if (circle) { map.removeLayer(circle); circle = null; } return; }
    if (circle) { circle.setLatLng([la, lo]); circle.setRadius(r); }
    else { circle = L.circle([la, lo], { radius: r }).addTo(map); }
  }
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(6);
    lon.value = e.latlng.lng.toFixed(6);
    if (circleChoice) circleChoice.checked = true;
    draw();
  });
  [lat, lon, radius].forEach(function (input) { input.addEventListener("input", draw); });
  draw();
  if (circle) map.fitBounds(circle.getBounds());
})();
