/* Customer portal: the full-screen photo viewer and the file upload form with progress.
   Loaded by live.js on first use (a tap on a photo, focus in the upload form).
   Progressive enhancement only: without this file a thumbnail is a link to the full JPEG and
   the form posts and comes back with a note. Listeners sit on the document because live.js
   swaps both sections when the shop adds a photo or a file is processed. */
(() => {
  "use strict";
  if (!window.HTMLDialogElement || window.claimoryPhotos) return; // old browsers: plain links
  window.claimoryPhotos = true;

  // ---- viewer ----------------------------------------------------------------------
  let dialog = null;
  let links = [];
  let index = 0;
  let opener = null;
  let touchX = null;

  function button(cls, label, text) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "viewer-btn " + cls;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    return b;
  }

  function build(gallery) {
    const d = gallery.dataset;
    dialog = document.createElement("dialog");
    dialog.className = "viewer";
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", d.label);
    dialog.innerHTML = '<figure class="viewer-figure"><picture><source type="image/webp">' +
      '<img class="viewer-img" alt=""></picture><figcaption class="viewer-caption"></figcaption></figure>' +
      '<p class="viewer-count" aria-live="polite"></p>';
    const close = button("viewer-close", d.close, "\u00d7");
    const prev = button("viewer-prev", d.prev, "\u2039");
    const next = button("viewer-next", d.next, "\u203a");
    dialog.append(close, prev, next);
    dialog.dataset.count = d.count;
    close.addEventListener("click", () => dialog.close());
    prev.addEventListener("click", () => show(index - 1));
    next.addEventListener("click", () => show(index + 1));
    dialog.addEventListener("keydown", (e) => {
      if (e.key === "ArrowLeft") { e.preventDefault(); show(index - 1); }
      else if (e.key === "ArrowRight") { e.preventDefault(); show(index + 1); }
      else if (e.key === "Tab") trap(e);
    });
    // A tap on the dark backdrop (outside the picture and buttons) closes, as people expect.
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
    dialog.addEventListener("touchstart", (e) => { touchX = e.touches[0].clientX; }, { passive: true });
    dialog.addEventListener("touchend", (e) => {
      if (touchX === null) return;
      const dx = e.changedTouches[0].clientX - touchX;
      touchX = null;
      if (Math.abs(dx) > 50) show(index + (dx < 0 ? 1 : -1));
    });
    dialog.addEventListener("close", () => {
      document.documentElement.classList.remove("viewer-open");
      // Focus back where the reader was (the same photo, even if the gallery was redrawn).
      const back = opener && opener.isConnected ? opener : document.querySelectorAll("#photos .gallery-link")[index];
      if (back) back.focus();
    });
    document.body.append(dialog);
  }

  function trap(e) {
    // showModal() makes the page inert; this keeps Tab cycling inside the viewer's buttons.
    const items = [...dialog.querySelectorAll("button")].filter((b) => !b.hidden);
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  function show(i) {
    if (!links.length) return;
    index = (i + links.length) % links.length;
    const link = links[index];
    const thumb = link.querySelector("img");
    const img = dialog.querySelector(".viewer-img");
    const source = dialog.querySelector("source");
    if (link.dataset.fullWebp) source.srcset = link.dataset.fullWebp;
    else source.removeAttribute("srcset");
    img.src = link.dataset.fullJpg;
    img.width = Number(link.dataset.width) || 0;
    img.height = Number(link.dataset.height) || 0;
    img.alt = thumb ? thumb.alt : "";
    const item = link.closest(".gallery-item");
    const text = (sel) => {
      const el = item && item.querySelector(sel);
      return el ? el.textContent.trim() : "";
    };
    dialog.querySelector(".viewer-caption").textContent =
      [text(".stage-tag"), text("time"), text(".gallery-caption")].filter(Boolean).join(" \u00b7 ");
    dialog.querySelector(".viewer-count").textContent = dialog.dataset.count
      .replace("{n}", String(index + 1)).replace("{total}", String(links.length));
    const single = links.length < 2;
    dialog.querySelector(".viewer-prev").hidden = single;
    dialog.querySelector(".viewer-next").hidden = single;
  }

  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("#photos .gallery-link");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    const gallery = link.closest(".gallery");
    if (!dialog) build(gallery);
    links = [...gallery.querySelectorAll(".gallery-link")];
    opener = link;
    show(links.indexOf(link));
    document.documentElement.classList.add("viewer-open");
    dialog.showModal();
    dialog.querySelector(".viewer-close").focus();
  });

  // ---- upload form -----------------------------------------------------------------
  function replaceUploads(html) {
    const holder = document.createElement("template");
    holder.innerHTML = (html || "").trim();
    const fresh = holder.content.firstElementChild;
    const old = document.getElementById("uploads");
    if (fresh && old && fresh.id === "uploads") old.replaceWith(fresh);
    return fresh;
  }

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!form.matches || !form.matches("#uploads .upload-form") || !window.FormData) return;
    e.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    const error = form.querySelector(".field-error");
    const bar = form.querySelector(".upload-progress");
    const files = form.querySelector('input[type="file"]');
    const submit = form.querySelector('button[type="submit"]');
    const label = submit.textContent;
    const say = (text) => {
      error.textContent = text || "";
      error.hidden = !text;
      files.setAttribute("aria-invalid", text ? "true" : "false");
      files.setAttribute("aria-describedby", text ? "upload-hint upload-error" : "upload-hint");
    };
    say("");
    form.setAttribute("aria-busy", "true");
    submit.textContent = form.dataset.sending;
    bar.hidden = false;
    bar.value = 0;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (p) => {
      if (p.lengthComputable) bar.value = Math.round((100 * p.loaded) / p.total);
    });
    const done = () => {
      form.removeAttribute("aria-busy");
      submit.textContent = label;
      bar.hidden = true;
    };
    xhr.addEventListener("load", () => {
      done();
      let answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (_e) { /* not JSON: said below */ }
      if (xhr.status === 404) return say(form.dataset.gone);
      if (xhr.status >= 200 && xhr.status < 300 && answer) {
        const fresh = replaceUploads(answer.uploads);
        const note = fresh && fresh.querySelector(".sent-note");
        if (note) { note.tabIndex = -1; note.focus(); }
        return;
      }
      say((answer && answer.error) || form.dataset.offline);
    });
    xhr.addEventListener("error", () => { done(); say(form.dataset.offline); });
    xhr.send(new FormData(form));
  });
})();
