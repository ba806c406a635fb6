// Quick exit: the Exit button or Shift pressed three times replaces this page with a neutral one.
// location.replace() leaves nothing of this site in the back button's history for that tab.
(function () {
  "use strict";
  var button = document.getElementById("exit-this-page");
  var target = (button && button.getAttribute("data-exit-url")) || "https://www.bbc.co.uk/weather";

  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    document.title = "";
    window.location.replace(target);
  }

  if (button) { button.addEventListener("click", leave); }

  var presses = 0;
  var timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) { return; }
    presses += 1;
    clearTimeout(timer);
    if (presses >= 3) { presses = 0; leave(null); return; }
    timer = setTimeout(function () { presses = 0; }, 1000);
  });
})();
