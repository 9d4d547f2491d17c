// Times in the viewer's time zone, in one format on every page: "26 Nov, 03:00" (the year only when it
// is not this year), and "03:00" on a line under its day (time[data-format="hm"], the timeline), whose
// day separators ([data-days] lists) are regrouped by the viewer's day. The server writes UTC: it stays
// in the title (hover) and is what shows without JavaScript. A countdown (time[data-countdown]) counts
// down to its time instead; a time written in the zone of the viewer's people.yaml entry
// (time[data-zone]) stays as written.
(function () {
  var thisYear = new Date().getFullYear();
  var clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

  function stamp(when) {
    var format = { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (when.getFullYear() !== thisYear) format.year = "numeric";
    return when.toLocaleString(undefined, format);
  }

  function localTimes(root) {
    root.querySelectorAll("time[datetime]:not([data-countdown]):not([data-zone])").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      element.textContent = element.getAttribute("data-format") === "hm"
        ? when.toLocaleTimeString(undefined, clock) : stamp(when);
    });
  }

  // The server's separators are UTC days; the viewer's day may start hours earlier or later.
  function days(root) {
    var lists = root.matches && root.matches("[data-days]") ? [root] : root.querySelectorAll("[data-days]");
    Array.prototype.forEach.call(lists, function (list) {
      Array.prototype.slice.call(list.children).forEach(function (item) {
        if (item.classList.contains("day")) list.removeChild(item);
      });
      var last = null;
      Array.prototype.forEach.call(list.children, function (item) {
        var time = item.querySelector('time[data-format="hm"]');
        var when = time && new Date(time.getAttribute("datetime"));
        if (!when || isNaN(when.getTime()) || when.toDateString() === last) return;
        last = when.toDateString();
        var separator = document.createElement("li");
        separator.className = "day";
        separator.textContent = when.toLocaleDateString(undefined,
          { weekday: "short", day: "numeric", month: "short", year: "numeric" });
        list.insertBefore(separator, item);
      });
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

  window.incidentTimes = function (root) { localTimes(root); days(root); countdowns(); };
  window.incidentTimes(document);
  setInterval(countdowns, 1000);
})();
