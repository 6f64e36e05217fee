// Copy buttons for read-only fields (the customer's portal link). Without JS the field is
// still there to select by hand; the button only appears when this script runs.
(() => {
  "use strict";

  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }

  for (const button of document.querySelectorAll("[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    const status = document.querySelector("[data-copy-status]");
    if (!input) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        input.select();
        document.execCommand("copy");
      }
      button.textContent = "Copied";
      if (status) status.textContent = "Link copied to the clipboard.";
      window.setTimeout(() => {
        button.textContent = "Copy link";
        if (status) status.textContent = "";
      }, 2500);
    });
  }
})();
