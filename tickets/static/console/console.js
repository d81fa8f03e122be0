/* ParcelDesk agent console: live updates over one WebSocket, SLA countdowns, small helpers.
   Events are flat dicts sent by the server's actions; on each, the affected panels are
   re-rendered by the server (GET /console/panels/<name>/), so the page never guesses state. */
(function () {
  "use strict";
  var body = document.body;
  var T = JSON.parse(document.getElementById("i18n").textContent);
  var me = parseInt(body.dataset.userId, 10);
  var ticketId = body.dataset.ticketId ? parseInt(body.dataset.ticketId, 10) : null;
  var panelUrl = body.dataset.panelUrl;
  var state = window.pdConsole = {connected: false, events: []};

  // --- toasts -------------------------------------------------------------------------
  function toast(text, kind, href) {
    var box = document.getElementById("toasts");
    var el = document.createElement(href ? "a" : "div");
    el.className = "toast " + (kind || "");
    el.textContent = text;
    if (href) el.href = href;
    box.appendChild(el);
    setTimeout(function () { el.classList.add("gone"); }, 6000);
    setTimeout(function () { el.remove(); }, 6600);
  }

  // --- panels ---------------------------------------------------------------------------
  var pending = {};
  function busy(el) {  // someone is typing in this panel: do not pull it from under them
    var a = document.activeElement;
    if (a && el.contains(a) && (a.tagName === "TEXTAREA" || a.tagName === "INPUT" || a.tagName === "SELECT")) return true;
    return Array.prototype.some.call(el.querySelectorAll("textarea, input[type=text], input:not([type])"),
      function (f) { return f.value.trim() !== ""; });
  }
  function refresh(name) {
    var el = document.querySelector('[data-panel="' + name + '"]');
    if (!el) return;
    if (pending[name]) return;  // one refresh covers every event of the next 300 ms
    pending[name] = setTimeout(function () {
      pending[name] = null;
      if (busy(el)) { el.classList.add("stale"); return; }
      var url = panelUrl.replace("PANEL", name) + (ticketId ? "?ticket=" + ticketId : "");
      fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          el.innerHTML = html;
          el.classList.remove("stale");
          el.classList.add("flash-update");
          setTimeout(function () { el.classList.remove("flash-update"); }, 1200);
          tick();
          if (name === "ticket_chat") scrollChat();
        });
    }, 300);
  }
  function refreshAll(names) { names.forEach(refresh); }
  var LIST_PANELS = ["my_tickets", "my_queues", "review", "waiting", "breaches", "incidents", "team"];

  function link(id) { return "/console/tickets/" + id + "/"; }

  function onTicket(ev) {
    var mine = ev.owner_id === me;
    if (ticketId && ev.id === ticketId) {
      if (ev.op === "remove") { toast(T.removed, "warn"); }
      refreshAll(["ticket_head", "ticket_actions", "ticket_audit"]);
      if (ev.change === "comment" || ev.change === "station_reply") refresh("ticket_chat");
      // panels other apps registered (tickets/hooks.py) name the changes that concern them
      document.querySelectorAll("[data-refresh-on]").forEach(function (el) {
        if (ev.change && el.dataset.refreshOn.split(" ").indexOf(ev.change) >= 0) refresh(el.dataset.panel);
      });
    }
    refreshAll(LIST_PANELS);
    if (ev.op === "remove") return;
    var label = (ev.number || "") + " " + (ev.title || "");
    if (ev.change === "comment" && ev.comment && ev.comment.from_customer) {
      if (!(ticketId && ev.id === ticketId)) toast(T.customer_message + "：" + label, "info", link(ev.id));
      else toast(T.customer_message, "info");
    } else if ((ev.change === "assign" || ev.change === "transfer") && mine) {
      toast(T.assigned_to_me + "：" + label, "good", link(ev.id));
    } else if (ev.op === "create") {
      toast(T.new_in_queue + "：" + label, "info", link(ev.id));
    } else if (ev.change === "submit_review" && body.querySelector('[data-panel="review"]')) {
      toast(T.new_review + "：" + label, "info", link(ev.id));
    } else if (ev.change === "sla_breach") {
      toast(T.sla_breach + "：" + label, "bad", link(ev.id));
    } else if (ev.from_status && ev.from_status !== ev.status && !(ticketId && ev.id === ticketId)) {
      toast(T.status_changed + "：" + label + " → " + (T.status[ev.status] || ev.status), "", link(ev.id));
    }
  }

  function onEvent(ev) {
    state.events.push(ev);
    if (ev.type === "ticket") onTicket(ev);
    else if (ev.type === "sla" && ev.op === "warning") {
      toast(T.sla_warning + "：" + ev.number + " " + ev.title + "（" + ev.minutes_left + T.min + "）", "warn", link(ev.ticket_id));
    } else if (ev.type === "queue" || ev.type === "agent") {
      refreshAll(["team", "waiting"]);
    }
  }

  // --- the socket -------------------------------------------------------------------------
  var delay = 1000;
  function setLive(on) {
    state.connected = on;
    body.dataset.live = on ? "on" : "off";
    var el = document.getElementById("live");
    if (el) { el.classList.toggle("on", on); document.getElementById("live-text").textContent = on ? T.live : T.offline; }
  }
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + body.dataset.wsPath);
    ws.onopen = function () { delay = 1000; };
    ws.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.type === "hello") {
        var wasOffline = state.everConnected && !state.connected;
        state.everConnected = true; setLive(true);
        if (wasOffline) refreshAll(LIST_PANELS.concat(ticketId ? ["ticket_head", "ticket_actions", "ticket_audit", "ticket_chat"] : []));
        return;
      }
      onEvent(ev);
    };
    ws.onclose = function (e) {
      setLive(false);
      if (e.code === 4401 || e.code === 4403) return;  // signed out: the next click logs in
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }

  // --- SLA countdowns ---------------------------------------------------------------------
  function fmt(ms) {
    var m = Math.floor(Math.abs(ms) / 60000);
    if (m >= 1440) return Math.floor(m / 1440) + T.d + Math.floor((m % 1440) / 60) + T.h;
    if (m >= 60) return Math.floor(m / 60) + T.h + (m % 60) + T.min;
    var s = Math.floor(Math.abs(ms) / 1000) % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due), start = Date.parse(el.dataset.start || "");
      var left = due - now;
      var out = el.querySelector("b") || el;
      var over = left <= 0 || el.dataset.breached === "1";
      el.classList.toggle("sla-breach", over);
      el.classList.toggle("sla-warn", !over && (left < 10 * 60000 || (start && left < (due - start) * 0.2)));
      out.textContent = over ? T.overdue + " " + fmt(left) : T.left + " " + fmt(left);
      var row = el.closest("tr");
      if (row) row.classList.toggle("clock-over", over);  // the server marks past breaches
    });
  }

  function scrollChat() {
    var chat = document.getElementById("chat");
    if (chat) chat.scrollTop = chat.scrollHeight;
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.form && e.target.tagName === "TEXTAREA") {
      e.preventDefault();
      if (e.target.form.reportValidity()) e.target.form.submit();
    }
  });
  // A form sent once: disable its button (double clicks would hit the 409 guard anyway).
  document.addEventListener("submit", function (e) {
    var b = e.target.querySelector("button");
    if (b) setTimeout(function () { b.disabled = true; }, 0);
  });

  setLive(false);
  tick();
  setInterval(tick, 1000);
  scrollChat();
  connect();
})();
