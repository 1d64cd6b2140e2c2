// Live parts of a page: every element with data-live="URL" asks URL for its new content every few
// seconds and takes it, unless the person is typing inside it. No other script runs on Sojourn's pages.
(function () {
  "use strict";
  var regions = document.querySelectorAll("[data-live]");
  var every = Number(document.body.getAttribute("data-live-seconds") || "2") * 1000;
  function refresh(region) {
    var url = region.getAttribute("data-live");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign("/login?next=" + window.location.pathname); }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || region.contains(document.activeElement)) { return; }
        if (region.getAttribute("data-last") !== html) {
          region.innerHTML = html;
          region.setAttribute("data-last", html);
        }
      })
      .catch(function () { /* the next round tries again */ });
  }
  regions.forEach(function (region) {
    if (region.hasAttribute("data-live-once")) { refresh(region); return; }
    window.setInterval(function () { refresh(region); }, every);
  });
})();
