/* Aleppo Frontline Map: draws the filtered places from compact rows (dashboard/layers.py).
 *
 * Every popup and tooltip is built with the DOM API (textContent), never from HTML strings:
 * report text (evidence sentences, titles, sources) is untrusted and is always shown as text.
 *
 * Row: [lat, lon, isArea, size, colour, cls, nameAr, nameEn, kind, code, precision,
 *       events, killed, injured, first, last, domType, domSide, evidence, more]
 * evidence item: [date, eventType, killed, source, url, text]
 */
window.AFM = window.AFM || (function () {
  "use strict";

  function el(tag, cls, text, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== null && text !== undefined && text !== "") e.textContent = String(text);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    return e;
  }

  function ar(text) { return el("span", "ar", text, {dir: "rtl", lang: "ar"}); }

  function safeUrl(u) { return (typeof u === "string" && /^https?:\/\/[^\s]+$/i.test(u)) ? u : null; }

  function popup(r) {
    var box = el("div", "afm-popup");
    var names = el("div", "names");
    names.appendChild(ar(r[6]));
    names.appendChild(document.createTextNode("  |  "));
    names.appendChild(el("span", "en", r[7], {dir: "ltr"}));
    box.appendChild(names);
    box.appendChild(el("div", "meta", [r[8], r[9], "location: " + r[10]].filter(Boolean).join(" · ")));
    var t = el("table"), row = el("tr");
    [["events", r[11]], ["killed", r[12]], ["injured", r[13]]].forEach(function (p) {
      row.appendChild(el("td", null, p[0]));
      var v = el("td"); v.appendChild(el("b", null, String(p[1]))); row.appendChild(v);
    });
    t.appendChild(row);
    var row2 = el("tr"), c = el("td", null, [r[14] + (r[15] && r[15] !== r[14] ? " – " + r[15] : ""), r[16], r[17]]
      .filter(Boolean).join(" · "), {colspan: "6"});
    row2.appendChild(c); t.appendChild(row2); box.appendChild(t);
    var ev = r[18] || [];
    if (ev.length) {
      var ol = el("ol", null, null, {dir: "rtl"});
      ev.forEach(function (e) {
        var li = el("li");
        li.appendChild(el("div", "ev", e[5], {dir: "rtl", lang: "ar"}));
        var src = el("div", "src", [e[0], e[1], (e[2] !== null && e[2] !== undefined) ? "killed " + e[2] : "", e[3]]
          .filter(function (x) { return x !== "" && x !== null && x !== undefined; }).join(" · "), {dir: "ltr"});
        var u = safeUrl(e[4]);
        if (u) {
          src.appendChild(document.createTextNode(" · "));
          src.appendChild(el("a", null, "link", {href: u, target: "_blank", rel: "noopener noreferrer nofollow"}));
        }
        li.appendChild(src);
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    if (r[19] > 0) box.appendChild(el("div", "meta", "+ " + r[19] + " more event(s): see the events table"));
    return box;
  }

  function tooltip(r) {
    var d = el("div", "afm-tip");
    d.appendChild(ar(r[6]));
    d.appendChild(document.createTextNode(" | " + (r[7] || "") + ": " + r[11] + " events, " + r[12] + " killed"));
    return d;
  }

  function layer(rows, cluster, clusterOptions) {
    var g = cluster ? L.markerClusterGroup(clusterOptions || {}) : L.featureGroup();
    var shapes = [];
    rows.forEach(function (r) {
      var m = r[2]
        ? L.circle([r[0], r[1]], {radius: r[3], color: r[4], weight: 2, dashArray: "6 6", fill: true,
            fillColor: r[4], fillOpacity: 0.06, className: "afm-area " + r[5]})
        : L.circleMarker([r[0], r[1]], {radius: r[3], color: "#ffffff", weight: 1.5, fill: true,
            fillColor: r[4], fillOpacity: 0.85, className: "afm-place " + r[5]});
      // registered first: the dashboard reads the clicked place from the click's latlng
      // (streamlit-folium's last_object_clicked), so make it the place's own point
      m.on("click", function (e) { e.latlng = L.latLng(r[0], r[1]); });
      m.bindPopup(function () { return popup(r); }, {maxWidth: 420});
      m.bindTooltip(tooltip(r), {sticky: true});
      shapes.push(m);
    });
    if (cluster) g.addLayers(shapes); else shapes.forEach(function (m) { g.addLayer(m); });
    return g;
  }

  return {layer: layer, popup: popup, tooltip: tooltip};
})();
