/* The edem widget on an authority's website. Paste:
     <script src="https://PORTAL/static/widget/embed.js" data-edem-widget="KEY" async></script>
   It puts an iframe with the widget right after itself and keeps its height in step with the
   content, from messages of the portal's own frame only. No cookies, no other requests. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-edem-widget")) return;
  var base = new URL(script.src, document.baseURI);
  var src = new URL("/widget/" + encodeURIComponent(script.getAttribute("data-edem-widget")) + "/", base);
  var lang = (script.getAttribute("data-lang") || document.documentElement.lang || "").slice(0, 2).toLowerCase();
  if (lang) src.searchParams.set("lang", lang);
  var frame = document.createElement("iframe");
  frame.src = src.href;
  frame.title = script.getAttribute("data-title") || "edem";
  frame.setAttribute("referrerpolicy", "strict-origin");
  frame.style.display = "block";
  frame.style.width = "100%";
  frame.style.maxWidth = "100%";
  frame.style.minWidth = "280px";
  frame.style.height = "520px";
  frame.style.border = "0";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== base.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "edem-widget:height") return;
    var height = Math.ceil(Number(data.height));
    if (height > 0 && height < 20000) frame.style.height = height + "px";
  });
})();
