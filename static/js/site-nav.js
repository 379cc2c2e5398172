/* The main menu on a phone: folded behind the "Menu" button in the header, so that the page
   itself starts within the first screen. Without JavaScript the menu simply stays open. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var button = document.getElementById("nav-toggle");
  var nav = document.getElementById("site-nav");
  if (!header || !button || !nav) return;
  header.classList.add("nav-foldable");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = !nav.classList.contains("is-open");
    nav.classList.toggle("is-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
