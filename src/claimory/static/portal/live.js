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
  let backoff = 2000;
  let downTimer = 0;

  const fmt = (text, values) => (text || "").replace(/\{(\w+)\}/g, (_m, k) => values[k] || "");

  function announce(text) {
    // Cleared first, so the same words twice are still read out.
    announcer.textContent = "";
    setTimeout(() => { announcer.textContent = text; }, 60);
  }

  function setStatus(state) {
    clearTimeout(downTimer);
    status.hidden = false;
    status.className = "live-status is-" + state;
    status.textContent = status.dataset[state];
  }

  // ---- fragments -------------------------------------------------------------------
  const generation = {};
  let pending = new Set();
  let flushTimer = 0;

  function queue(names) {
    names.forEach((name) => pending.add(name));
    // A replay after a reconnect delivers many events at once: fetch each fragment once.
    if (!flushTimer) flushTimer = setTimeout(flush, 80);
  }

  function flush() {
    flushTimer = 0;
    const names = pending;
    pending = new Set();
    names.forEach(refresh);
  }

  async function refresh(name) {
    const mine = (generation[name] = (generation[name] || 0) + 1);
    let response;
    try {
      response = await fetch(base + "/fragments/" + name + query, { cache: "no-store" });
    } catch (_e) {
      return;
    }
    if (response.status === 404) return goneState();
    if (!response.ok || mine !== generation[name]) return; // a newer fetch will land
    const html = await response.text();
    if (mine === generation[name]) place(name, html);
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
    queue(fragmentsFor[event.type] || []);
  }

  function connect() {
    if (gone || !window.EventSource) return;
    if (source) source.close();
    // Last-Event-ID from the page render: only what happened since is replayed.
    source = new EventSource(base + "/events?last_event_id=" + encodeURIComponent(lastId));
    source.onopen = () => { everLive = true; backoff = 2000; setStatus("live"); };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) return probe();
      // The browser retries by itself; say so only if it takes a moment.
      clearTimeout(downTimer);
      downTimer = setTimeout(() => setStatus("reconnecting"), 2500);
    };
    Object.keys(fragmentsFor).forEach((type) => source.addEventListener(type, onEvent));
  }

  async function probe() {
    // The stream refused us: a 404 on the page itself means the link was revoked or expired.
    source.close();
    let response = null;
    try { response = await fetch(base + "/fragments/vehicle" + query, { cache: "no-store" }); } catch (_e) { /* offline */ }
    if (response && response.status === 404) return goneState();
    if (everLive) setStatus("reconnecting");
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 60000);
  }

  function goneState() {
    if (gone) return;
    gone = true;
    if (source) source.close();
    setStatus("gone");
    if (form) {
      form.querySelectorAll("textarea, button").forEach((el) => { el.disabled = true; });
      showError(form.dataset.gone);
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    // Phones drop streams in the background; come back live when the page is shown again.
    if (source && source.readyState === EventSource.CLOSED && !gone) connect();
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

  connect();
})();
