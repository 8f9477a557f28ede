// 收缴登记: 「全部已缴」 ticks every member's box.
document.addEventListener("DOMContentLoaded", function () {
  var btn = document.getElementById("tick-all");
  if (btn) btn.addEventListener("click", function () {
    document.querySelectorAll("#sheet-form input[type=checkbox][name^=pay_]").forEach(function (c) { c.checked = true; });
  });
});
