/* The moderators' workbench: keeps the server-rendered queue current from the ws/moderation/ socket and
   drives the selection (j/k) whose decision panel panel.js shows.

   Every event that names an item asks the server for that item's row under the page's filters and
   ordering (admin:moderation_row) with the counters: the row is rendered like the rest of the page (same
   labels, WITA times, thumbnail) or is null when the item left this queue. A new row goes where its sort
   key (from the server) puts it; rows inserted above what the moderator reads keep it in place (the
   scroll position moves by their height), and a banner and the aria-live announcer say what arrived.
   No library. */
(function () {
  "use strict";
  var root = document.getElementById("moderation-live");
  if (!root) return;
  var body = document.querySelector("#live-queue tbody");
  var scroller = document.getElementById("queue-scroll");
  var empty = document.getElementById("live-empty");
  var statusLine = document.getElementById("live-status");
  var announcer = document.getElementById("announcer");
  var banner = document.getElementById("new-items");
  var panelBox = root.querySelector("[data-decision-panel]");
  var lang = root.dataset.lang || document.documentElement.lang || "id";
  var retryDelay = 1000;
  var unseen = [];  // new rows the moderator has not scrolled to

  function rowKey(type, id) { return type + "-" + id; }
  function findRow(type, id) { return document.getElementById("item-" + type + "-" + id); }
  function rows() { return Array.prototype.slice.call(body.rows); }
  function refreshEmpty() { empty.hidden = body.rows.length > 0; }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }

  // --- ages: one format for every row, however it arrived -------------------------------------------
  var relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  function age(seconds) {
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) return relative.format(-Math.floor(seconds / units[i][1]), units[i][0]);
    }
    return relative.format(0, "minute");
  }
  function refreshAge(row) {
    var time = row.querySelector("time[datetime]");
    var shown = row.querySelector("[data-age]");
    if (!relative || !time || !shown) return;
    shown.textContent = age(Math.max(0, (Date.now() - Date.parse(time.getAttribute("datetime"))) / 1000));
  }
  function refreshAges() { rows().forEach(refreshAge); }

  // --- ordering: compare the server's sort keys ------------------------------------------------------
  function sortKey(row) { return JSON.parse(row.dataset.sort || "[]"); }
  function before(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return a[i] < b[i];
    }
    return false;
  }

  function parseRow(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  // Insert `row` at its place without moving what is on screen: when it lands above the top of the
  // visible list, the list scrolls down by its height.
  function insertInOrder(row) {
    var key = sortKey(row);
    var next = null;
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (before(key, sortKey(all[i]))) { next = all[i]; break; }
    }
    var above = next !== null && scroller.scrollTop > 0 &&
      next.getBoundingClientRect().top < scroller.getBoundingClientRect().top + headerHeight();
    var top = scroller.scrollTop;
    body.insertBefore(row, next);
    if (above) scroller.scrollTop = top + row.getBoundingClientRect().height;
    return row;
  }

  function headerHeight() {
    var head = document.querySelector("#live-queue thead");
    return head ? head.getBoundingClientRect().height : 0;
  }

  function visible(row) {
    var list = scroller.getBoundingClientRect();
    var box = row.getBoundingClientRect();
    return box.top >= list.top && box.bottom <= list.bottom;
  }

  function showBanner() {
    unseen = unseen.filter(function (row) { return row.isConnected && !visible(row); });
    if (!unseen.length) { banner.hidden = true; return; }
    banner.textContent = unseen.length === 1 ? root.dataset.newOne : format(root.dataset.newMany, { n: unseen.length });
    banner.hidden = false;
  }
  banner.addEventListener("click", function () {
    var first = unseen[0];
    if (first) { first.scrollIntoView({ block: "nearest" }); select(first, true); }
    unseen = [];
    showBanner();
  });
  scroller.addEventListener("scroll", function () { if (unseen.length) showBanner(); });

  function announce(text) {
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);  // a change a screen reader notices
  }

  // The counters follow the page's filters; with a filter set, each also says the whole queue's figure.
  function updateCounters(counters, whole) {
    Object.keys(counters || {}).forEach(function (state) {
      var counter = root.querySelector('[data-counter="' + state + '"] .count');
      if (counter) counter.textContent = String(counters[state]);
    });
    Object.keys(whole || {}).forEach(function (state) {
      var counter = root.querySelector('[data-counter-whole="' + state + '"]');
      if (counter) counter.textContent = format(root.dataset.wholeText, { n: String(whole[state]) });
    });
  }

  // --- selection --------------------------------------------------------------------------------------
  var selected = null;
  var selectedIndex = -1;  // where the selection was, when its row left the queue

  function select(row, loadPanel) {
    if (selected) { selected.classList.remove("selected"); selected.removeAttribute("aria-current"); }
    selected = row;
    selectedIndex = rows().indexOf(row);
    row.classList.add("selected");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("[data-select]");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    root.dataset.selected = rowKey(row.dataset.type, row.dataset.id);
    var query = new URLSearchParams(window.location.search);
    query.set("item", root.dataset.selected);
    window.history.replaceState(null, "", "?" + query.toString());
    if (panelBox) panelBox.dataset.next = window.location.pathname + window.location.search;
    if (loadPanel && panelBox && window.AspirasiPanel) {
      var url = "/admin/moderation/panel/" + row.dataset.type + "/" + row.dataset.id + "/";
      window.AspirasiPanel.load(panelBox, url);
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index;
    if (selected && selected.isConnected) index = all.indexOf(selected) + step;
    else if (selectedIndex >= 0) index = step > 0 ? selectedIndex : selectedIndex - 1;  // its row left
    else index = 0;
    index = Math.max(0, Math.min(all.length - 1, index));
    select(all[index], true);
  }

  body.addEventListener("click", function (event) {
    var link = event.target.closest("[data-select]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    select(link.closest("tr"), true);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    if (event.key === "j") { event.preventDefault(); move(1); }
    else if (event.key === "k") { event.preventDefault(); move(-1); }
  });

  // --- live rows ----------------------------------------------------------------------------------
  var rowUrl = root.dataset.rowUrl;  // .../row/proposal/0/
  var inFlight = {};

  function panelShows(type, id) {
    var shown = panelBox && panelBox.querySelector(".decision-panel");
    return shown && shown.dataset.itemType === type && shown.dataset.itemId === String(id);
  }

  // Reload the panel after someone else's change, unless the moderator is busy in it.
  function refreshPanel(type, id) {
    if (!panelShows(type, id) || panelBox.querySelector("details[open]")) return;
    if (panelBox.contains(document.activeElement) && document.activeElement.tagName !== "H2") return;
    window.AspirasiPanel.load(panelBox, panelBox.dataset.url, true);
  }

  function refresh(type, id) {
    var key = rowKey(type, id);
    if (inFlight[key]) { inFlight[key] = "again"; return; }
    inFlight[key] = true;
    var url = rowUrl.replace("/proposal/0/", "/" + type + "/" + id + "/") + "?" + root.dataset.filterQuery;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (answer) {
        apply(type, id, answer);
        refreshPanel(type, id);
      })
      .catch(function () {})
      .then(function () {
        var again = inFlight[key] === "again";
        delete inFlight[key];
        if (again) refresh(type, id);
      });
  }

  function apply(type, id, answer) {
    updateCounters(answer.counters, answer.counters_whole);
    var existing = findRow(type, id);
    if (!answer.row) {
      if (existing) {
        if (existing === selected) { selectedIndex = rows().indexOf(existing); selected = null; }
        var title = existing.querySelector("[data-select]").textContent;
        existing.remove();
        announce(format(root.dataset.announceLeft, { title: title }));
      }
      refreshEmpty();
      return;
    }
    var row = parseRow(answer.row);
    refreshAge(row);
    if (existing) {
      // Changed in place: the row stays where it is (reordering would move what the moderator reads).
      row.className = existing.className.indexOf("selected") >= 0 ? row.className + " selected" : row.className;
      if (existing === selected) { row.setAttribute("aria-current", "true"); selected = row; }
      existing.replaceWith(row);
      return;
    }
    insertInOrder(row);
    row.classList.add("fresh");
    refreshEmpty();
    var text = row.querySelector("[data-select]").textContent;
    var announcement = { proposal: root.dataset.announceProposal, report: root.dataset.announceReport,
      comment: root.dataset.announceComment }[type];
    announce(format(announcement, { title: text }));
    if (!visible(row)) { unseen.push(row); showBanner(); }
  }

  var handlers = {
    "proposal.submitted": function (p) { refresh("proposal", p.proposal_id); },
    "proposal.updated": function (p) { refresh("proposal", p.proposal_id); },
    "report.submitted": function (p) { refresh("report", p.report_id); },
    "report.updated": function (p) { refresh("report", p.report_id); },
    "item.claimed": function (p) { refresh(p.item_type, p.item_id); },
    "flag.raised": function (p) { refresh(p.item_type, p.item_id); },
    "flag.review_requested": function (p) { refresh(p.item_type, p.item_id); },
    // A moderator's decision on a comment (its thread's event, also sent to the moderators with item_type).
    "comment.updated": function (p) { if (p.item_type) refresh(p.item_type, p.item_id); },
    // The task worker's tick escalated an overdue stage: the row's SLA badge is drawn again.
    "sla.escalated": function (p) { refresh(p.item_type, p.item_id); },
    "vote.tally": function (p) {
      var row = findRow("proposal", p.proposal_id);
      if (row) row.querySelector("td.votes").textContent = String(p.vote_count);
    },
  };

  function setStatus(connected) {
    statusLine.textContent = connected ? statusLine.dataset.connected : statusLine.dataset.disconnected;
    statusLine.className = "live-status " + (connected ? "connected" : "disconnected");
    root.dataset.connected = connected ? "1" : "0";
  }

  function handle(event) {
    var handler = handlers[event.type];
    if (handler && event.payload) handler(event.payload);
  }

  // Events published while the socket was closed never arrive: after a reconnection the queue and the
  // counters are read again from the page; events arriving meanwhile wait, then apply on top.
  var openedBefore = false;
  var waiting = null;
  function resync() {
    waiting = [];
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshBody = fresh.querySelector("#live-queue tbody");
        if (!freshBody) return;  // the session ended: the login page came back
        var keep = selected ? selected.id : null;
        body.innerHTML = freshBody.innerHTML;
        fresh.querySelectorAll("[data-counter]").forEach(function (counter) {
          var mine = root.querySelector('[data-counter="' + counter.dataset.counter + '"] .count');
          if (mine) mine.textContent = counter.querySelector(".count").textContent;
        });
        fresh.querySelectorAll("[data-counter-whole]").forEach(function (whole) {
          var mine = root.querySelector('[data-counter-whole="' + whole.dataset.counterWhole + '"]');
          if (mine) mine.textContent = whole.textContent;
        });
        selected = keep ? document.getElementById(keep) : null;
        if (selected) selected.classList.add("selected");
        refreshAges();
      })
      .catch(function () {})
      .then(function () {
        var missed = waiting;
        waiting = null;
        missed.forEach(handle);
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
      if (waiting) waiting.push(event); else handle(event);
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

  // The item the page opened with (?item=) is the selection.
  if (root.dataset.selected) {
    var first = document.getElementById("item-" + root.dataset.selected);
    if (first) { selected = first; first.classList.add("selected"); first.setAttribute("aria-current", "true"); }
  }
  refreshAges();
  setInterval(refreshAges, 60000);
  connect();
})();
