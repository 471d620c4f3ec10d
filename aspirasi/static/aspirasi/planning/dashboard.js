/* Planner dashboard: draws the charts from the JSON the page embeds (no network requests). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("planning-data").textContent);
  var charts = {};

  function bars(id, rows) {
    return new Chart(document.getElementById(id), {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.name; }),
        datasets: [
          { label: "Usulan", data: rows.map(function (r) { return r.count; }) },
          { label: "Dukungan", data: rows.map(function (r) { return r.votes; }) }
        ]
      },
      options: { animation: false, responsive: true, indexAxis: "y" }
    });
  }

  charts.pillars = bars("chart-pillars", data.pillars);
  charts.kecamatan = bars("chart-kecamatan", data.kecamatan);
  charts.votes = new Chart(document.getElementById("chart-votes"), {
    type: "line",
    data: {
      labels: data.votes_per_day.map(function (r) { return r.day; }),
      datasets: [{ label: "Dukungan per hari", data: data.votes_per_day.map(function (r) { return r.count; }) }]
    },
    options: { animation: false, responsive: true }
  });
  window.planningCharts = charts;
})();
