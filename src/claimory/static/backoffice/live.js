// Staff live updates. One /staff/events stream per person and browser (held by the shared
// worker in live-stream.js) says what changed (claim, event type); the page then re-fetches the
// server-rendered fragment and swaps it in, so the HTML always comes from the same templates
// as a full reload. A refresh that fails is retried with backoff and the indicator says
// "Updating…" until it lands: "Live" means the page is current. Also here: the inbox badge,
// and the optional sound + desktop notification for customer messages.
(() => {
  "use strict";

  const body = document.body;
  const streamUrl = body.dataset.liveUrl;
  if (!streamUrl || !window.EventSource) return;
  const pageSince = Number(body.dataset.liveSince) || Date.now();
  const stateBox = document.getElementById("live-state");
  const announcer = document.getElementById("live-announcer");
  const REPLAY_MS = 9 * 60 * 1000; // the server replays about ten minutes

  // ---- small helpers ------------------------------------------------------------------------

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 30);
  }

  async function fetchFragment(url) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    if (response.status === 204) return null;
    if (!response.ok) throw new Error(`The server said ${response.status}.`);
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    return template.content;
  }

  // Regions the user is working in (a focused select, a scrolled log) wait until focus leaves.
  const deferred = new Set();

  function busy(element) {
    const active = document.activeElement;
    return active && active !== document.body && element.contains(active);
  }

  function swapRegions(fragment) {
    for (const fresh of fragment.querySelectorAll("[data-live-region][id]")) {
      const old = document.getElementById(fresh.id);
      if (!old || old.isEqualNode(fresh)) continue;
      if (busy(old)) {
        deferred.add(fresh.id);
        continue;
      }
      const log = old.querySelector(".thread-log");
      const scrolled = log ? log.scrollTop : 0;
      old.replaceWith(fresh);
      const freshLog = fresh.querySelector(".thread-log");
      if (freshLog && scrolled) freshLog.scrollTop = scrolled;
      document.dispatchEvent(new CustomEvent("claimory:swapped", { detail: { id: fresh.id } }));
    }
  }
  window.claimoryLive = { swapRegions, announce };

  document.addEventListener("focusout", () => {
    if (!deferred.size) return;
    window.setTimeout(() => {
      const waiting = [...deferred].map((id) => document.getElementById(id));
      if (waiting.some((element) => element && !busy(element))) {
        deferred.clear();
        resync();
        showState();
      }
    }, 50);
  });

  // ---- refreshes that never give up -----------------------------------------------------------

  // Each region has one refresher: at most one fetch in flight (so answers land in the order
  // they were asked and an older one never overwrites a newer one), asked again when an event
  // comes in meanwhile, retried with backoff when it fails. Until it lands the region is behind.
  const behind = new Set();
  const refreshers = new Map();

  function refresher(key, run, delay) {
    let timer = 0;
    let running = false;
    let again = false;
    let backoff = 0;
    async function go() {
      timer = 0;
      running = true;
      again = false;
      let outcome;
      try { outcome = await run(); } catch { outcome = "failed"; }
      running = false;
      if (outcome === "failed") backoff = Math.min(Math.max(backoff * 2, 1000), 30000);
      else backoff = 0;
      if (outcome === "failed" || outcome === "later" || again) {
        const wait = outcome === "failed" ? backoff * (0.8 + Math.random() * 0.4)
          : outcome === "later" ? 1000 : delay;
        timer = window.setTimeout(go, wait);
        return;
      }
      behind.delete(key);
      refreshers.delete(key);
      showState();
    }
    const entry = {
      ask() {
        behind.add(key);
        showState();
        if (running) again = true;
        else if (!timer) timer = window.setTimeout(go, delay);
      },
      now() { // the stream is back: do not wait out a long backoff
        if (timer && !running) {
          window.clearTimeout(timer);
          timer = window.setTimeout(go, 0);
        }
      },
    };
    return entry;
  }

  function refresh(key, run, delay) {
    if (!refreshers.has(key)) refreshers.set(key, refresher(key, run, delay));
    refreshers.get(key).ask();
  }

  const swapFrom = (url) => async () => {
    const fragment = await fetchFragment(url);
    if (fragment) swapRegions(fragment);
  };

  // ---- the pages ----------------------------------------------------------------------------

  const badgeUrl = body.dataset.badgeUrl;
  const refreshBadge = () => refresh("badge", swapFrom(badgeUrl), 250);

  const claimPage = document.querySelector("[data-claim-page]");
  const refreshClaim = () => refresh("claim", swapFrom(claimPage.dataset.liveFragment), 150);

  const inbox = document.querySelector("[data-inbox]");
  const refreshInbox = () => refresh("inbox", swapFrom(inbox.dataset.inboxFragment), 250);

  const board = document.querySelector("[data-board]");

  function updateCounts() {
    for (const column of board.querySelectorAll("[data-stage]")) {
      const count = column.querySelectorAll("[data-claim-id]").length;
      const badge = column.querySelector("[data-count]");
      badge.textContent = String(count);
      badge.setAttribute("aria-label", `${count} car${count === 1 ? "" : "s"}`);
    }
  }

  function placeCard(card, column) {
    const list = column.querySelector("ol");
    const after = [...list.querySelectorAll("[data-claim-id]")]
      .find((other) => other !== card && other.dataset.order > card.dataset.order);
    list.insertBefore(card, after || null);
  }

  const refreshCard = (claimId) => refresh(`card:${claimId}`, () => cardUpdate(claimId), 50);

  async function cardUpdate(claimId) {
    const existing = board.querySelector(`[data-claim-id="${claimId}"]`);
    // A move in this browser is in flight: look again once it has settled.
    if (existing && existing.matches(".is-grabbed, .is-saving, .is-dragging")) return "later";
    const url = board.dataset.cardUrl.replace(/0$/, String(claimId));
    const fragment = await fetchFragment(url);
    const card = fragment && fragment.querySelector("[data-claim-id]");
    const column = card && board.querySelector(`[data-stage="${CSS.escape(card.dataset.cardStage)}"]`);
    const current = board.querySelector(`[data-claim-id="${claimId}"]`);
    if (!column) {
      if (current) current.remove();
      updateCounts();
      return "done";
    }
    if (current && current.isEqualNode(card)) return "done";
    const moved = !current || current.closest("[data-stage]") !== column;
    const hadFocus = current && busy(current);
    placeCard(card, column);
    if (current) current.remove();
    if (hadFocus) card.focus();
    updateCounts();
    if (moved) {
      card.classList.add("is-fresh");
      announce(`${card.dataset.label} is now in ${column.dataset.stageName}.`);
    }
    return "done";
  }

  // ---- alerts: sound, desktop notification, spoken announcement ------------------------------

  const toggle = document.getElementById("alerts-toggle");
  const ALERTS_KEY = "claimory.alerts";
  const ALERTED_KEY = "claimory.alerted";
  let audio = null;

  function alertsOn() {
    try { return window.localStorage.getItem(ALERTS_KEY) === "on"; } catch { return false; }
  }

  function audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  function beep() {
    const ctx = audioContext();
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    for (const [offset, pitch] of [[0, 880], [0.16, 1320]]) {
      const tone = ctx.createOscillator();
      const gain = ctx.createGain();
      tone.type = "sine";
      tone.frequency.value = pitch;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.18, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
      tone.connect(gain).connect(ctx.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.32);
    }
  }

  function renderToggle() {
    const on = alertsOn();
    toggle.setAttribute("aria-pressed", String(on));
    toggle.querySelector(".alerts-toggle__text").textContent = on ? "Alerts on" : "Alerts off";
  }

  if (toggle) {
    toggle.hidden = false;
    renderToggle();
    toggle.addEventListener("click", async () => {
      const on = !alertsOn();
      try { window.localStorage.setItem(ALERTS_KEY, on ? "on" : "off"); } catch { /* private mode */ }
      renderToggle();
      if (!on) {
        announce("Alerts off.");
        return;
      }
      audioContext(); // created inside the click, so the browser lets it play later
      // Permission is asked for here, on the user's click, and nowhere else.
      if ("Notification" in window && Notification.permission === "default") {
        await Notification.requestPermission().catch(() => {});
      }
      beep();
      const desktop = "Notification" in window && Notification.permission === "granted";
      announce(desktop ? "Alerts on: a sound and a desktop notification when a customer writes."
        : "Alerts on: a sound when a customer writes. Desktop notifications are blocked in this browser.");
    });
    // After a reload the browser needs one gesture before sound may play again.
    const unlock = () => { if (alertsOn()) audioContext(); };
    document.addEventListener("pointerdown", unlock, { once: true });
    document.addEventListener("keydown", unlock, { once: true });
  }

  function firstTabToAlert(id) {
    // Several open staff tabs all hear the event; only the first one rings.
    try {
      if (Number(window.localStorage.getItem(ALERTED_KEY) || 0) >= id) return false;
      window.localStorage.setItem(ALERTED_KEY, String(id));
    } catch { /* private mode: every tab rings */ }
    return true;
  }

  function customerWrote(event) {
    if (Date.parse(event.at) < pageSince - 1000) return; // replayed from before this page
    const who = event.sender || "A customer";
    announce(`New message from ${who}: ${event.preview}`);
    if (!alertsOn() || !firstTabToAlert(event.id)) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
      try {
        const note = new Notification(`New message from ${who}`, {
          body: event.preview, tag: `claim-${event.claim}`,
        });
        note.onclick = () => {
          window.focus();
          window.location.href = body.dataset.claimUrl.replace(/0$/, String(event.claim)) + "#thread";
        };
      } catch { /* browsers that only allow notifications from a service worker */ }
    }
  }

  // ---- the stream ---------------------------------------------------------------------------

  const handled = new Set();

  function handle(event) {
    if (event.kind === "event") {
      if (handled.has(event.id)) return;
      handled.add(event.id);
      if (handled.size > 1000) handled.delete(handled.values().next().value);
    }
    const claimId = String(event.claim);
    // The server says what each event means for this page (from its type's definition).
    const isThread = event.inbox === true;
    if (isThread) refreshBadge();
    if (claimPage && claimPage.dataset.claimPage === claimId) refreshClaim();
    if (inbox && isThread) refreshInbox();
    if (board && event.card === true
        && board.dataset.locationId === String(event.location)) refreshCard(claimId);
    if (event.type === "message" && event.direction === "in") customerWrote(event);
  }

  function resync() {
    refreshBadge();
    if (claimPage) refreshClaim();
    if (inbox) refreshInbox();
    for (const entry of refreshers.values()) entry.now(); // cards still behind: now
  }

  let streamState = "connecting";
  const STATES = { connecting: "Connecting…", live: "Live", updating: "Updating…",
                   reconnecting: "Reconnecting…", offline: "Offline" };

  // "Live" only while the stream is open and no region is waiting for a refresh.
  function showState() {
    if (!stateBox) return;
    // A region held back while someone works in it counts as behind too.
    const state = streamState === "live" && (behind.size || deferred.size) ? "updating" : streamState;
    const text = STATES[state] || state;
    stateBox.hidden = false;
    stateBox.dataset.state = state;
    stateBox.querySelector(".live-state__text").textContent = text;
    stateBox.title = state === "live" ? "This page updates by itself." : text;
  }

  function onHub(message) {
    if (message.type === "event") {
      try { handle(JSON.parse(message.data)); } catch { /* a frame we do not know */ }
    } else if (message.type === "state") {
      streamState = message.state;
      showState();
      if (!message.resync) return;
      if (board && message.lostAt && Date.now() - message.lostAt > REPLAY_MS
          && !board.querySelector(".is-grabbed, .is-saving")) {
        window.location.reload(); // longer than the server replays: start afresh
        return;
      }
      resync(); // inbox changes are not replayed: fetch what the page shows afresh
    } else if (message.type === "unsupported" && !local) {
      fallBack();
    }
  }

  // ---- the shared stream ---------------------------------------------------------------------

  const hubScript = document.getElementById("live-stream");
  let port = null;
  let local = false;

  function inPage() {
    // Without SharedWorker (or when it fails) this tab holds its own stream, as before.
    if (!window.claimoryStreamHub) return null;
    local = true;
    const channel = new MessageChannel();
    window.claimoryStreamHub()(channel.port1);
    return channel.port2;
  }

  function shared() {
    if (!window.SharedWorker || !hubScript) return null;
    try {
      // Named per user: after a sign-in as someone else, tabs never share the old stream.
      const worker = new SharedWorker(hubScript.src, { name: `claimory-live-${hubScript.dataset.user}` });
      worker.onerror = () => { if (!local) fallBack(); };
      return worker.port;
    } catch {
      return null;
    }
  }

  // Without SharedWorker (Chrome on Android): the tabs elect a leader with a Web Lock; it runs
  // the hub in its page and the other tabs reach it over a BroadcastChannel. When the leader
  // closes, its lock passes to another tab, which starts a hub and asks everyone to say hello.
  let electedTab = null;

  function elected() {
    if (electedTab) return electedTab;
    if (!window.BroadcastChannel || !navigator.locks || !window.claimoryStreamHub || !hubScript) {
      return null;
    }
    const name = `claimory-live-${hubScript.dataset.user}`;
    const me = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const bus = new BroadcastChannel(name);
    let lead = null;
    const tab = {
      onmessage: null,
      postMessage: (msg) => (lead ? lead(me, msg) : bus.postMessage({ to: "hub", from: me, msg })),
    };
    const deliver = (msg) => tab.onmessage && tab.onmessage({ data: msg });
    bus.onmessage = ({ data }) => {
      if (data.to === "hub") {
        if (lead) lead(data.from, data.msg);
      } else if (data.to === me || data.to === "*") {
        if (data.msg.type === "leader") tab.postMessage({ type: "hello", url: streamUrl, since: pageSince });
        else deliver(data.msg);
      }
    };
    navigator.locks.request(name, () => new Promise(() => {
      // Held until this page goes away.
      const attach = window.claimoryStreamHub();
      const ports = new Map();
      lead = (from, msg) => {
        if (!ports.has(from)) {
          // A channel does not echo to its sender: this tab's own answers are delivered here.
          const peer = { postMessage: from === me ? deliver : (m) => bus.postMessage({ to: from, msg: m }) };
          attach(peer);
          ports.set(from, peer);
        }
        ports.get(from).onmessage({ data: msg });
        if (msg.type === "bye") ports.delete(from);
      };
      bus.postMessage({ to: "*", msg: { type: "leader" } });
      tab.postMessage({ type: "hello", url: streamUrl, since: pageSince });
    }));
    local = true;
    electedTab = tab;
    return tab;
  }

  function fallBack() {
    const next = inPage();
    if (next) join(next);
  }

  function join(next) {
    if (port) port.postMessage({ type: "bye" });
    port = next;
    port.onmessage = (event) => onHub(event.data || {});
    port.postMessage({ type: "hello", url: streamUrl, since: pageSince });
  }

  function start() {
    local = false;
    const next = shared() || elected() || inPage();
    if (next) join(next);
  }

  window.addEventListener("pagehide", () => {
    if (port) port.postMessage({ type: "bye" });
    port = null;
  });
  window.addEventListener("pageshow", (event) => { if (event.persisted) start(); });
  for (const type of ["online", "offline"]) {
    window.addEventListener(type, () => port && port.postMessage({ type }));
  }
  showState();
  start();
})();
