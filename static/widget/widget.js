/* Inside the widget's frame: tell the host page how tall the content is, so that embed.js
   sizes the frame without a scroll bar. Sent only to the origins the widget allows. */
(function () {
  "use strict";
  var origins;
  try {
    origins = JSON.parse(document.body.getAttribute("data-origins") || "[]");
  } catch (e) {
    origins = [];
  }
  if (window.parent === window || !origins.length) return;
  var last = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: "edem-widget:height", height: height }, origin);
    });
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
