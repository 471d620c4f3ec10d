/* The OPD inbox: on each event of ws/opd/ the rows are fetched again from the server (one small page), and
   the change is announced in the polite live region. Close codes as the workbench's socket (live.js). */
(function () {
  "use strict";
  var root = document.getElementById("opd-inbox");
  if (!root) return;
  var status = document.getElementById("opd-inbox-status");
  var rows = document.getElementById("opd-inbox-rows");
  var retryDelay = 1000;

  function say(text) { status.textContent = text; }

  function refresh(announce) {
    fetch(root.dataset.fragmentUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
      .then(function (html) {
        // Keep the officer's place: a form being filled in is not replaced under their hands.
        if (rows.contains(document.activeElement) && document.activeElement.tagName !== "BODY") {
          say(announce + " " + "(muat ulang halaman untuk melihatnya)");
          return;
        }
        rows.innerHTML = html;
        say(announce);
      })
      .catch(function () {});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.socketPath);
    socket.onopen = function () { retryDelay = 1000; say("Tersambung: kotak masuk diperbarui langsung."); };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "sla.escalated") refresh("Ada butir yang melewati batas waktu.");
      else if (event.type === "disposition.updated") refresh("Kotak masuk diperbarui.");
    };
    socket.onclose = function (closed) {
      say("Pembaruan langsung terputus.");
      if (closed.code === 4401 || closed.code === 4403) return;
      setTimeout(connect, closed.code === 4408 ? 200 + Math.random() * 800 : retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }
  connect();
})();
