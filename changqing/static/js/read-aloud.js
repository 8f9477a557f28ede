/* 朗读: a button names a scoped object (data-read-url); the server answers with WAV audio synthesised by
   espeak-ng (core/speech.py), played here in an <audio> element. When the server has no engine (503 with
   the text and a Chinese message), the browser's own Mandarin voice reads it where the browser has one. */
(function () {
  "use strict";

  function say(status, words) { status.textContent = words; }

  function speakInBrowser(text, status) {
    if (!("speechSynthesis" in window) || !text) { return false; }
    var voices = window.speechSynthesis.getVoices() || [];
    var zh = voices.filter(function (v) { return /^zh|cmn/i.test(v.lang); })[0];
    if (!zh && voices.length) { return false; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN"; u.rate = 0.9;
    if (zh) { u.voice = zh; }
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(u);
    say(status, "正在用本机的声音朗读");
    return true;
  }

  function play(button) {
    var box = button.closest(".read-aloud");
    var status = box.querySelector(".read-aloud-status");
    var audio = box.querySelector("audio");
    if (audio && !audio.paused) { audio.pause(); say(status, "已暂停"); return; }
    if (audio) { audio.play(); say(status, "正在朗读"); return; }
    button.disabled = true;
    say(status, "正在准备朗读，请稍候…");
    fetch(button.dataset.readUrl, { credentials: "same-origin" }).then(function (response) {
      if (response.ok) {
        return response.blob().then(function (blob) {
          audio = document.createElement("audio");
          audio.controls = true;
          audio.src = URL.createObjectURL(blob);
          box.appendChild(audio);
          audio.addEventListener("ended", function () { say(status, "朗读完毕"); });
          say(status, "正在朗读");
          return audio.play().catch(function () { say(status, "请点播放键收听"); });
        });
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!speakInBrowser(data.text, status)) {
          say(status, (data.error || "暂时不能朗读") + "。");
        }
      });
    }).catch(function () {
      say(status, "网络不通，暂时不能朗读");
    }).then(function () { button.disabled = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".read-aloud-btn");
    if (button) { event.preventDefault(); play(button); }
  });
})();
