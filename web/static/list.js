// The incident list, live: every 15 s while the tab is shown, fetch this page again (same search, filters
// and page) and swap the list when it changed. The search form is outside the swapped part: typing is kept.
(function () {
  var list = document.querySelector("[data-list-live]");
  if (!list) return;
  var EVERY = 15000;

  function refresh() {
    if (document.visibilityState !== "visible") return Promise.resolve();
    return fetch(location.pathname + location.search, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-list-live]");
        if (fresh && fresh.innerHTML !== list.innerHTML) {
          list.innerHTML = fresh.innerHTML;
          if (window.incidentTimes) window.incidentTimes(list);
        }
      });
  }

  function poll() {
    refresh().catch(function () {}).then(function () { setTimeout(poll, EVERY); });  // offline: try again later
  }
  setTimeout(poll, EVERY);
})();
