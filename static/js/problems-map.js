/* The public problem map: markers by status colour and shape, server-side clusters from
   /map/problems.json, filters and the view kept in the URL (shareable), territory layer.
   The list page shows the same query without JavaScript. */
(function () {
  "use strict";
  var el = document.getElementById("problem-map");
  if (!el || typeof L === "undefined" || typeof EdemMap === "undefined") return;
  var form = document.getElementById("problem-filters");
  var filters = document.getElementById("map-filters");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;
  var status = document.getElementById("problem-map-status");
  var listLink = document.getElementById("problem-list-link");
  var params = new URLSearchParams(window.location.search);
  var center = (el.dataset.center || "0,0").split(",").map(Number);
  var zoom = Number(params.get("z") || el.dataset.zoom || 12);
  if (params.get("lat") && params.get("lon")) center = [Number(params.get("lat")), Number(params.get("lon"))];
  var map = L.map(el, { keyboard: true }).setView(center, zoom);
  var toggle = document.getElementById("territory-layer");
  var base = EdemMap.base(map, el, { interactive: true, show: !toggle || toggle.checked });
  var layer = L.layerGroup().addTo(map);
  var pending = null;

  function filterQuery() {
    var q = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, name) { if (value) q.set(name, value); });
    }
    return q;
  }

  function keepState() {
    var q = filterQuery();
    var c = map.getCenter();
    q.set("lat", c.lat.toFixed(5)); q.set("lon", c.lng.toFixed(5)); q.set("z", map.getZoom());
    window.history.replaceState(null, "", "?" + q.toString());
    if (listLink) {
      var lq = filterQuery();
      listLink.href = el.dataset.list + (lq.toString() ? "?" + lq.toString() : "");
    }
  }

  function icon(code) {
    return L.divIcon({ className: "problem-marker", iconSize: [20, 20],
      html: '<span class="problem-state problem-state-' + code + '"><span class="problem-state-icon"></span></span>' });
  }

  /* A click, or Enter / Space on the focused marker (keyboard users). */
  function onActivate(marker, action, role) {
    marker.on("click", action);
    marker.on("add", function () {
      var node = marker.getElement();
      if (!node) return;
      node.setAttribute("role", role);
      node.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); action(); }
      });
    });
  }

  function draw(data) {
    layer.clearLayers();
    if (data.kind === "points") {
      data.points.forEach(function (p) {
        var label = el.dataset["label" + p[3].charAt(0).toUpperCase() + p[3].slice(1)] || p[3];
        var m = L.marker([p[1], p[2]], { icon: icon(p[3]), title: label, alt: label, keyboard: true });
        onActivate(m, function () { window.location.href = el.dataset.detail.replace("/0/", "/" + p[0] + "/"); }, "link");
        m.bindTooltip(label);
        layer.addLayer(m);
      });
    } else {
      data.clusters.forEach(function (c) {
        var size = c[2] < 10 ? 30 : c[2] < 100 ? 38 : c[2] < 1000 ? 46 : 56;
        var m = L.marker([c[0], c[1]], {
          keyboard: true, title: c[2] + " " + el.dataset.count,
          icon: L.divIcon({ className: "problem-cluster", iconSize: [size, size], html: String(c[2]) })
        });
        onActivate(m, function () { map.setView([c[0], c[1]], Math.min(map.getZoom() + 2, 19)); }, "button");
        layer.addLayer(m);
      });
    }
    if (status) status.textContent = data.total + " " + el.dataset.count;
  }

  function load() {
    keepState();
    var b = map.getBounds();
    var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
    var q = filterQuery();
    q.set("bbox", [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map(function (v) { return v.toFixed(5); }).join(","));
    q.set("zoom", map.getZoom());
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(el.dataset.json + "?" + q.toString(), { signal: pending.signal, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (!data.error) draw(data); else if (status) status.textContent = data.error; })
      .catch(function () {});
  }

  map.on("moveend", load);
  if (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
    form.addEventListener("change", load);
  }
  /* Territory boundaries are on by default (they are the map's base when there are no
     tiles); the box hides and shows them. */
  if (toggle) {
    toggle.addEventListener("change", function () {
      base.territories.then(function (layer) {
        if (!layer) return;
        if (toggle.checked) layer.addTo(map); else map.removeLayer(layer);
      });
    });
  }
  load();
})();
