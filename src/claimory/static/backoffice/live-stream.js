// The one /staff/events stream behind every staff tab of a person in this browser.
//
// Loaded as a SharedWorker (live.js names it per user), it holds a single EventSource and
// fans each frame out to the tabs: a front desk with many tabs open uses one connection
// instead of one per tab (HTTP/1.1 allows about six per host, so the seventh tab used to
// hang). Loaded as a plain page script it only defines window.claimoryStreamHub, which
// live.js runs in the page over a MessageChannel where SharedWorker is missing or blocked.
//
// Tabs say {type: "hello", url, since} (since = the page's render time, epoch ms),
// {type: "online"} / {type: "offline"} and {type: "bye"}; the hub answers {type: "state", state, resync, lostAt} and
// {type: "event", data}.
(() => {
  "use strict";

  const KEEP_MS = 10 * 60 * 1000; // about the server's own replay window
  const KEEP_MAX = 500;

  function createHub() {
    const ports = new Set();
    const recent = []; // {at, data}: what a tab that joins late missed since its render
    let url = "";
    let since = 0; // the stream covers events created from here on
    let lastId = "";
    let source = null;
    let state = "connecting";
    let opened = false;
    let lostAt = 0;
    let retryDelay = 2000;
    let timer = 0;

    const send = (port, message) => {
      try { port.postMessage(message); } catch { /* that tab is gone */ }
    };
    const broadcast = (message) => ports.forEach((port) => send(port, message));

    function setState(next, extra) {
      state = next;
      broadcast({ type: "state", state, ...extra });
    }

    function open() {
      timer = 0;
      if (source) source.close();
      const params = new URLSearchParams({ since: String(since) });
      if (lastId) params.set("last_event_id", lastId);
      source = new EventSource(`${url}?${params}`);
      source.onopen = () => {
        retryDelay = 2000;
        // Back after a gap: tabs refetch what they show (inbox changes are not replayed).
        setState("live", { resync: opened && lostAt > 0, lostAt });
        opened = true;
        lostAt = 0;
      };
      source.onmessage = (message) => {
        if (message.lastEventId) lastId = message.lastEventId;
        // Kept by the server's creation time, compared with a page's server render time as
        // the server's own replay does; inbox changes (no time) are not replayed, as there.
        let at = 0;
        try { at = Date.parse(JSON.parse(message.data).at) || 0; } catch { /* not kept */ }
        if (at) recent.push({ at, kept: Date.now(), data: message.data });
        while (recent.length > KEEP_MAX || (recent.length && recent[0].kept < Date.now() - KEEP_MS)) {
          recent.shift();
        }
        broadcast({ type: "event", data: message.data });
      };
      source.onerror = () => {
        if (!lostAt) lostAt = Date.now();
        if (source.readyState === EventSource.CLOSED) {
          // Refused (signed out, server restarting): the browser gives up, we try again later.
          setState("offline");
          timer = setTimeout(open, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 60000);
        } else {
          setState("reconnecting");
        }
      };
    }

    function stop() {
      if (source) source.close();
      clearTimeout(timer);
      source = null;
      timer = 0;
      url = lastId = "";
      since = 0;
      opened = false;
      lostAt = 0;
      recent.length = 0;
      state = "connecting";
    }

    function hello(port, message) {
      if (typeof EventSource === "undefined") {
        send(port, { type: "unsupported" }); // some browsers lack it in workers
        return;
      }
      ports.add(port);
      const tabSince = Number(message.since) || Date.now();
      if (!url) {
        url = message.url;
        since = tabSince;
        // Tabs opened together say hello within a few ms: wait for them, so one stream
        // covers the oldest page among them.
        timer = setTimeout(open, 50);
      } else if (tabSince < since) {
        // This page is older than what the stream covers: replay from its render time to
        // everyone (tabs drop event ids they have already handled).
        since = tabSince;
        lastId = "";
        recent.length = 0;
        if (!timer) timer = setTimeout(open, 50);
      } else {
        for (const item of recent) {
          if (item.at >= tabSince) send(port, { type: "event", data: item.data });
        }
      }
      send(port, { type: "state", state });
    }

    return function attach(port) {
      port.onmessage = (event) => {
        const message = event.data || {};
        if (message.type === "hello") hello(port, message);
        else if (message.type === "offline" && source && !lostAt) {
          // A dropped network may never error the stream: say so, then reopen when back.
          lostAt = Date.now();
          setState("reconnecting");
        } else if (message.type === "online" && lostAt && source && !timer) {
          open();
        } else if (message.type === "bye") {
          ports.delete(port);
          if (!ports.size) stop();
        }
      };
    };
  }

  if (typeof window !== "undefined") {
    window.claimoryStreamHub = createHub; // page mode: live.js decides whether it is needed
    return;
  }
  const attach = createHub();
  if ("onconnect" in self) {
    self.onconnect = (event) => attach(event.ports[0]);
  } else {
    attach(self); // a dedicated worker: its one page is the port
  }
})();
