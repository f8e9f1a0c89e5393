// Behaviour that must work under the page's Content-Security-Policy (no inline scripts).
(function () {
  "use strict";
  var RETRY_MS = 5000;

  function flash(message) {
    var box = document.getElementById("flash");
    if (box) { box.innerHTML = '<p class="alert error" role="alert"></p>'; box.firstChild.textContent = message; }
  }

  function english() { return document.documentElement.lang === "en"; }

  // A roll-call tap that never reached the server (no signal) is kept on screen as "pending" and sent again
  // when the connection returns. Taps carry the status they set, so sending one twice changes nothing.
  function retryLater(form) {
    var row = form.closest("li.roll-row");
    if (row) { row.classList.add("pending"); }
    var again = function () {
      window.removeEventListener("online", again);
      if (document.body.contains(form)) { htmx.trigger(form, "submit"); }
    };
    window.addEventListener("online", again);
    setTimeout(again, RETRY_MS);
  }

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form.tap-form") : null;
    if (form) { retryLater(form); return; }
    flash(english() ? "No connection. Nothing was saved; try again." : "Tidak ada sinyal. Belum tersimpan; coba lagi.");
  });
})();
