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
  // File inputs in Chinese whatever the browser's language (Chromium says "Choose File / No file chosen"):
  // the real input stays in the form and in the tab order, visually replaced by a 「选择文件」 label button.
  document.querySelectorAll("input[type=file]").forEach(function (input) {
    if (!input.id || input.closest(".file-pick")) { return; }
    var box = document.createElement("span");
    box.className = "file-pick";
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    var button = document.createElement("label");
    button.className = "btn btn-secondary file-button";
    button.htmlFor = input.id;
    button.textContent = input.multiple ? "选择文件（可多选）" : "选择文件";
    var name = document.createElement("span");
    name.className = "file-name";
    name.setAttribute("aria-live", "polite");
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      name.textContent = files.length ? "已选：" + files.join("、") : "未选择文件";
    }
    show();
    input.addEventListener("change", show);
    box.appendChild(button);
    box.appendChild(name);
  });
  // Date, month and time pickers show the browser's own format (11/24/2026 in an English browser): a Chinese
  // hint beside the label says how to fill them; Django's empty choice "---------" reads 「请选择」.
  var hints = { date: "点日历图标选日期", month: "点日历图标选年份和月份", time: "时:分", "datetime-local": "点日历图标选日期和时间" };
  document.querySelectorAll("input[type=date], input[type=month], input[type=time], input[type=datetime-local]").forEach(function (input) {
    var label = input.id && document.querySelector('label[for="' + input.id + '"]');
    if (!label || label.querySelector(".date-hint")) { return; }
    var hint = document.createElement("span");
    hint.className = "date-hint";
    hint.textContent = "（" + hints[input.type] + "）";
    label.appendChild(document.createTextNode(" "));
    label.appendChild(hint);
  });
  document.querySelectorAll("select option").forEach(function (o) {
    if (/^-{3,}$/.test(o.textContent.trim())) { o.textContent = "请选择"; }
  });
  // A table wider than the phone scrolls sideways: say so, above it (the shadow at its edge is the CSS cue).
  function markScroll() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      var wide = w.scrollWidth > w.clientWidth + 2;
      w.classList.toggle("is-scrollable", wide);
      var cue = w.previousElementSibling;
      var has = cue && cue.classList.contains("scroll-cue");
      if (wide && !has) {
        cue = document.createElement("p");
        cue.className = "scroll-cue";
        cue.textContent = "表格较宽：左右滑动查看更多 ⇆";
        w.parentNode.insertBefore(cue, w);
      } else if (!wide && has) {
        cue.remove();
      }
    });
  }
  markScroll();
  window.addEventListener("resize", markScroll);
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.nav-collapse").forEach(function (d) { d.open = false; });
  }
});
