// Times in the viewer's time zone. The server writes UTC: it stays in the title (hover) and is what
// shows without JavaScript.
(function () {
  var format = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
                 second: "2-digit", timeZoneName: "short" };
  document.querySelectorAll("time[datetime]").forEach(function (element) {
    var when = new Date(element.getAttribute("datetime"));
    if (!isNaN(when.getTime())) element.textContent = when.toLocaleString(undefined, format);
  });
})();
