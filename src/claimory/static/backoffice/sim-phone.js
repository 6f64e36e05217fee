// The standalone texting simulator: re-fetch the simulated phone every few seconds (the
// server renders it with the same template) so texts the shop sends show up by themselves.
// The claim page needs none of this: its live stream already refreshes the panel.
(() => {
  "use strict";

  const holder = document.querySelector("[data-sim-poll]");
  if (!holder) return;
  const EVERY_MS = 4000;

  async function refresh() {
    try {
      const response = await fetch(holder.dataset.simPoll, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (response.ok && window.claimoryLive) {
        const template = document.createElement("template");
        template.innerHTML = await response.text();
        window.claimoryLive.swapRegions(template.content); // waits while you type a reply
      }
    } catch { /* tried again next time */ }
    window.setTimeout(refresh, document.hidden ? EVERY_MS * 4 : EVERY_MS);
  }

  window.setTimeout(refresh, EVERY_MS);
})();
