// The fault pages: 返回上一页 goes back in history (the form keeps what was typed) instead of reloading it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-back]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
});
