// The victim's case page: while files are still being read, ask the case's progress address every few
// seconds and put each file's state in its row (textContent only: the answer holds fixed words, but no
// answer is ever treated as HTML). When the last file is read, the page's own "What we found" section and
// evidence table are fetched again and swapped in, so the details appear without a reload.
// Without JavaScript, the page refreshes itself (a meta refresh in <noscript>) and has a "Check again" link.
(function () {
  "use strict";

  var root = document.getElementById("reading-progress");
  if (!root || !window.fetch) { return; }
  var progressUrl = root.getAttribute("data-progress-url");
  var pageUrl = root.getAttribute("data-page-url");
  if (root.getAttribute("data-pending") === "0") { return; }
  var EVERY_MS = 3000;
  var MAX_POLLS = 1200; // an hour: then the "Check again" link is left
  var polls = 0;

  function say(text, pending) {
    var box = document.getElementById("reading-pending");
    if (!box) {
      box = document.createElement("p");
      box.id = "reading-pending";
      box.className = "panel";
      box.setAttribute("role", "status");
      root.appendChild(box);
    }
    box.textContent = text + " ";
    var link = document.createElement("a");
    link.href = pageUrl;
    link.id = "check-again";
    link.textContent = pending ? "Check again" : "Show what we found";
    box.appendChild(link);
  }

  function swapFromPage() {
    // Our own page, parsed inertly (no script in it runs), its two parts moved into this one.
    return fetch(pageUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        if (!answer.ok) { throw new Error("page " + answer.status); }
        return answer.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["evidence-list", "file-notes-place"].forEach(function (id) {
          var now = document.getElementById(id);
          var then = fresh.getElementById(id);
          if (now && then) { now.replaceWith(document.importNode(then, true)); }
        });
        say("We have finished reading your files.", false);
      });
  }

  function update(answer) {
    (answer.items || []).forEach(function (row) {
      var cell = document.getElementById("progress-" + String(Number(row.id)));
      if (cell && typeof row.words === "string") {
        cell.textContent = row.words;
        cell.setAttribute("data-pending", row.pending ? "1" : "0");
      }
    });
    var pending = Number(answer.pending) || 0;
    if (pending > 0) {
      say("We are still reading " + pending + (pending === 1 ? " file." : " files.") +
        " This can take a minute.", true);
      return false;
    }
    return true;
  }

  function poll() {
    polls += 1;
    fetch(progressUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) {
          if (answer.status < 500) { polls = MAX_POLLS; } // the page has closed: asking again will not help
          throw new Error("progress " + answer.status);
        }
        return answer.json();
      })
      .then(function (answer) {
        if (update(answer)) { return swapFromPage(); }
        if (polls < MAX_POLLS) { window.setTimeout(poll, EVERY_MS); }
        return null;
      })
      .catch(function () {
        // The page closed (30 minutes) or the network went: the link still works.
        say("We could not check just now.", true);
        if (polls < MAX_POLLS) { window.setTimeout(poll, EVERY_MS * 3); }
      });
  }

  window.setTimeout(poll, EVERY_MS);
}());
