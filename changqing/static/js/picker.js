// 选人控件 (members/picker.py): a search box over a pinyin-sorted <select>.
// Type characters, full pinyin or initials; the people the task concerns come first. Without this script the
// plain <select> still works.
(function () {
  "use strict";
  var LIMIT = 8;

  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }

  function people(select) {
    var out = [];
    Array.prototype.forEach.call(select.options, function (o, i) {
      if (!o.value) return;
      out.push({
        value: o.value, label: o.textContent, index: i,
        name: o.getAttribute("data-name") || o.textContent,
        pinyin: o.getAttribute("data-pinyin") || "",
        initials: o.getAttribute("data-initials") || "",
        concerned: o.getAttribute("data-concerned") === "1"
      });
    });
    return out;
  }

  // 0 = initials or pinyin start with the query, 1 = the name contains it, 2 = the pinyin contains it.
  function rank(p, q) {
    if (p.initials.indexOf(q) === 0 || p.pinyin.indexOf(q) === 0 || p.name.indexOf(q) === 0) return 0;
    if (p.name.indexOf(q) >= 0 || p.label.indexOf(q) >= 0) return 1;
    if (p.pinyin.indexOf(q) >= 0) return 2;
    return -1;
  }

  function matches(list, q) {
    if (!q) return list.filter(function (p) { return p.concerned; });
    var hits = [];
    list.forEach(function (p) {
      var r = rank(p, q);
      if (r >= 0) hits.push({ p: p, r: r });
    });
    hits.sort(function (a, b) {
      return (a.r - b.r) || ((b.p.concerned ? 1 : 0) - (a.p.concerned ? 1 : 0)) || (a.p.index - b.p.index);
    });
    return hits.map(function (h) { return h.p; });
  }

  function enhance(select) {
    var list = people(select);
    var box = select.closest(".picker") || select.parentNode;
    var label = document.querySelector("label[for='" + select.id + "']");
    var search = document.createElement("input");
    search.type = "search";
    search.className = "picker-search";
    search.setAttribute("autocomplete", "off");
    search.placeholder = "输入拼音、首字母或姓名";
    search.setAttribute("aria-label", "查找" + (label ? label.textContent.replace("*", "").trim() : "人员"));
    var results = document.createElement("ul");
    results.className = "picker-results";
    results.setAttribute("aria-live", "polite");
    var chosen = document.createElement("p");
    chosen.className = "picker-chosen";
    chosen.setAttribute("aria-live", "polite");
    var hint = box.querySelector(".picker-hint");
    if (hint) hint.hidden = true;  // the search box's placeholder says it
    box.insertBefore(chosen, box.firstChild);
    box.insertBefore(results, box.firstChild);
    box.insertBefore(search, box.firstChild);

    function showChosen() {
      var o = select.options[select.selectedIndex];
      chosen.textContent = o && o.value ? "已选：" + o.textContent : "";
    }

    function render() {
      var q = norm(search.value);
      var hits = matches(list, q);
      results.innerHTML = "";
      if (!q && hits.length) {
        var head = document.createElement("li");
        head.className = "picker-head";
        head.textContent = "需要关注";
        results.appendChild(head);
      }
      hits.slice(0, LIMIT).forEach(function (p) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "picker-option" + (p.concerned ? " is-concerned" : "") + (p.value === select.value ? " is-chosen" : "");
        b.setAttribute("data-value", p.value);
        b.textContent = p.label;
        b.addEventListener("click", function () {
          select.value = p.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          search.value = "";
          render();
        });
        li.appendChild(b);
        results.appendChild(li);
      });
      if (q && !hits.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "没有找到“" + search.value + "”，请换个写法，或从下方名单中选择";
        results.appendChild(none);
      } else if (hits.length > LIMIT) {
        var more = document.createElement("li");
        more.className = "picker-none";
        more.textContent = "还有 " + (hits.length - LIMIT) + " 人，请多输入几个字母";
        results.appendChild(more);
      }
    }

    search.addEventListener("input", render);
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {  // Enter picks the first match instead of submitting the form
        e.preventDefault();
        var first = results.querySelector(".picker-option");
        if (first) first.click();
      }
    });
    select.addEventListener("change", function () { showChosen(); });
    showChosen();
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-picker]").forEach(enhance);
  });
})();
