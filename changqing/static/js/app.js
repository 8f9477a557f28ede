// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // On phones the menu starts folded so the page content is visible first.
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.nav-collapse").forEach(function (d) { d.open = false; });
  }
});
