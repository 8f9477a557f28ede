// Heat map: branches × months from the page's JSON; a click opens the records behind a cell.
(function () {
  var el = document.getElementById("heatmap-chart");
  var data = JSON.parse(document.getElementById("heatmap-data").textContent);
  if (!el || !window.echarts) { if (el) el.style.display = "none"; return; }
  var labels = ["已完成", "未到期", "即将到期", "已逾期"];
  // Chart text follows the page's text size (18px, 22px in 大字模式).
  var fs = parseFloat(getComputedStyle(document.body).fontSize) || 18;
  // Each cell shows its numbers (done/total), so colour is never the only signal.
  var texts = data.texts || [];
  el.style.height = Math.min(Math.max(260, (fs * 2 + 8) * data.branches.length + 140), 4000) + "px";
  // On a phone the branch names would take most of the width: the axis shows them without the suffix
  // every name shares (离退休干部党支部…) and the months as 1月, 2月; the tooltip keeps the full names.
  var narrow = el.clientWidth < 600;
  var suffix = /(离退休干部|退休干部|离退休|退休|老干部?)?(联合)?党(总)?支部$/;
  var names = narrow ? data.branches.map(function (n) { return n.replace(suffix, "") || n; }) : data.branches;
  var months = narrow ? data.months.map(function (m) { var k = m.split("-"); return k.length > 1 ? (+k[1]) + "月" : m; }) : data.months;
  function esc(v) { return echarts.format.encodeHTML(v == null ? "" : String(v)); }
  var chart = echarts.init(el);
  chart.setOption({
    // The tooltip is HTML: the branch name is escaped (a name like <img src=x onerror=…> shows as text).
    tooltip: { formatter: function (p) { return esc(data.branches[p.value[1]]) + "<br>" + esc(data.months[p.value[0]]) + "：" + labels[p.value[2]]; } },
    grid: narrow ? { left: 112, right: 8, top: fs * 2, bottom: fs * 4 } : { left: 220, right: 20, top: fs * 2, bottom: fs * 4 },
    xAxis: { type: "category", position: "top", data: months, axisLabel: { fontSize: fs } },
    yAxis: { type: "category", data: names, inverse: true,
             axisLabel: { fontSize: fs, width: narrow ? 104 : 200, overflow: "truncate" } },
    visualMap: { type: "piecewise", orient: "horizontal", left: "center", bottom: 0, textStyle: { fontSize: fs },
      pieces: [{ value: 0, label: labels[0], color: "#1d6b2f" }, { value: 1, label: labels[1], color: "#5b5b5b" },
               { value: 2, label: labels[2], color: "#8a4b00" }, { value: 3, label: labels[3], color: "#a4161a" }] },
    series: [{ type: "heatmap", data: data.data, itemStyle: { borderColor: "#fff", borderWidth: 2 },
               // Printed where a cell is wide enough for 「3/3」; on a phone the table below the chart gives them.
               label: { show: (el.clientWidth - (narrow ? 120 : 240)) / Math.max(1, data.months.length) >= fs * 2.2, fontSize: fs, color: "#fff", fontWeight: "bold", formatter: function (p) {
                 return (texts[p.value[1]] || [])[p.value[0]] || ""; } } }]
  });
  chart.on("click", function (p) { window.location.href = data.urls[p.value[1]][p.value[0]]; });
  window.addEventListener("resize", function () { chart.resize(); });
})();
