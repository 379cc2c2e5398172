/* The base every map of the portal is drawn on (edem.geo.basemap): the municipality's own
   territories on a plain background, so that a map is never a blank grey box on an intranet or
   when the tile server is down. Raster tiles go over that base only when a tile server is
   configured (data-tiles); if its tiles fail to load, they are dropped and a short note under
   the map says why the map shows boundaries only.

   Configuration comes from data attributes on the map element or on the nearest ancestor that
   has them (the public pages set them on <body>, the admin's boundary editor on its own box):
   data-tiles (URL template, empty: no tiles), data-attribution, data-map-territories (the
   GeoJSON URL), data-map-tiles-failed (the note's text).

   EdemMap.base(map, el, options) -> {territories: Promise of the L.GeoJSON layer or null}
   options.exclude: a territory id not to draw (the one being edited);
   options.interactive: tooltips with the territory names (the public map). */
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  function setting(el, name) {
    var holder = el.closest("[data-" + name + "]");
    return holder ? holder.getAttribute("data-" + name) : "";
  }

  var territoryData = {};
  function fetchTerritories(url) {
    if (!territoryData[url]) {
      territoryData[url] = fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return territoryData[url];
  }

  function showNote(el, text) {
    if (!text || el.edemMapNote) return;
    var note = document.createElement("p");
    note.className = "map-note";
    note.setAttribute("role", "status");
    note.textContent = text;
    el.insertAdjacentElement("afterend", note);
    el.edemMapNote = note;
  }

  function neutral(el) {
    el.classList.add("map-neutral");
  }

  function base(map, el, options) {
    options = options || {};
    var tiles = el.dataset.tiles !== undefined ? el.dataset.tiles : setting(el, "tiles");
    if (!tiles) {
      neutral(el);
    } else {
      var loaded = 0, failed = false;
      var layer = L.tileLayer(tiles, {
        maxZoom: 19, attribution: el.dataset.attribution || setting(el, "attribution")
      });
      layer.on("tileload", function () {
        loaded += 1;
        if (el.edemMapNote && !failed) {  // late, but there: the note was premature
          el.edemMapNote.remove();
          el.edemMapNote = null;
          el.classList.remove("map-neutral");
        }
      });
      layer.on("tileerror", function () {
        // One tile may fail on a flaky line; the server is unreachable when none has loaded.
        if (failed || loaded > 0) return;
        failed = true;
        map.removeLayer(layer);
        neutral(el);
        showNote(el, setting(el, "map-tiles-failed"));
      });
      layer.addTo(map);
      // A firewall that drops the packets gives no error for a long time: after a while with no
      // tile at all, say so (the tiles stay asked for, and the note goes if they arrive).
      window.setTimeout(function () {
        if (loaded === 0 && !failed) { neutral(el); showNote(el, setting(el, "map-tiles-failed")); }
      }, 8000);
    }
    var url = setting(el, "map-territories");
    var territories = !url ? Promise.resolve(null) : fetchTerritories(url).then(function (gj) {
      if (!gj || !gj.features || !gj.features.length) return null;
      if (!map.getPane("edem-territories")) {
        map.createPane("edem-territories");
        map.getPane("edem-territories").classList.add("edem-territories-pane");
      }
      var features = gj.features.filter(function (f) { return String(f.id) !== String(options.exclude); });
      var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        pane: "edem-territories",
        interactive: Boolean(options.interactive),
        style: { className: "edem-territory", color: "#3d4b59", weight: 1.5, fillColor: "#dde7ef", fillOpacity: 0.35 },
        onEachFeature: function (f, l) {
          if (options.interactive && f.properties && f.properties.name) l.bindTooltip(f.properties.name);
        }
      });
      if (options.show !== false) layer.addTo(map);
      return layer;
    });
    return { territories: territories };
  }

  window.EdemMap = { base: base };
})();
