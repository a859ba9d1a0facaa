// A chart bar carrying the URL of its rows (Plotly customdata, a path on this site) opens the
// list of those rows when clicked; the page lists the same links for keyboard users.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
    function attach() {
      // charts.js draws the chart; Plotly adds the event methods once it has.
      if (typeof el.on !== "function") { window.setTimeout(attach, 50); return; }
      el.on("plotly_click", function (event) {
        var url = event.points && event.points[0] && event.points[0].customdata;
        if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
          window.location.assign(url);
        }
      });
    }
    attach();
  });
});
