/* A small read-only map with the appeal's place: every element with class "place-view" and
   data-lat / data-lon / data-tiles. Without JavaScript the coordinates and the address stay as
   text beside it. */
(function () {
  "use strict";
  if (typeof L === "undefined" || typeof EdemMap === "undefined") return;
  Array.prototype.forEach.call(document.querySelectorAll(".place-view"), function (el) {
    var point = L.latLng(Number(el.dataset.lat), Number(el.dataset.lon));
    el.hidden = false;
    var map = L.map(el, { scrollWheelZoom: false, keyboard: true }).setView(point, 16);
    EdemMap.base(map, el);
    L.marker(point, { keyboard: false, title: el.getAttribute("aria-label") || "" }).addTo(map);
  });
})();
