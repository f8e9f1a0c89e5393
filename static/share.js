// "Bagikan" on a held meeting: the phone's share sheet (Web Share API), else the clipboard, else the text to copy.
(function () {
  "use strict";

  function say(button, message) {
    var out = button.parentNode.querySelector(".share-status");
    if (out) { out.textContent = message; }
  }

  function copy(button, text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(
        function () { say(button, button.getAttribute("data-copied")); },
        function () { say(button, button.getAttribute("data-failed") + " " + text); }
      );
    } else {
      say(button, button.getAttribute("data-failed") + " " + text);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-share-text]") : null;
    if (!button) { return; }
    var text = button.getAttribute("data-share-text");
    var data = { title: button.getAttribute("data-share-title"), text: text };
    if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
      navigator.share(data).catch(function (error) {
        if (!error || error.name !== "AbortError") { copy(button, text); }
      });
    } else {
      copy(button, text);
    }
  });
})();
