// 数据看板 charts from the page's JSON (selectors.py): bar, stacked bar, line, heat map.
// Every bar, point and cell opens the records behind it; values are printed on the chart,
// so colour is never the only signal. The 大屏 (body.screen) uses a dark theme, larger type,
// and reloads itself every few minutes (keeping the last figures when the network is down).
(function () {
  var specs = JSON.parse(document.getElementById("dash-charts").textContent);
  var dark = document.body.classList.contains("screen");
  // Chart text follows the page's text size (18px, 22px in 大字模式; the 大屏 at least 18px).
  var fs = Math.max(18, parseFloat(getComputedStyle(document.body).fontSize) || 18);
  var text = dark ? "#e8eef6" : "#1a1a1a";
  var charts = [];

  function go(url) { if (url) window.location.href = url; }
  // Tooltips are HTML: every name in them (organisations, zones, series) is escaped, so a branch
  // named <img src=x onerror=…> shows as text. Axis labels and legends are drawn on the canvas.
  function esc(v) { return echarts.format.encodeHTML(v == null ? "" : String(v)); }
  function axisTip(unit) {
    return function (params) {
      var rows = [].concat(params);
      if (!rows.length) { return ""; }
      return esc(rows[0].name) + rows.map(function (p) {
        var v = Array.isArray(p.value) ? p.value[2] : p.value;
        return "<br>" + p.marker + esc(p.seriesName) + "：" + esc(v) + (unit === "%" ? "%" : "");
      }).join("");
    };
  }
  function label(unit) {
    return { show: true, fontSize: fs, color: text, formatter: function (p) {
      var v = Array.isArray(p.value) ? p.value[2] : p.value; return v === 0 ? "" : v + (unit === "%" ? "%" : ""); } };
  }

  function manyZones(spec) { return !dark && spec.categories.length > 8; }

  function option(spec) {
    var narrow = !dark && window.innerWidth < 600;
    // Zones side by side read best as columns; a city's dozens of zones only fit as rows.
    var horizontal = spec.type !== "line" && spec.type !== "heatmap" && spec.id !== "compliance-months" &&
      spec.id !== "dues-months" && (spec.id !== "zones-rates" || manyZones(spec));
    var base = {
      textStyle: { fontSize: fs, color: text },
      tooltip: { trigger: spec.type === "heatmap" ? "item" : "axis", textStyle: { fontSize: fs }, formatter: axisTip(spec.unit) },
      legend: { show: (spec.series || []).length > 1, top: 0, textStyle: { fontSize: fs, color: text } },
      grid: { left: 8, right: 40, top: 40, bottom: 8, containLabel: true }
    };
    var cat = { type: "category", data: spec.categories, axisLabel: { fontSize: fs, color: text,
      width: narrow ? 90 : 170, overflow: "truncate", interval: 0, rotate: 0 } };
    var val = { type: "value", max: spec.max || null, axisLabel: { fontSize: fs, color: text,
      formatter: spec.unit === "%" ? "{value}%" : "{value}" }, splitLine: { lineStyle: { color: dark ? "#24476f" : "#ddd" } } };
    if (spec.type === "heatmap") {
      return Object.assign(base, {
        tooltip: { formatter: function (p) { return esc(spec.rows[p.value[1]]) + " · " + esc(spec.categories[p.value[0]]) + "：" + esc(p.value[2]) + "%"; } },
        grid: { left: 8, right: 8, top: 10, bottom: 60, containLabel: true },
        xAxis: cat, yAxis: { type: "category", data: spec.rows, inverse: true, axisLabel: { fontSize: fs, color: text, width: narrow ? 90 : 170, overflow: "truncate" } },
        visualMap: { min: 0, max: 100, orient: "horizontal", left: "center", bottom: 0, calculable: false, text: ["100%", "0%"],
          textStyle: { fontSize: fs, color: text }, inRange: { color: ["#a4161a", "#e9c46a", "#1d6b2f"] } },
        series: [{ type: "heatmap", data: spec.data,
          label: { show: true, fontSize: fs, color: "#fff", formatter: function (p) { return p.value[2] + "%"; } }, itemStyle: { borderColor: "#fff", borderWidth: 1 } }]
      });
    }
    var bars = spec.categories.length * spec.series.length;
    var crowded = (spec.type === "line" && narrow && spec.categories.length > 6) ||
      (spec.type === "bar" && !horizontal && bars > (narrow ? 12 : 24));
    if (!horizontal && spec.categories.length > 6 && (narrow || dark || bars > 24)) { cat.axisLabel.rotate = 30; }
    var series = spec.series.map(function (s) {
      var out = { name: s.name, type: spec.type === "line" ? "line" : "bar", data: s.data, label: label(spec.unit),
        barMaxWidth: 38, symbolSize: 10, lineStyle: { width: 3 } };
      if (spec.type === "stack") { out.stack = "all"; out.label.position = "inside"; out.label.color = "#fff"; }
      else if (spec.type === "bar") { out.label.position = horizontal ? "right" : "top"; }
      if (s.color) { out.itemStyle = { color: s.color }; }
      if (crowded) { out.label.show = false; }
      return out;
    });
    if (spec.type === "stack") { series.forEach(function (s) { s.label.position = "inside"; }); }
    return Object.assign(base, horizontal ? { xAxis: val, yAxis: Object.assign(cat, { inverse: true }) } : { xAxis: cat, yAxis: val },
      { series: series });
  }

  specs.forEach(function (spec) {
    var el = document.getElementById("chart-" + spec.id);
    if (!el || !window.echarts) { return; }
    var rows = spec.type === "heatmap" ? spec.rows.length : spec.categories.length;
    var horizontalish = spec.type === "stack" && spec.id !== "compliance-months";
    if (!dark && (spec.type === "heatmap" || horizontalish || spec.type === "bar" &&
                  (spec.id !== "zones-rates" || manyZones(spec)))) {
      var perRow = spec.type === "bar" && spec.series.length > 1 ? 16 * spec.series.length + 12 : 34;
      el.style.height = Math.min(Math.max(300, perRow * rows + (spec.type === "heatmap" ? 120 : 80)), 4000) + "px";
    }
    var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    var opt = option(spec);
    if (dark) { opt.backgroundColor = "transparent"; }
    chart.setOption(opt);
    chart.on("click", function (p) {
      if (spec.type === "heatmap") { go(spec.urls[p.value[1]][p.value[0]]); return; }
      go(spec.series[p.seriesIndex].urls[p.dataIndex]);
    });
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  var refresh = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
  if (refresh > 0) {
    setInterval(function () {
      // Reload only when the server answers: a meeting-room display keeps the last figures offline.
      fetch(window.location.href, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
        .then(function (r) { if (r.ok) { window.location.reload(); } else { throw new Error(r.status); } })
        .catch(function () {
          var c = document.getElementById("screen-clock");
          if (c && c.className.indexOf("screen-offline") < 0) { c.className += " screen-offline"; c.textContent += "（网络中断，显示的是上次的数据）"; }
        });
    }, refresh * 1000);
  }
})();
