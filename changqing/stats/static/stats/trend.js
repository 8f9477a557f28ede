// Year-over-year line chart from the page's JSON; a click on a point opens the records behind it.
(function () {
  var el = document.getElementById("trend-chart");
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  if (!el || !window.echarts) { if (el) el.style.display = "none"; return; }
  function esc(v) { return echarts.format.encodeHTML(v == null ? "" : String(v)); }
  var fs = parseFloat(getComputedStyle(document.body).fontSize) || 18;  // the page's text size, 22px in 大字模式
  var chart = echarts.init(el);
  var symbols = ["circle", "rect", "triangle", "diamond", "pin"];
  chart.setOption({
    // The tooltip is HTML: series names are escaped here rather than trusting the default formatter.
    tooltip: { trigger: "axis", textStyle: { fontSize: fs }, formatter: function (params) {
      var rows = [].concat(params);
      if (!rows.length) { return ""; }
      return esc(rows[0].name) + rows.map(function (p) {
        return "<br>" + p.marker + esc(p.seriesName) + "：" + esc(p.value);
      }).join("");
    } },
    legend: { top: 0, textStyle: { fontSize: fs } },
    grid: { left: 70, right: 20, top: 70, bottom: 30 },
    xAxis: { type: "category", data: data.years, axisLabel: { fontSize: fs } },
    yAxis: { type: "value", axisLabel: { fontSize: fs } },
    series: data.series.map(function (s, i) {
      // A different marker per line, so the lines are told apart without colour.
      return { name: s.name, type: "line", data: s.data, symbol: symbols[i % symbols.length], symbolSize: 10 };
    })
  });
  chart.on("click", function (p) { window.location.href = data.series[p.seriesIndex].urls[p.dataIndex]; });
  window.addEventListener("resize", function () { chart.resize(); });
})();
