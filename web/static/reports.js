// Charts of /reports, drawn by Chart.js (web/static/vendor/chartjs) from the page's own data. Without
// JavaScript the section stays hidden and the tables say the same.
(function () {
  var source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  document.getElementById("charts").hidden = false;
  var minutes = function (seconds) { return seconds === null ? null : Math.round(seconds / 6) / 10; };
  var options = { responsive: true, maintainAspectRatio: false, animation: false };

  new Chart(document.getElementById("chart-times"), {
    type: "bar",
    data: {
      labels: data.by_severity.map(function (g) { return g.severity; }),
      datasets: [
        { label: "MTTA", data: data.by_severity.map(function (g) { return minutes(g.mtta_seconds); }), backgroundColor: "#0b5cad" },
        { label: "MTTR", data: data.by_severity.map(function (g) { return minutes(g.mttr_seconds); }), backgroundColor: "#c4320a" }
      ]
    },
    options: options
  });

  var targets = data.target_names;  // in the playbook's order (JSON objects come back sorted)
  new Chart(document.getElementById("chart-targets"), {
    type: "bar",
    data: {
      labels: targets,
      datasets: [{
        label: "met (%)",
        data: targets.map(function (name) {
          var share = data.total.targets[name].met_share;
          return share === null ? null : Math.round(share * 1000) / 10;
        }),
        backgroundColor: "#067647"
      }]
    },
    options: Object.assign({}, options, { scales: { y: { min: 0, max: 100 } } })
  });

  new Chart(document.getElementById("chart-services"), {
    type: "bar",
    data: {
      labels: data.by_service.map(function (g) { return g.service; }),
      datasets: [
        { label: "resolved", data: data.by_service.map(function (g) { return g.resolved; }), backgroundColor: "#067647" },
        { label: "open", data: data.by_service.map(function (g) { return g.open; }), backgroundColor: "#b42318" }
      ]
    },
    options: Object.assign({}, options, { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } })
  });
})();
