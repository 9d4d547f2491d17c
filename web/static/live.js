// The incident page, live: every 5 s ask /incidents/INC-n/live for the version; when it changed,
// fetch the page again and swap each [data-live] section that differs, except one being used (it
// holds the focus, a form with unsaved input, or opened details). Also the "Copy as text" button.
(function () {
  var article = document.querySelector("article[data-live-url]");
  if (!article) return;
  var EVERY = 5000;

  function dirty(section) {
    if (section.contains(document.activeElement) && document.activeElement !== document.body) return true;
    if (section.querySelector("details[open]")) return true;  // someone is reading the labels
    // A refused form, as typed, with its errors (a form's own error, `_schema`, marks no field).
    if (section.querySelector("[aria-invalid=true], .error-text[role=alert]")) return true;
    return Array.prototype.some.call(section.querySelectorAll("input, textarea, select"), function (field) {
      if (field.type === "hidden") return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") {
        var chosen = Array.prototype.findIndex.call(field.options, function (o) { return o.defaultSelected; });
        return field.selectedIndex !== Math.max(chosen, 0);
      }
      return field.value !== field.defaultValue;
    });
  }

  function swap(fresh) {
    var waiting = false;
    fresh.querySelectorAll("[data-live]").forEach(function (next) {
      var current = article.querySelector('[data-live="' + next.getAttribute("data-live") + '"]');
      if (!current || current.innerHTML === next.innerHTML) return;
      if (dirty(current)) { waiting = true; return; }
      current.innerHTML = next.innerHTML;
      window.incidentTimes(current);
      current.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
    });
    return waiting;
  }

  function refresh(version) {
    // After a refused form the address is the form's (a POST): the page itself is the live URL without /live.
    var page = article.getAttribute("data-live-url").replace(/\/live$/, "");
    var here = location.pathname === page ? location.pathname + location.search : page;
    return fetch(here, { credentials: "same-origin" })
      .then(function (answer) { return answer.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        // A section being typed into is swapped on a later poll, so keep the old version until then.
        if (!swap(fresh)) article.setAttribute("data-version", version);
      });
  }

  function poll() {
    fetch(article.getAttribute("data-live-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (body) {
        if (body && body.version !== article.getAttribute("data-version")) return refresh(body.version);
      })
      .catch(function () {})  // offline for a moment: the next poll tries again
      .then(function () { setTimeout(poll, EVERY); });
  }
  setTimeout(poll, EVERY);

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var said = article.querySelector(".copied");
    fetch(button.getAttribute("data-copy"), { credentials: "same-origin" })
      .then(function (answer) { return answer.text(); })
      .then(function (text) { return navigator.clipboard.writeText(text); })
      .then(function () { said.textContent = "Copied."; },
            function () { said.textContent = "Could not copy: open the text link instead."; });
  });
  article.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
})();
