// Claim page drafts: show that a draft is being written (the model may take a few seconds)
// and keep a Send from going twice. Without this script the buttons are plain form posts.
(() => {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-draft-new], [data-draft-form]");
    if (!form || event.defaultPrevented) return;
    const button = event.submitter;
    if (form.dataset.busy === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.busy = "1";
    form.setAttribute("aria-busy", "true");
    if (button && button.dataset.busyLabel) {
      button.dataset.label = button.textContent;
      button.textContent = button.dataset.busyLabel;
      button.classList.add("is-busy");
    }
    // Disabled after the browser has taken the submitter's action for this post.
    window.setTimeout(() => {
      for (const other of form.querySelectorAll("button")) other.disabled = true;
    }, 0);
  });

  // Back from the bfcache with the buttons still disabled: make them usable again.
  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("[data-busy='1']")) {
      form.dataset.busy = "";
      form.removeAttribute("aria-busy");
      for (const button of form.querySelectorAll("button")) {
        button.disabled = false;
        if (button.dataset.label) button.textContent = button.dataset.label;
        button.classList.remove("is-busy");
      }
    }
  });
})();
