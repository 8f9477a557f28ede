// The idle warning (accounts/sessions.py ends the session on the server; this only warns and offers 继续使用).
// A minute before the idle timeout it asks the server how long is really left (another tab may have been
// used meanwhile); if still about to end, it shows the dialog with a countdown. 继续使用 pings the server.
(function () {
  "use strict";
  var dialog = document.getElementById("idle-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var timeout = parseInt(dialog.getAttribute("data-timeout"), 10);
  var warn = parseInt(dialog.getAttribute("data-warn"), 10);
  var statusUrl = dialog.getAttribute("data-status-url");
  var pingUrl = dialog.getAttribute("data-ping-url");
  var countdown = document.getElementById("idle-countdown");
  var csrf = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  var warnTimer = null, tickTimer = null, deadline = 0;

  function ended() { window.location.reload(); }  // the server answers with the login page and says why

  function schedule(secondsLeft) {
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    deadline = Date.now() + secondsLeft * 1000;
    warnTimer = setTimeout(check, Math.max(0, secondsLeft - warn) * 1000);
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.authenticated) { ended(); return; }
        if (data.seconds_left > warn + 5) { schedule(data.seconds_left); } else { show(data.seconds_left); }
      })
      .catch(function () { show(Math.round((deadline - Date.now()) / 1000)); });
  }

  function show(secondsLeft) {
    deadline = Date.now() + Math.max(0, secondsLeft) * 1000;
    var render = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = String(left);
      if (left <= 0) { clearInterval(tickTimer); ended(); }
    };
    render();
    clearInterval(tickTimer);
    tickTimer = setInterval(render, 1000);
    if (!dialog.open) { dialog.showModal(); }
    document.getElementById("idle-continue").focus();
  }

  document.getElementById("idle-continue").addEventListener("click", function () {
    fetch(pingUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" }
    })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.authenticated) { ended(); return; }
        dialog.close();
        schedule(data.seconds_left);
      })
      .catch(ended);
  });
  // Escape would close the dialog without telling the server: treat it as 继续使用.
  dialog.addEventListener("cancel", function (e) { e.preventDefault(); document.getElementById("idle-continue").click(); });
  // Requests made by htmx on this page are activity too.
  document.body.addEventListener("htmx:afterRequest", function () { if (!dialog.open) { schedule(timeout); } });

  schedule(timeout);
})();
