// After "Exit this page" (or Shift three times), the Back button must not show this site again.
// quick-exit.js leaves a one-word mark in this tab's sessionStorage as it leaves (no answer, nothing about
// the visit); a page of this site reached by Back or Forward while the mark is there is hidden at once and
// replaced by the neutral page. Coming to the site in any other way (a link, typing the address, reload)
// clears the mark. This script is loaded without `defer`, so it runs before anything is painted.
(function () {
  "use strict";
  var KEY = "sxr-left";
  var meta = document.querySelector('meta[name="sxr-exit-url"]');
  var target = (meta && meta.content) || "about:blank";

  function marked() {
    try { return window.sessionStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function away() {
    document.documentElement.style.visibility = "hidden";
    window.location.replace(target);
  }

  var nav = window.performance && performance.getEntriesByType ?
    performance.getEntriesByType("navigation")[0] : null;
  if (marked()) {
    if (nav && nav.type === "back_forward") {
      away();
    } else {
      try { window.sessionStorage.removeItem(KEY); } catch (e) { /* storage off: nothing was marked */ }
    }
  }
  // A page kept whole in the back-forward cache does not run scripts again: it fires pageshow.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && marked()) { away(); }
  });
})();
