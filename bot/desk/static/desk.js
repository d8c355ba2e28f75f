// The desk's only script: pass Telegram's initData with every request, swap in the server's HTML.
// initDataUnsafe is never used: the server checks the signed initData on every call.
(function () {
  "use strict";
  var tg = window.Telegram && window.Telegram.WebApp;
  var hash = new URLSearchParams(location.hash.slice(1));
  var initData = (tg && tg.initData) || hash.get("tgWebAppData") || "";
  var base = document.body.dataset.base;
  var main = document.getElementById("main");
  var toast = document.getElementById("toast");
  var current = "/api/board";
  var previous = [];

  function applyTheme() {
    var theme = (tg && tg.themeParams) || {};
    if (!Object.keys(theme).length && hash.get("tgWebAppThemeParams")) {
      try { theme = JSON.parse(hash.get("tgWebAppThemeParams")); } catch (e) { theme = {}; }
    }
    Object.keys(theme).forEach(function (key) {
      document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), theme[key]);
    });
    var scheme = (tg && tg.colorScheme) || hash.get("tgWebAppColorScheme");
    if (scheme) { document.documentElement.dataset.scheme = scheme; }
  }

  function headers(extra) {
    var h = { "Authorization": "tma " + initData };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  function show(path, remember) {
    if (remember) { previous.push(current); }
    current = path;
    return fetch(base + path, { headers: headers() }).then(function (r) { return r.text(); }).then(function (html) {
      main.innerHTML = html;
      window.scrollTo(0, 0);
    });
  }

  function say(text) {
    toast.textContent = text;
    toast.hidden = false;
    setTimeout(function () { toast.hidden = true; }, 4000);
  }

  function act(button) {
    var label = button.dataset.label || button.textContent;
    button.disabled = true;
    fetch(base + "/api/nonce", { method: "POST", headers: headers() })
      .then(function (r) { if (!r.ok) { throw r; } return r.json(); })
      .then(function (ticket) {
        return fetch(base + "/api/act", {
          method: "POST", headers: headers({ "Content-Type": "application/json" }),
          body: JSON.stringify({ nonce: ticket.nonce, action: button.dataset.action, target: button.dataset.target,
                                 breach: button.dataset.breach || "" })
        });
      })
      .then(function (r) { return r.json(); })
      .then(function (answer) { say(answer.text || label); return show(current, false); })
      .catch(function () { say(label + " ✘"); button.disabled = false; });
  }

  function download(number) {
    fetch(base + "/api/evidence/" + encodeURIComponent(number), { headers: headers() })
      .then(function (r) { return r.blob(); })
      .then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "evidence-" + number + ".html";
        document.body.appendChild(a);
        a.click();
        a.remove();
      });
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-view],[data-item],[data-action],[data-download],[data-back]");
    if (!el) { return; }
    event.preventDefault();
    if (el.dataset.view) {
      previous = [];
      show(el.dataset.view === "find" ? "/api/find" : "/api/" + el.dataset.view, false);
    } else if (el.dataset.item) {
      show("/api/item/" + encodeURIComponent(el.dataset.item), true);
    } else if (el.dataset.action) {
      act(el);
    } else if (el.dataset.download) {
      download(el.dataset.download);
    } else if (el.dataset.back) {
      show(previous.pop() || "/api/board", false);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    var query = new URLSearchParams(new FormData(form)).toString();
    show((form.id === "kpi-form" ? "/api/kpi?" : "/api/find?") + query, false);
  });

  applyTheme();
  if (tg) { tg.ready(); tg.expand(); }
  show(current, false);
})();
