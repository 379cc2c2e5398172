/* Participatory budgeting, progressive enhancement only: the page works without it.
   - the cost estimate form gets an "Add a line" button and a live total;
   - a project page shows its place on a read-only map. */
(function () {
  "use strict";

  function parseNumber(text) {
    var value = String(text || "").replace(/\s|\u00a0/g, "").replace(",", ".");
    return value === "" || isNaN(Number(value)) ? null : value;
  }

  /* Exact sum in kopecks with BigInt: never floating point for money. */
  function toCents(quantity, price) {
    function scaled(value, places) {
      var parts = value.split(".");
      var frac = (parts[1] || "").padEnd(places, "0").slice(0, places);
      return BigInt(parts[0] + frac);
    }
    var q = scaled(quantity, 3), p = scaled(price, 2);
    var product = q * p; /* scale 10^5, round half up to 10^2 */
    return (product + 500n) / 1000n;
  }

  function formatCents(cents) {
    var s = cents.toString().padStart(3, "0");
    return s.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0") + "," + s.slice(-2);
  }

  var box = document.getElementById("cost-lines");
  if (box && typeof BigInt === "function") {
    var prefix = box.dataset.prefix;
    var body = document.getElementById("cost-lines-body");
    var template = document.getElementById("cost-line-template");
    var total = document.getElementById("cost-total");
    var addButton = document.getElementById("add-cost-line");
    var totalForms = document.getElementById("id_" + prefix + "-TOTAL_FORMS");

    var recompute = function () {
      var sum = 0n;
      body.querySelectorAll("tr.cost-line").forEach(function (row) {
        var del = row.querySelector("input[name$='-DELETE']");
        if (del && del.checked) return;
        var q = parseNumber((row.querySelector("input[name$='-quantity']") || {}).value);
        var p = parseNumber((row.querySelector("input[name$='-unit_price']") || {}).value);
        if (q !== null && p !== null) sum += toCents(q, p);
      });
      total.hidden = false;
      total.textContent = (total.dataset.label || "Σ") + " " + formatCents(sum) + " " + box.dataset.currency;
    };
    body.addEventListener("input", recompute);
    body.addEventListener("change", recompute);
    recompute();

    if (template && totalForms && addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", function () {
        var index = Number(totalForms.value);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        body.insertAdjacentHTML("beforeend", html);
        totalForms.value = String(index + 1);
        var first = body.lastElementChild && body.lastElementChild.querySelector("input");
        if (first) first.focus();
      });
    }
  }

  var mapEl = document.getElementById("project-map");
  if (mapEl && typeof L !== "undefined" && typeof EdemMap !== "undefined") {
    var lat = Number(mapEl.dataset.lat), lon = Number(mapEl.dataset.lon);
    if (!isNaN(lat) && !isNaN(lon)) {
      mapEl.hidden = false;
      var map = L.map(mapEl, { scrollWheelZoom: false }).setView([lat, lon], 16);
      EdemMap.base(map, mapEl);
      L.marker([lat, lon], { keyboard: false }).addTo(map);
    }
  }
})();
