// Draws every element with class "chart" from the Plotly figure in its data-figure attribute,
// in the language of the page (<html lang>): German month names, decimal comma and thousands
// point, and large axis values as "1,5 Mio." / "40 Tsd." (English "1.5M" / "40k").
// Plotly's mode bar offers "Download plot as a png"; the file is named after the chart.
(function () {
  var GERMAN = {
    moduleType: "locale",
    name: "de",
    dictionary: {
      "Download plot as a png": "Diagramm als PNG herunterladen",
      "Zoom": "Zoomen", "Pan": "Verschieben", "Reset axes": "Achsen zurücksetzen",
      "Autoscale": "Automatisch skalieren", "Zoom in": "Vergrößern", "Zoom out": "Verkleinern",
      "Box Select": "Rechteckauswahl", "Lasso Select": "Lassoauswahl",
      "Show closest data on hover": "Nächsten Wert zeigen",
      "Compare data on hover": "Werte vergleichen",
    },
    format: {
      days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
      shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
      months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
        "September", "Oktober", "November", "Dezember"],
      shortMonths: ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt",
        "Nov", "Dez"],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: ".",
    },
  };
  // Words for large values: [factor, German, English], largest first.
  var SCALES = [[1e9, "\u00a0Mrd.", "B"], [1e6, "\u00a0Mio.", "M"], [1e3, "\u00a0Tsd.", "k"]];

  function language() {
    return (document.documentElement.lang || "en").slice(0, 2) === "de" ? "de" : "en";
  }

  function niceStep(span, count) {
    var raw = span / count;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (raw <= steps[i] * power) { return steps[i] * power; }
    }
    return 10 * power;
  }

  function shortNumber(value, lang) {
    var size = Math.abs(value);
    for (var i = 0; i < SCALES.length; i++) {
      if (size >= SCALES[i][0]) {
        var scaled = value / SCALES[i][0];
        var text = scaled.toLocaleString(lang === "de" ? "de-DE" : "en-US",
          { maximumFractionDigits: 1 });
        return text + SCALES[i][lang === "de" ? 1 : 2];
      }
    }
    return value.toLocaleString(lang === "de" ? "de-DE" : "en-US");
  }

  // Ticks written with the scale words for an axis whose values reach 10,000 (Plotly's own
  // "10M" / "40k" are SI prefixes, not how amounts are written).
  function scaleTicks(figure, axis, key, lang) {
    var layoutAxis = figure.layout[axis] || {};
    if (layoutAxis.tickformat || layoutAxis.tickvals || layoutAxis.type === "category" ||
        layoutAxis.type === "date") { return; }
    var values = [];
    figure.data.forEach(function (trace) {
      var owner = (key === "x" ? trace.xaxis : trace.yaxis) || key;
      if (owner.replace(key, key + "axis") !== axis) { return; }
      (trace[key] || []).forEach(function (v) {
        if (typeof v === "number" && isFinite(v)) { values.push(v); }
      });
    });
    if (!values.length) { return; }
    var low = Math.min(0, Math.min.apply(null, values));
    var high = Math.max(0, Math.max.apply(null, values));
    if (Math.max(Math.abs(low), Math.abs(high)) < 1e4) { return; }
    var step = niceStep(high - low, 5);
    var ticks = [];
    for (var t = Math.floor(low / step) * step; t <= high + step / 2; t += step) {
      ticks.push(Math.round(t));
    }
    layoutAxis.tickvals = ticks;
    layoutAxis.ticktext = ticks.map(function (v) { return shortNumber(v, lang); });
    figure.layout[axis] = layoutAxis;
  }

  function localize(figure, lang) {
    figure.layout = figure.layout || {};
    figure.layout.separators = lang === "de" ? ",." : ".,";
    Object.keys(figure.layout).concat(["xaxis", "yaxis"]).forEach(function (axis) {
      var match = /^([xy])axis\d*$/.exec(axis);
      if (match) { scaleTicks(figure, axis, match[1], lang); }
    });
    return figure;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var lang = language();
    if (lang === "de") { Plotly.register(GERMAN); }
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var figure = localize(JSON.parse(el.dataset.figure), lang);
      Plotly.newPlot(el, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
        locale: lang,
        toImageButtonOptions: { format: "png", filename: el.dataset.filename || "chart" },
      }).then(function () { el.dataset.rendered = "true"; });
    });
  });
})();
