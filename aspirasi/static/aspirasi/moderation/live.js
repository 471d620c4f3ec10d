/* Live moderation queue: keeps the server-rendered table current from the ws/moderation/ socket.
   New items appear, decided items leave, claims show who holds an item, vote counts tick. No library. */
(function () {
  "use strict";
  var root = document.getElementById("moderation-live");
  if (!root) return;
  var body = document.querySelector("#live-queue tbody");
  var empty = document.getElementById("live-empty");
  var statusLine = document.getElementById("live-status");
  var kelurahanNames = JSON.parse(document.getElementById("kelurahan-names").textContent || "{}");
  var retryDelay = 1000;
  var hiddenMark = " (" + (root.dataset.labelHidden || "hidden") + ")";

  // Statuses that still wait for a decision; anything else leaves the queue. A flagged public item enters by
  // `flag.raised` and leaves by the decision's `*.updated` (restored or hidden: either is final for its flags).
  var WAITING = { proposal: ["submitted", "in_review"], report: ["new"] };

  function rowId(type, id) { return "item-" + type + "-" + id; }
  function findRow(type, id) { return document.getElementById(rowId(type, id)); }
  function cell(row, name) { return row.querySelector("td." + name); }
  function refreshEmpty() { empty.hidden = body.rows.length > 0; }

  function adminUrl(type, id) { return "/admin/aspirasi/" + type + "/" + id + "/change/"; }

  function addRow(type, id, payload) {
    var row = document.createElement("tr");
    row.id = rowId(type, id);
    row.dataset.type = type;
    row.dataset.id = String(id);
    ["type", "title", "status", "kelurahan", "votes", "flags", "claimed", "received"].forEach(function (name) {
      var td = document.createElement("td");
      td.className = name;
      row.appendChild(td);
    });
    cell(row, "type").textContent = type;
    var link = document.createElement("a");
    link.href = adminUrl(type, id);
    link.textContent = payload.title || (type === "report" ? "#" + id : "");
    cell(row, "title").appendChild(link);
    cell(row, "kelurahan").textContent = kelurahanNames[payload.kelurahan_id] || "";
    cell(row, "flags").textContent = "0";
    cell(row, "received").textContent = payload.created_at ? new Date(payload.created_at).toLocaleString() : "";
    row.classList.add("fresh");
    body.appendChild(row);  // oldest first: a new item goes last
    refreshEmpty();
    return row;
  }

  function updateRow(row, payload) {
    if (payload.status) {
      cell(row, "status").textContent = payload.status + (payload.is_hidden ? hiddenMark : "");
    }
    if (payload.vote_count !== undefined && row.dataset.type === "proposal") {
      cell(row, "votes").textContent = String(payload.vote_count);
    }
    if (payload.claimed_by === null) {
      cell(row, "claimed").textContent = "";
      row.classList.remove("claimed");
    }
  }

  function removeRow(type, id) {
    var row = findRow(type, id);
    if (row) row.remove();
    refreshEmpty();
  }

  function itemChanged(type, id, payload) {
    var waiting = WAITING[type].indexOf(payload.status) >= 0;
    if (!waiting) {
      removeRow(type, id);  // decided (a flagged item restored or hidden leaves too)
      return;
    }
    updateRow(findRow(type, id) || addRow(type, id, payload), payload);
  }

  var handlers = {
    "proposal.submitted": function (p) { itemChanged("proposal", p.proposal_id, p); },
    "proposal.updated": function (p) { itemChanged("proposal", p.proposal_id, p); },
    "report.submitted": function (p) { itemChanged("report", p.report_id, p); },
    "report.updated": function (p) { itemChanged("report", p.report_id, p); },
    "item.claimed": function (p) {
      var row = findRow(p.item_type, p.item_id) || addRow(p.item_type, p.item_id, p);
      updateRow(row, { status: p.status });
      cell(row, "claimed").textContent = p.claimed_by ? p.claimed_by.display_name : "";
      row.classList.toggle("claimed", !!p.claimed_by);
    },
    "flag.raised": function (p) {
      var row = findRow(p.item_type, p.item_id) || addRow(p.item_type, p.item_id, p);
      cell(row, "flags").textContent = String(p.flag_count);
      if (p.is_hidden && cell(row, "status").textContent.indexOf(hiddenMark) < 0) {
        cell(row, "status").textContent += hiddenMark;
      }
    },
    "vote.tally": function (p) {
      var row = findRow("proposal", p.proposal_id);
      if (row) cell(row, "votes").textContent = String(p.vote_count);
    },
  };

  function setStatus(connected) {
    statusLine.textContent = connected ? statusLine.dataset.connected : statusLine.dataset.disconnected;
    statusLine.className = "live-status " + (connected ? "connected" : "disconnected");
    root.dataset.connected = connected ? "1" : "0";
  }

  function apply(event) {
    var handle = handlers[event.type];
    if (handle && event.payload) handle(event.payload);
  }

  // Events published while the socket was closed never arrive: after a reconnection the table is read
  // again from the page, and events arriving meanwhile wait, then apply on top (every handler is idempotent).
  var openedBefore = false;
  var waiting = null;
  function resync() {
    waiting = [];
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#live-queue tbody");
        if (fresh) body.innerHTML = fresh.innerHTML;  // not when the session ended: the login page came back
      })
      .catch(function () {})
      .then(function () {
        var missed = waiting;
        waiting = null;
        missed.forEach(apply);
        refreshEmpty();
        root.dataset.synced = String(Number(root.dataset.synced || "0") + 1);
      });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.socketPath);
    socket.onopen = function () {
      retryDelay = 1000;
      setStatus(true);
      if (openedBefore) resync();
      openedBefore = true;
    };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (waiting) waiting.push(event); else apply(event);
    };
    socket.onclose = function (closed) {
      setStatus(false);
      // 4401: the session ended (sign in again); 4403: not a moderator any more. Retrying would not help.
      if (closed.code === 4401 || closed.code === 4403) return;
      if (closed.code === 4408) {
        // The socket's maximum age: sockets opened together reach it together, so spread the reconnections.
        setTimeout(connect, 200 + Math.random() * 800);
        return;
      }
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }

  connect();
})();
