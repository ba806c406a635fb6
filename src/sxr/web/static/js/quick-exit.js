// Quick exit: the Exit button or Shift pressed three times replaces this page with a neutral one.
// location.replace() swaps only the current history entry, so the site also moves between its own pages
// with location.replace(): the whole visit then holds one entry in the tab's history, and leaving by the
// Exit button replaces it, leaving nothing of this site for the back button to return to.
// (Without JavaScript, pages still work; links and forms then add history entries as usual.)
(function () {
  "use strict";
  var button = document.getElementById("exit-this-page");
  // The region's neutral page (guidance content), on <body> so Shift three times works on every page.
  var target = document.body.getAttribute("data-exit-url") || "about:blank";
  var leaving = false;

  function leave(event) {
    if (event) { event.preventDefault(); }
    leaving = true;
    // left.js sends Back and Forward on to the neutral page too (the mark says nothing else).
    try { window.sessionStorage.setItem("sxr-left", "1"); } catch (e) { /* storage off: Exit still works */ }
    document.body.style.display = "none";
    document.title = "";
    window.location.replace(target);
  }

  if (button) { button.addEventListener("click", leave); }

  var presses = 0;
  var timer = null;
  document.addEventListener("keydown", function (event) {
    // Any other key resets the count, so typing capital letters (Shift+A, Shift+B...) never exits.
    if (event.key !== "Shift") { presses = 0; return; }
    if (event.repeat) { return; }
    presses += 1;
    clearTimeout(timer);
    if (presses >= 3) { presses = 0; leave(null); return; }
    timer = setTimeout(function () { presses = 0; }, 1000);
  });

  function sameSite(url) {
    return url.origin === window.location.origin;
  }

  // Links within the site: replace this history entry instead of adding one.
  document.addEventListener("click", function (event) {
    if (leaving || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link === button || link.hasAttribute("download") ||
        (link.target && link.target !== "_self")) { return; }
    var url = new URL(link.href, window.location.href);
    if (!sameSite(url)) { return; }
    // In-page links (skip link, error summary) move focus; they must not reload the page.
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) {
      return;
    }
    event.preventDefault();
    window.location.replace(url.href);
  });

  // GET forms within the site (the plan questions): the same, with the answers in the query string.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (leaving || event.defaultPrevented || !form || (form.method || "get").toLowerCase() !== "get") { return; }
    var url = new URL(form.action || window.location.href, window.location.href);
    if (!sameSite(url) || (form.target && form.target !== "_self")) { return; }
    var data = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
    var params = new URLSearchParams();
    data.forEach(function (value, key) {
      if (typeof value === "string") { params.append(key, value); }
    });
    url.search = params.toString();
    event.preventDefault();
    window.location.replace(url.href);
  });
})();
