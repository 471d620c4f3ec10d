/* The decision panel: enhances every [data-decision-panel] (the workbench, the proposal and report pages).

   The panel is HTML rendered by the server (admin:moderation_panel). This script loads it into its box
   (data-url), posts each decision's form with fetch and swaps the answer in (header X-Decision-Panel),
   and moves the answer's feedback into a live region of the box, so a screen reader hears it and a later
   reload of the panel keeps it. Without this script the forms post plainly and the server redirects back.

   Embedding: <div data-decision-panel data-url="{% url 'admin:moderation_panel' type pk %}"></div> and this
   script (it adds panel.css itself).

   Keyboard: one key per decision (shown on each button) opens it and focuses its first field; Enter
   confirms (Shift+Enter: a new line in a message), Escape closes it. Keys never fire while typing.
   window.AspirasiPanel.load(box, url) is how the workbench shows another item. No library. */
(function () {
  "use strict";
  var HEADER = "X-Decision-Panel";

  // The fragment names its stylesheet (a hashed name in production): added once, so a page that embeds the
  // panel needs only the box and this script.
  function stylesheet(box) {
    var panel = box.querySelector(".decision-panel[data-stylesheet]");
    if (!panel || document.querySelector('link[data-panel-stylesheet], link[href="' + panel.dataset.stylesheet + '"]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = panel.dataset.stylesheet;
    link.setAttribute("data-panel-stylesheet", "");
    document.head.appendChild(link);
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function statusRegion(box) {
    var region = box.querySelector(":scope > [data-panel-status]");
    if (!region) {
      region = document.createElement("p");
      region.setAttribute("data-panel-status", "");
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.className = "panel-status";
      box.insertBefore(region, box.firstChild);
    }
    return region;
  }

  function content(box) {
    var holder = box.querySelector(":scope > [data-panel-content]");
    if (!holder) {
      holder = document.createElement("div");
      holder.setAttribute("data-panel-content", "");
      // What the server rendered into the box becomes the first content.
      Array.prototype.slice.call(box.childNodes).forEach(function (node) {
        if (!(node.nodeType === 1 && node.hasAttribute("data-panel-status"))) holder.appendChild(node);
      });
      box.appendChild(holder);
    }
    return holder;
  }

  function enhance(box) {
    stylesheet(box);
    // Embedded in the item's own page: no link to where we already are.
    box.querySelectorAll("[data-full-page] a").forEach(function (link) {
      if (link.pathname === window.location.pathname) link.parentNode.remove();
    });
    // The fragment's feedback moves to the box's live region (kept across reloads of the panel).
    var feedback = box.querySelector("[data-panel-content] [data-feedback]");
    var region = statusRegion(box);
    if (feedback) {
      region.textContent = feedback.textContent;
      region.className = "panel-status " + (feedback.classList.contains("ok") ? "ok" : "failed");
      region.dataset.code = feedback.dataset.code || "";
      feedback.remove();
    }
    box.querySelectorAll("[data-merge-summary]").forEach(function (summary) {
      var form = summary.closest("form");
      function show() {
        var chosen = form.querySelector("input[type=radio]:checked");
        summary.textContent = chosen ? chosen.dataset.summary : "";
      }
      form.addEventListener("change", show);
      show();
    });
    var next = box.dataset.next;
    if (next) {
      box.querySelectorAll("form input[name=next]").forEach(function (input) { input.value = next; });
    }
  }

  function swap(box, html) {
    var holder = content(box);
    holder.innerHTML = html;
    enhance(box);
    box.dispatchEvent(new CustomEvent("panel:loaded", { bubbles: true }));
  }

  // `idle`: a reload after someone else's change, dropped if the moderator opened a decision meanwhile.
  function load(box, url, idle) {
    box.dataset.url = url;
    box.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", headers: { "X-Decision-Panel": "1" } })
      .then(function (response) { return response.text().then(function (html) { return [response, html]; }); })
      .then(function (answer) {
        if (box.dataset.url !== url) return;  // another item was selected meanwhile
        if (idle && (box.querySelector("details[open]") || box.dataset.posting)) return;
        if (answer[0].ok) swap(box, answer[1]);
      })
      .catch(function () {})
      .then(function () { box.removeAttribute("aria-busy"); });
  }

  function submit(box, form) {
    var headers = {};
    headers[HEADER] = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    box.setAttribute("aria-busy", "true");
    box.dataset.posting = "1";
    return fetch(form.getAttribute("action"), { method: "POST", body: new FormData(form), credentials: "same-origin", headers: headers })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        swap(box, html);
        var region = box.querySelector("[data-panel-status]");
        var title = box.querySelector(".decision-panel h2");
        var open = box.querySelector("details[open]");  // a form sent back with its errors
        var field = open && open.querySelector("input:not([type=hidden]), select, textarea");
        (field || title || region).focus();
        box.dispatchEvent(new CustomEvent("panel:decided", { bubbles: true, detail: { code: region.dataset.code } }));
        if (box.hasAttribute("data-refresh-page")) refreshPage();
      })
      .catch(function () { if (button) button.disabled = false; })
      .then(function () { box.removeAttribute("aria-busy"); delete box.dataset.posting; });
  }

  // On the item's own page a decision changes what the page says around the panel (status, next step,
  // claim, map, flags, audit trail): those parts ([data-item-refresh]) are read again from the page.
  function refreshPage() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-item-refresh]").forEach(function (part) {
          var again = fresh.querySelector('[data-item-refresh="' + part.dataset.itemRefresh + '"]');
          if (again && again.innerHTML !== part.innerHTML) part.innerHTML = again.innerHTML;
        });
        if (window.AspirasiMap) window.AspirasiMap.initAll();
        document.dispatchEvent(new CustomEvent("item:refreshed"));
      })
      .catch(function () {});
  }

  // A point picked on the item page's map fills the relocate decision (and opens it).
  document.addEventListener("map:point", function (event) {
    document.querySelectorAll("[data-decision-panel] details.decision-relocate").forEach(function (details) {
      var latitude = details.querySelector("input[name=relocate-latitude]");
      var longitude = details.querySelector("input[name=relocate-longitude]");
      if (!latitude || !longitude) return;
      latitude.value = event.detail.latitude;
      longitude.value = event.detail.longitude;
      details.open = true;
    });
  });

  document.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name !== "relocate-latitude" && name !== "relocate-longitude") return;
    var form = event.target.form;
    var latitude = parseFloat(form.elements["relocate-latitude"].value);
    var longitude = parseFloat(form.elements["relocate-longitude"].value);
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return;
    document.dispatchEvent(new CustomEvent("relocate:point", { detail: { latitude: latitude, longitude: longitude } }));
  });

  function openDecision(details) {
    var box = details.closest("[data-decision-panel]");
    box.querySelectorAll("details[open]").forEach(function (other) { if (other !== details) other.open = false; });
    details.open = true;
    var first = details.querySelector(
      "input[type=radio]:checked, input:not([type=hidden]), select, textarea, button[type=submit]"
    );
    if (first) first.focus();
    details.scrollIntoView({ block: "nearest" });
  }

  function closeDecision(details) {
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  }

  // The panel that keys act on: the one focus is in, else the first on the page.
  function activeBox() {
    var focused = document.activeElement && document.activeElement.closest("[data-decision-panel]");
    return focused || document.querySelector("[data-decision-panel]");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var box = form.closest("[data-decision-panel]");
    if (!box || !window.fetch) return;
    event.preventDefault();
    submit(box, form);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    var details = target.closest && target.closest("[data-decision-panel] details.decision");
    if (event.key === "Escape") {
      var open = details || (activeBox() && activeBox().querySelector("details[open]"));
      if (open && open.open) {
        event.preventDefault();
        closeDecision(open);
      }
      return;
    }
    if (event.key === "Enter" && details && typing(target) && !(target.tagName === "TEXTAREA" && event.shiftKey)) {
      if (target.type === "file") return;  // Enter opens the file chooser
      event.preventDefault();
      var form = target.closest("form");
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (typing(target) || event.key.length !== 1) return;
    var box = activeBox();
    if (!box) return;
    var decision = box.querySelector('details.decision[data-key="' + event.key.toLowerCase() + '"]');
    if (decision) {
      event.preventDefault();
      openDecision(decision);
    }
  });

  function init() {
    document.querySelectorAll("[data-decision-panel]").forEach(function (box) {
      content(box);
      statusRegion(box);
      if (box.querySelector(".decision-panel")) enhance(box);
      else if (box.dataset.url) load(box, box.dataset.url);
    });
  }

  window.AspirasiPanel = { load: load };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
