// Claim page message thread: send replies without a reload, and mark the thread read once it
// is actually on screen. Without this script the reply box is a plain form post.
(() => {
  "use strict";

  const section = document.querySelector("[data-thread]");
  if (!section) return;
  const form = section.querySelector("[data-reply]");
  const textarea = form.querySelector("textarea");
  const errors = form.querySelector("[data-reply-error]");
  const send = form.querySelector("[data-reply-send]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const live = window.claimoryLive || { swapRegions() {}, announce() {} };

  function showError(text) {
    errors.replaceChildren();
    if (text) {
      const item = document.createElement("li");
      item.textContent = text;
      errors.appendChild(item);
    }
    errors.hidden = !text;
    form.querySelector(".field").classList.toggle("field--error", Boolean(text));
    if (text) {
      textarea.setAttribute("aria-invalid", "true");
      textarea.setAttribute("aria-describedby", errors.id);
    } else {
      textarea.removeAttribute("aria-invalid");
      textarea.removeAttribute("aria-describedby");
    }
  }

  function swapThread(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    live.swapRegions(template.content);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (send.disabled) return;
    send.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (response.ok) {
        textarea.value = "";
        showError("");
        // The reply box keeps focus, so the thread above it is free to be swapped.
        swapThread(await response.text());
        live.announce("Reply sent.");
      } else {
        const answer = await response.json().catch(() => ({}));
        showError(answer.error || `Couldn't send (the server said ${response.status}).`);
        textarea.focus();
      }
    } catch {
      showError("Couldn't send: check the connection and try again. Your text is still here.");
    } finally {
      send.disabled = false;
    }
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // ---- mark read when the thread is seen --------------------------------------------------

  let visible = false;
  let marking = false;

  async function markRead() {
    const state = document.getElementById("thread-live");
    if (marking || !visible || document.hidden || !state || state.dataset.unread === "0") return;
    marking = true;
    try {
      const response = await fetch(section.dataset.readUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      });
      // The live stream then refreshes the thread and the nav badge for every open page.
      if (response.ok) state.dataset.unread = "0";
    } catch { /* tried again on the next change */ } finally {
      marking = false;
    }
  }

  if ("IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      visible = entries.some((entry) => entry.isIntersecting);
      markRead();
    }, { threshold: 0.25 }).observe(section);
  }
  document.addEventListener("visibilitychange", markRead);
  document.addEventListener("claimory:swapped", (event) => {
    if (event.detail.id === "thread-live") markRead();
  });
})();
