/* The appeal form: a JPEG photo that says where it was taken (GPS in its EXIF) is offered as
   the place as soon as it is picked, before sending. "Use the photo's place" fills latitude
   and longitude (place-picker.js follows them and moves the pin); "Do not use it" tells the
   server not to ask again. Without JavaScript the server makes the same offer after sending
   (appeals.photo_place). The EXIF is read here with a DataView: the APP1 segment's TIFF
   header, IFD0's pointer to the GPS IFD, and the four GPS tags (refs and degree rationals). */
(function () {
  "use strict";
  var box = document.getElementById("photo-place-offer");
  var input = document.getElementById("id_attachments");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  if (!box || !input || !lat || !lon || !window.DataView || !window.Blob || !Blob.prototype.arrayBuffer) return;
  var text = document.getElementById("photo-place-text");
  var done = document.getElementById("photo-place-done");
  var offered = null;

  function tiffGps(view, start, end) {
    // The GPS position in the TIFF structure at [start, end), or null.
    var order = view.getUint16(start);
    var little = order === 0x4949;
    if (!little && order !== 0x4d4d) return null;
    function u16(at) { if (at + 2 > end) throw new RangeError("exif"); return view.getUint16(at, little); }
    function u32(at) { if (at + 4 > end) throw new RangeError("exif"); return view.getUint32(at, little); }
    if (u16(start + 2) !== 42) return null;
    function entries(ifd) {
      // tag -> {type, count, value offset (absolute)} of the IFD at ``ifd`` (relative to start)
      var at = start + ifd, found = {}, n = u16(at);
      for (var i = 0; i < n; i++) {
        var entry = at + 2 + i * 12;
        var type = u16(entry + 2), count = u32(entry + 4);
        var size = ({ 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 }[type] || 1) * count;
        found[u16(entry)] = { type: type, count: count, at: size > 4 ? start + u32(entry + 8) : entry + 8 };
      }
      return found;
    }
    var ifd0 = entries(u32(start + 4));
    if (!ifd0[0x8825]) return null;
    var gps = entries(u32(ifd0[0x8825].at));
    function ref(tag) {
      var e = gps[tag];
      return e && e.type === 2 ? String.fromCharCode(view.getUint8(e.at)) : "";
    }
    function degrees(tag) {
      var e = gps[tag];
      if (!e || e.type !== 5 || e.count < 3) return null;
      var value = 0;
      for (var i = 0; i < 3; i++) {
        var num = u32(e.at + i * 8), den = u32(e.at + i * 8 + 4);
        if (!den) return null;
        value += num / den / Math.pow(60, i);
      }
      return value;
    }
    var a = degrees(2), b = degrees(4), aRef = ref(1), bRef = ref(3);
    if (a === null || b === null || !aRef || !bRef) return null;
    if (aRef === "S") a = -a;
    if (bRef === "W") b = -b;
    if (!isFinite(a) || !isFinite(b) || Math.abs(a) > 90 || Math.abs(b) > 180) return null;
    if (a === 0 && b === 0) return null;  // a camera without a fix writes zeros
    return { lat: a, lon: b };
  }

  function jpegGps(buffer) {
    // Walk the JPEG's segments up to the image data, looking for APP1 "Exif\0\0".
    var view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
    var at = 2;
    while (at + 4 <= view.byteLength) {
      var marker = view.getUint16(at);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
      var size = view.getUint16(at + 2);
      var end = Math.min(at + 2 + size, view.byteLength);
      if (marker === 0xffe1 && at + 10 <= end && view.getUint32(at + 4) === 0x45786966 && view.getUint16(at + 8) === 0) {
        try { return tiffGps(view, at + 10, end); } catch (e) { return null; }
      }
      at += 2 + size;
    }
    return null;
  }

  function isJpeg(file) {
    return file.type === "image/jpeg" || /\.jpe?g$/i.test(file.name);
  }

  function placeIsEmpty() {
    return !lat.value.trim() && !lon.value.trim();
  }

  function show(file, point) {
    offered = point;
    text.textContent = box.dataset.found
      .replace("{name}", file.name)
      .replace("{lat}", point.lat.toFixed(5))
      .replace("{lon}", point.lon.toFixed(5));
    done.textContent = "";
    box.hidden = false;
  }

  function hide() {
    offered = null;
    box.hidden = true;
  }

  function set(field, value) {
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));  // the map follows
  }

  input.addEventListener("change", function () {
    hide();
    done.textContent = "";
    if (!placeIsEmpty()) return;  // the citizen has marked the place already
    var files = Array.prototype.filter.call(input.files || [], isJpeg);
    (function next(i) {
      if (i >= files.length) return;
      // The EXIF is in the first segments: 256 KB is more than enough.
      files[i].slice(0, 262144).arrayBuffer().then(function (buffer) {
        var point = jpegGps(buffer);
        if (point && placeIsEmpty()) show(files[i], point); else next(i + 1);
      }, function () { next(i + 1); });
    })(0);
  });

  document.getElementById("photo-place-accept").addEventListener("click", function () {
    if (!offered) return;
    set(lat, offered.lat.toFixed(6));
    set(lon, offered.lon.toFixed(6));
    hide();
    done.textContent = box.dataset.done;
  });

  document.getElementById("photo-place-decline").addEventListener("click", function () {
    // Answered here: the server does not ask again after sending (appeals.photo_place).
    var form = input.form;
    if (form && !form.querySelector("input[type=hidden][name=photo_place]")) {
      var answer = document.createElement("input");
      answer.type = "hidden";
      answer.name = "photo_place";
      answer.value = "skip";
      form.insertBefore(answer, form.firstChild);  // before any button of the same name
    }
    hide();
    input.focus();
  });
})();
