// The dashboard's map: the points of the page (json_script) on Leaflet, with the tile server the
// page names, or on a blank background when none is configured (nothing fetched from outside).
(function () {
  "use strict";
  var element = document.getElementById("dash-map");
  var data = document.getElementById("dash-map-points");
  if (!element || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
  var map = L.map(element, { preferCanvas: true });
  var tiles = element.getAttribute("data-tile-url");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") || "" }).addTo(map);
  }
  // Leaflet puts a string tooltip in as HTML: the topic is an officer's words, so the tooltip is
  // a text node, never markup.
  function tooltip(p) {
    var span = document.createElement("span");
    span.textContent = p.code + " · " + p.topic + " · " + p.on;
    return span;
  }
  var bounds = [];
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lng], { radius: 5, color: "#b3261e", weight: 1, fillOpacity: 0.7 })
      .bindTooltip(tooltip(p))
      .addTo(map);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length === 1) map.setView(bounds[0], 14);
  else map.fitBounds(bounds, { padding: [20, 20] });
})();
