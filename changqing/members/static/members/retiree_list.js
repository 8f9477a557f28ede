/* Fifteen filters push the names below the fold on a phone: keep the search box and the
   button in view and fold the rest into 「更多筛选条件」, open when one of them is in use. */
(function () {
  var form = document.querySelector("form.filters");
  if (!form) return;
  var fields = Array.prototype.slice.call(form.querySelectorAll(":scope > .field"));
  var more = fields.filter(function (f) { return !f.querySelector("#id_q") && !f.querySelector("button"); });
  if (!more.length) return;
  var used = more.filter(function (f) { var i = f.querySelector("input, select"); return i && i.value; }).length;
  var details = document.createElement("details");
  details.className = "more-filters";
  details.open = used > 0;
  var summary = document.createElement("summary");
  summary.textContent = "更多筛选条件" + (used ? "（已选 " + used + " 项）" : "");
  details.appendChild(summary);
  var box = document.createElement("div");
  box.className = "filters-more";
  more.forEach(function (f) { box.appendChild(f); });
  details.appendChild(box);
  var button = fields[fields.length - 1];
  form.insertBefore(details, button);
})();
