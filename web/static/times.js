// Times in the viewer's time zone. The server writes UTC: it stays in the title (hover) and is what
// shows without JavaScript. A countdown (time[data-countdown]) counts down to its time instead; a time
// written in the zone of the viewer's people.yaml entry (time[data-zone]) stays as written.
(function () {
  var format = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
                 second: "2-digit", timeZoneName: "short" };

  function localTimes(root) {
    root.querySelectorAll("time[datetime]:not([data-countdown]):not([data-zone])").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (!isNaN(when.getTime())) element.textContent = when.toLocaleString(undefined, format);
    });
  }

  // Past two days as the server writes a length (incidents/durations.py: "3 days 2 h"); below, it ticks.
  function span(seconds) {
    if (seconds >= 172800) {
      var days = Math.floor(seconds / 86400), hours = Math.floor(seconds % 86400 / 3600);
      return days + " days" + (hours ? " " + hours + " h" : "");
    }
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }

  function countdowns() {
    document.querySelectorAll("time[data-countdown]").forEach(function (element) {
      var left = Math.round((new Date(element.getAttribute("datetime")) - Date.now()) / 1000);
      element.textContent = left >= 0 ? "in " + span(left) : "overdue by " + span(-left);
      element.classList.toggle("late", left < 0);
    });
  }

  window.incidentTimes = function (root) { localTimes(root); countdowns(); };
  window.incidentTimes(document);
  setInterval(countdowns, 1000);
})();
