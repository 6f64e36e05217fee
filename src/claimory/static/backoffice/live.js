// Staff live updates. One EventSource per page on /staff/events says what changed (claim,
// event type); the page then re-fetches the server-rendered fragment and swaps it in, so the
// HTML always comes from the same templates as a full reload. Also here: the "Live" indicator,
// the inbox badge, and the optional sound + desktop notification for customer messages.
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

  function debounce(fn, ms) {
    let timer = null;
    return () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, ms);
    };
  }

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
      }
    }, 50);
  });

  // ---- the pages ----------------------------------------------------------------------------

  const badgeUrl = body.dataset.badgeUrl;
  const refreshBadge = debounce(() => {
    fetchFragment(badgeUrl).then((fragment) => fragment && swapRegions(fragment)).catch(() => {});
  }, 250);

  const claimPage = document.querySelector("[data-claim-page]");
  const refreshClaim = debounce(() => {
    fetchFragment(claimPage.dataset.liveFragment)
      .then((fragment) => fragment && swapRegions(fragment)).catch(() => {});
  }, 150);

  const inbox = document.querySelector("[data-inbox]");
  const refreshInbox = debounce(() => {
    fetchFragment(inbox.dataset.inboxFragment)
      .then((fragment) => fragment && swapRegions(fragment)).catch(() => {});
  }, 250);

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

  const staleCards = new Set();

  async function refreshCard(claimId) {
    const existing = board.querySelector(`[data-claim-id="${claimId}"]`);
    if (existing && existing.matches(".is-grabbed, .is-saving, .is-dragging")) {
      // A move in this browser is in flight: look again once it has settled.
      window.setTimeout(() => refreshCard(claimId), 1000);
      return;
    }
    const url = board.dataset.cardUrl.replace(/0$/, String(claimId));
    let fragment;
    try {
      fragment = await fetchFragment(url);
    } catch {
      // The server may be restarting: fetch this card again once the stream is back.
      staleCards.add(claimId);
      return;
    }
    staleCards.delete(claimId);
    const card = fragment && fragment.querySelector("[data-claim-id]");
    const column = card && board.querySelector(`[data-stage="${CSS.escape(card.dataset.cardStage)}"]`);
    const current = board.querySelector(`[data-claim-id="${claimId}"]`);
    if (!column) {
      if (current) current.remove();
      updateCounts();
      return;
    }
    if (current && current.isEqualNode(card)) return;
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
    if (board) for (const claimId of [...staleCards]) refreshCard(claimId);
    refreshBadge();
    if (claimPage) refreshClaim();
    if (inbox) refreshInbox();
  }

  function setState(state, text) {
    if (!stateBox) return;
    stateBox.hidden = false;
    stateBox.dataset.state = state;
    stateBox.querySelector(".live-state__text").textContent = text;
    stateBox.title = state === "live" ? "This page updates by itself." : text;
  }

  let source = null;
  let lastId = "";
  let opened = false;
  let lostAt = 0;
  let retryDelay = 2000;

  function connect() {
    const params = new URLSearchParams({ since: String(pageSince) });
    if (lastId) params.set("last_event_id", lastId);
    source = new EventSource(`${streamUrl}?${params}`);
    source.onopen = () => {
      setState("live", "Live");
      retryDelay = 2000;
      if (opened) {
        if (board && lostAt && Date.now() - lostAt > REPLAY_MS && !board.querySelector(".is-grabbed, .is-saving")) {
          window.location.reload();
          return;
        }
        resync(); // inbox changes are not replayed: fetch what the page shows afresh
      }
      opened = true;
      lostAt = 0;
    };
    source.onmessage = (message) => {
      if (message.lastEventId) lastId = message.lastEventId;
      try { handle(JSON.parse(message.data)); } catch { /* a frame we do not know */ }
    };
    source.onerror = () => {
      if (!lostAt) lostAt = Date.now();
      if (source.readyState === EventSource.CLOSED) {
        // Refused (signed out, server restarting): the browser gives up, we try again later.
        setState("offline", "Offline");
        window.setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 60000);
      } else {
        setState("reconnecting", "Reconnecting…");
      }
    };
  }

  window.addEventListener("pagehide", () => source && source.close());
  window.addEventListener("pageshow", (event) => { if (event.persisted) connect(); });
  setState("connecting", "Connecting…");
  connect();
})();
