/* Duplicate hints on the filing form (progressive enhancement): when "publish" is ticked and a
   place is marked, ask /problems/duplicates.json for public problems of the same category
   nearby and offer to support one instead. The results go to a polite live region; every link
   and button is reachable by keyboard. Without JavaScript the form works as before. */
(function () {
  "use strict";
  var box = document.getElementById("duplicate-hints");
  if (!box || !window.fetch) return;
  var form = box.closest("form");
  var field = function (id) { return document.getElementById(id); };
  var publish = field("id_is_public"), lat = field("id_latitude"), lon = field("id_longitude");
  var category = field("id_category"), subject = field("id_subject");
  if (!publish || !lat || !lon || !category) return;
  var csrf = form ? form.querySelector('input[name="csrfmiddlewaretoken"]') : null;
  var last = "";
  var timer = null;

  // The "support instead" buttons submit this form, kept outside the appeal form (forms do not
  // nest): each button carries its own action URL and the page to return to.
  var supportForm = null;
  if (csrf) {
    supportForm = document.createElement("form");
    supportForm.method = "post";
    supportForm.id = "duplicate-support-form";
    supportForm.hidden = true;
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrf.value;
    var action = document.createElement("input");
    action.type = "hidden"; action.name = "action"; action.value = "support";
    supportForm.appendChild(token); supportForm.appendChild(action);
    document.body.appendChild(supportForm);
  }

  function clear() {
    box.textContent = "";
  }

  function render(results) {
    box.textContent = "";
    if (!results.length) return;
    var panel = document.createElement("div");
    panel.className = "alert alert-info";
    var heading = document.createElement("h3");
    heading.textContent = box.dataset.title;
    panel.appendChild(heading);
    var intro = document.createElement("p");
    intro.textContent = box.dataset.intro;
    panel.appendChild(intro);
    var list = document.createElement("ul");
    list.className = "plain";
    results.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.subject;
      li.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " · " + box.dataset.distance.replace("{m}", item.distance_m) +
        " · " + box.dataset.supporters.replace("{n}", item.supporters) +
        (item.category ? " · " + item.category : "");
      li.appendChild(meta);
      if (supportForm) {
        var button = document.createElement("button");
        button.type = "submit";
        button.setAttribute("form", supportForm.id);
        button.setAttribute("formaction", item.support_url);
        button.name = "next";
        button.value = item.url;
        button.className = "button button-small button-secondary";
        button.textContent = box.dataset.support;
        button.setAttribute("aria-label", box.dataset.support + ": " + item.subject);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(button);
      }
      list.appendChild(li);
    });
    panel.appendChild(list);
    box.appendChild(panel);
  }

  function check() {
    if (!publish.checked || !lat.value || !lon.value || !category.value) { last = ""; clear(); return; }
    var query = new URLSearchParams({
      lat: lat.value, lon: lon.value, category: category.value, subject: subject ? subject.value : ""
    }).toString();
    if (query === last) return;
    last = query;
    fetch(box.dataset.url + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (query === last) render(data.results || []); })
      .catch(function () { /* hints are optional: filing goes on */ });
  }

  function soon() { clearTimeout(timer); timer = setTimeout(check, 400); }
  [publish, category].forEach(function (el) { el.addEventListener("change", soon); });
  if (subject) subject.addEventListener("input", soon);
  // The map picker writes the hidden coordinates without an event: look at them now and then.
  setInterval(function () { if (publish.checked) check(); }, 1500);
  check();
})();
