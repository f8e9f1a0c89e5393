// Behaviour that must work with the page's Content-Security-Policy (no inline scripts).
document.addEventListener("htmx:sendError", function () {
  var flash = document.getElementById("flash");
  if (flash) { flash.innerHTML = '<p class="alert error" role="alert">' + (document.documentElement.lang === "en"
    ? "No connection. Your last tap was not saved; try again." : "Tidak ada sinyal. Ketukan terakhir belum tersimpan; coba lagi.") + "</p>"; }
});
