/* Customer portal, live: server-sent events swap in server-rendered fragments, the message
   form posts with fetch, and the shop's replies are marked seen once they are on screen.
   Progressive enhancement only: without this file the page is complete and the form posts. */
(() => {
  "use strict";
  const path = /^\/c\/([^/]+)(?:\/messages)?\/?$/.exec(location.pathname);
  const main = document.getElementById("main");
  if (!path || !main || !window.fetch || !main.dataset.fragments) return;

  const base = "/c/" + path[1];
  const query = location.search; // keeps ?lang= and ?thread=all for every fragment
  const lang = document.documentElement.lang || undefined;
  const fragmentsFor = JSON.parse(main.dataset.fragments);
  const status = document.getElementById("live-status");
  const announcer = document.getElementById("live-announce");
  const form = document.querySelector("form.compose");
  let lastId = main.dataset.seq || "";
  let source = null;
  let gone = false;
  let everLive = false;
  let connected = false;
  let opened = false;
  let backoff = 2000;

  const fmt = (text, values) => (text || "").replace(/\{(\w+)\}/g, (_m, k) => values[k] || "");

  function announce(text) {
    // Cleared first, so the same words twice are still read out.
    announcer.textContent = "";
    setTimeout(() => { announcer.textContent = text; }, 60);
  }

  // "Live" only while the stream is open and every section is current; otherwise say why
  // the page may be behind. aria-busy keeps a quick Updating… → Live from being read out.
  function setStatus() {
    if (gone) return;
    let state = "live";
    if (!connected) state = everLive ? "reconnecting" : "";
    else if (wanted.size || inFlight.size) state = "updating";
    status.setAttribute("aria-busy", state === "updating" ? "true" : "false");
    if (!state || status.className === "live-status is-" + state) return;
    status.hidden = false;
    status.className = "live-status is-" + state;
    status.textContent = status.dataset[state];
  }

  // ---- fragments -------------------------------------------------------------------
  // Each section remembers the event seq it was drawn at (the page's, then each fragment's
  // X-Claimory-Seq). An event asks its sections to reach its seq; a section stays behind
  // until a render at least that new is on screen. Failed or stale fetches are retried with
  // backoff, so no update is dropped; a render older than the one shown is ignored.
  const sections = [...new Set([].concat(...Object.values(fragmentsFor)))];
  const shown = {};
  const wanted = new Map();
  const inFlight = new Set();
  let flushTimer = 0;
  let retryTimer = 0;
  let retryDelay = 0;
  sections.forEach((name) => { shown[name] = Number(lastId) || 0; });

  function want(names, seq) {
    names.forEach((name) => wanted.set(name, Math.max(wanted.get(name) || 0, seq)));
    setStatus();
    // A replay after a reconnect delivers many events at once: fetch each fragment once.
    if (wanted.size && !flushTimer && !retryTimer) flushTimer = setTimeout(flush, 80);
  }

  function flush() {
    clearTimeout(flushTimer);
    clearTimeout(retryTimer);
    flushTimer = retryTimer = 0;
    // One fetch per section at a time, so answers land in the order they were asked.
    wanted.forEach((_seq, name) => { if (!inFlight.has(name)) refresh(name); });
  }

  function retryLater(wait) {
    if (retryTimer || gone) return;
    clearTimeout(flushTimer);
    flushTimer = 0;
    retryDelay = Math.min(Math.max(retryDelay * 2, 1000, wait || 0), 30000);
    retryTimer = setTimeout(flush, retryDelay * (0.8 + Math.random() * 0.4));
  }

  async function refresh(name) {
    const need = wanted.get(name) || 0;
    inFlight.add(name);
    let response = null;
    let html = "";
    try {
      response = await fetch(base + "/fragments/" + name + query, { cache: "no-store" });
      if (response.ok) html = await response.text();
    } catch (_e) { response = null; /* offline or cut off: retried below */ }
    inFlight.delete(name);
    if (gone) return;
    if (response && response.status === 404) return goneState();
    let wait = 0;
    if (response && response.ok) {
      const header = response.headers.get("X-Claimory-Seq");
      const seq = header === null ? need : Number(header);
      if (seq >= shown[name]) {
        shown[name] = seq;
        place(name, html);
      }
      if (seq >= (wanted.get(name) || 0)) wanted.delete(name);
      else if (seq >= need) return refresh(name); // a newer event came in meanwhile
    } else if (response) {
      wait = 1000 * (Number(response.headers.get("Retry-After")) || 0);
    }
    if (wanted.has(name)) retryLater(wait);
    else if (!wanted.size) retryDelay = 0;
    setStatus();
  }

  function place(name, html) {
    const old = document.getElementById(name);
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.firstElementChild;
    if (!old || !fresh || fresh.id !== name) return;
    const focusables = (el) => Array.from(el.querySelectorAll("a[href], [tabindex], button, textarea"));
    const focusIndex = old.contains(document.activeElement) ? focusables(old).indexOf(document.activeElement) : -1;
    const scroller = old.querySelector(".thread-scroll");
    const scrolled = scroller ? scroller.scrollTop : 0;
    const stageBefore = stageText();
    old.replaceWith(fresh);
    // Keep the reader where they were: same focus position, same place in the thread.
    const target = focusIndex >= 0 && (focusables(fresh)[focusIndex] || focusables(fresh)[0]);
    if (target) target.focus({ preventScroll: true });
    const newScroller = fresh.querySelector(".thread-scroll");
    if (newScroller && scrolled) newScroller.scrollTop = scrolled;
    if (name === "vehicle") {
      const now = stageText();
      if (now && now !== stageBefore) announce(fmt(announcer.dataset.stage, { stage: now }));
    }
    if (name === "thread") markSeen();
  }

  function stageText() {
    const el = document.querySelector("#vehicle .now-stage, #vehicle .now-done");
    return el ? el.textContent.trim() : "";
  }

  // ---- event stream ----------------------------------------------------------------
  function onEvent(event) {
    if (event.lastEventId) lastId = event.lastEventId;
    let data = {};
    try { data = JSON.parse(event.data); } catch (_e) { /* keep {} */ }
    if (event.type === "message") {
      if (data.direction === "out") announce(fmt(announcer.dataset.newMessage, { name: data.sender }));
      // Our own message is already on screen (the send answer carried the thread).
      if (document.querySelector('#thread [data-id="' + Number(data.message_id) + '"]')) return;
    }
    want(fragmentsFor[event.type] || [], Number(event.lastEventId) || 0);
  }

  function connect() {
    if (gone || !window.EventSource) return;
    if (source) source.close();
    // Last-Event-ID from the page render: only what happened since is replayed.
    source = new EventSource(base + "/events?last_event_id=" + encodeURIComponent(lastId));
    source.onopen = () => {
      everLive = connected = true;
      backoff = 2000;
      // Back after a gap: the replay names only some sections, so redraw them all.
      if (opened) want(sections, Number(lastId) || 0);
      opened = true;
      if (wanted.size) flush();
      setStatus();
    };
    source.onerror = () => {
      // Events may be missed from now until the stream is open again.
      connected = false;
      setStatus();
      if (source.readyState === EventSource.CLOSED) probe();
    };
    Object.keys(fragmentsFor).forEach((type) => source.addEventListener(type, onEvent));
  }

  async function probe() {
    // The stream refused us: a 404 on the page itself means the link was revoked or expired.
    source.close();
    let response = null;
    try { response = await fetch(base + "/fragments/vehicle" + query, { cache: "no-store" }); } catch (_e) { /* offline */ }
    if (response && response.status === 404) return goneState();
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 60000);
  }

  function goneState() {
    if (gone) return;
    gone = true;
    if (source) source.close();
    clearTimeout(flushTimer);
    clearTimeout(retryTimer);
    status.hidden = true;
    document.getElementById("live-gone").hidden = false;
    if (form) {
      form.querySelectorAll("textarea, button").forEach((el) => { el.disabled = true; });
      showError(form.dataset.gone);
    }
  }

  // A stream that dropped offline may never report an error (no packets, no TCP reset):
  // say so at once, and open a fresh one when the network is back (it redraws every section).
  window.addEventListener("offline", () => { connected = false; setStatus(); });
  window.addEventListener("online", () => {
    if (gone) return;
    if (source) source.close();
    connect();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    // Phones drop streams in the background; come back live when the page is shown again.
    if (source && source.readyState === EventSource.CLOSED && !gone) connect();
    if (wanted.size && !gone) flush();
    markSeen();
  });

  // ---- seen ------------------------------------------------------------------------
  let seenUpTo = 0;
  let threadOnScreen = !("IntersectionObserver" in window);

  function markSeen() {
    const thread = document.getElementById("thread");
    const newest = thread ? Number(thread.dataset.newestShop) || 0 : 0;
    if (!newest || newest <= seenUpTo || !threadOnScreen || document.visibilityState !== "visible" || gone) return;
    seenUpTo = newest;
    post(base + "/seen", { message_id: newest }).catch(() => { seenUpTo = 0; });
  }

  if (threadOnScreen) markSeen();
  else {
    new IntersectionObserver((entries) => {
      threadOnScreen = entries.some((e) => e.isIntersecting);
      markSeen();
    }).observe(document.getElementById("messages"));
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
    });
  }

  // ---- message form ----------------------------------------------------------------
  let box, error, counter, sending = false;

  function showError(text) {
    error.textContent = text || "";
    error.hidden = !text;
    box.setAttribute("aria-invalid", text ? "true" : "false");
    box.setAttribute("aria-describedby", text ? "message-hint message-error" : "message-hint");
  }

  function count() {
    const n = box.value.replace(/\r\n/g, "\n").trim().length;
    const max = Number(counter.dataset.max);
    counter.textContent = n.toLocaleString(lang) + " / " + max.toLocaleString(lang);
    counter.classList.toggle("is-over", n > max);
  }

  async function send(event) {
    event.preventDefault();
    if (sending || gone) return;
    sending = true;
    form.setAttribute("aria-busy", "true");
    let response = null;
    let answer = null;
    try {
      response = await post(form.action, { body: box.value });
      if ((response.headers.get("Content-Type") || "").includes("json")) answer = await response.json();
    } catch (_e) { /* offline: said below */ }
    sending = false;
    form.removeAttribute("aria-busy");
    if (response && response.status === 404) return goneState();
    if (response && response.ok && answer) {
      box.value = "";
      count();
      showError("");
      place("thread", answer.thread);
      announce(form.dataset.sent);
      return;
    }
    showError((answer && answer.error) || form.dataset.offline);
  }

  if (form) {
    box = form.querySelector("textarea");
    error = form.querySelector(".field-error");
    counter = form.querySelector(".counter");
    counter.hidden = false;
    count();
    box.addEventListener("input", count);
    box.addEventListener("keydown", (e) => {
      // Ctrl/Cmd+Enter sends; plain Enter is a new line, as people expect in a text box.
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.querySelector("button").click();
    });
    form.addEventListener("submit", send);
  }

  // ---- photos.js on first use --------------------------------------------------------
  // The viewer and the upload form's progress are not needed to read the page, so their
  // script is fetched when the reader reaches for them, not with the page.
  let photosScript = null;
  function loadPhotos() {
    if (!photosScript) {
      photosScript = new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = main.dataset.photosJs;
        s.onload = resolve;
        s.onerror = reject;
        document.head.append(s);
      });
    }
    return photosScript;
  }
  const wantsPhotos = (e) => e.target.closest && e.target.closest("#photos, #uploads form");
  ["pointerdown", "focusin"].forEach((type) => document.addEventListener(type, (e) => {
    if (wantsPhotos(e)) loadPhotos().catch(() => {});
  }));
  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("#photos .gallery-link");
    if (!link || window.claimoryPhotos || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    // Once loaded, photos.js answers the same click; offline, the plain link still works.
    loadPhotos().then(() => link.click(), () => { location.href = link.href; });
  });

  connect();
})();
