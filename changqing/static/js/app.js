// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // On phones the menu starts folded so the page content is visible first.
  // One menu group open at a time; a click elsewhere closes it.
  var groups = document.querySelectorAll(".nav-group > details");
  groups.forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (d.open) groups.forEach(function (o) { if (o !== d) o.open = false; });
    });
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest(".nav-group")) groups.forEach(function (d) { d.open = false; });
  });
  // 打印 buttons (no inline onclick: the Content-Security-Policy allows no inline script).
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // A print version asked for by a link (?print=1, logged by the export gate): open the print dialog once loaded.
  if (document.querySelector("[data-print-now]")) {
    window.addEventListener("load", function () { window.print(); });
  }
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.nav-collapse").forEach(function (d) { d.open = false; });
  }
});
