// Draws every element with class "chart" from the Plotly figure in its data-figure attribute.
// Plotly's mode bar offers "Download plot as a png"; the file is named after the chart.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
    var figure = JSON.parse(el.dataset.figure);
    Plotly.newPlot(el, figure.data, figure.layout, {
      displaylogo: false,
      responsive: true,
      toImageButtonOptions: { format: "png", filename: el.dataset.filename || "chart" },
    }).then(function () { el.dataset.rendered = "true"; });
  });
});
