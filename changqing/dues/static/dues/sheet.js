// 收缴登记: the name filter, 「全部勾选」 and the count of changes on the sticky save bar.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("sheet-form");
  if (!form) return;
  var boxes = form.querySelectorAll("input[type=checkbox][name^=pay_]");
  var count = document.getElementById("change-count");

  function updateCount() {
    if (!count) return;
    var n = 0;
    boxes.forEach(function (c) { if (c.checked) n += 1; });
    count.textContent = "已勾选 " + n + " 人";
  }
  boxes.forEach(function (c) { c.addEventListener("change", updateCount); });
  updateCount();

  var btn = document.getElementById("tick-all");
  if (btn) btn.addEventListener("click", function () {
    boxes.forEach(function (c) {
      var row = c.closest(".dues-row");
      if (!row || !row.hidden) c.checked = true;  // only the rows the filter shows
    });
    updateCount();
  });

  var filter = document.getElementById("sheet-filter");
  var none = document.getElementById("sheet-none");
  if (filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase().replace(/\s+/g, "");
      var shown = 0;
      form.querySelectorAll(".dues-row[data-member]").forEach(function (row) {
        var hit = !q || (row.getAttribute("data-name") || "").indexOf(q) >= 0 ||
          (row.getAttribute("data-pinyin") || "").indexOf(q) === 0 ||
          (row.getAttribute("data-initials") || "").indexOf(q) === 0;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      if (none) none.hidden = shown > 0;
    });
  }

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
