// The technician's capture page: every picked photo uploads on its own, with a progress bar,
// and is retried by itself after a dropped connection or a server hiccup. Each file carries a
// random upload id made here, so a retry of a request that did reach the server returns the
// same photo instead of a second one. Then the row waits for the worker ("Processing…") and
// shows the thumbnail. Without this script the form posts every file at once (it still works).
(() => {
  "use strict";

  const form = document.querySelector("[data-capture]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const input = form.querySelector("input[type=file]");
  const list = document.querySelector("[data-upload-list]");
  const panel = document.querySelector("[data-uploads]");
  const summary = document.querySelector("[data-upload-summary]");
  const rowTemplate = document.getElementById("upload-row");
  const statusUrl = (id) => form.dataset.statusUrl.replace(/0\/state$/, `${id}/state`);

  // With the script, picking is uploading: the submit button would only send them twice.
  form.querySelector("[data-nojs-send] button[type=submit]").hidden = true;
  form.querySelector("[data-js-hint]").hidden = false;

  const PARALLEL = 2;
  const AUTO_RETRIES = 5; // network errors and 5xx: 1, 2, 4, 8, 16 s apart (with jitter)
  const POLL_LIMIT = 200; // about ten minutes of "Processing…" before we say to look later
  const queue = [];
  const uploads = [];
  let running = 0;

  function uploadKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function backoff(attempt) {
    return Math.min(1000 * 2 ** attempt, 16000) * (0.8 + Math.random() * 0.4);
  }

  function updateSummary() {
    const done = uploads.filter((u) => u.state === "done").length;
    const failed = uploads.filter((u) => u.state === "failed").length;
    let text = `${done} of ${uploads.length} done`;
    if (failed) text += `, ${failed} failed`;
    summary.textContent = text;
  }

  function show(upload, state, text, percent) {
    upload.state = state;
    upload.row.dataset.state = state;
    upload.status.textContent = text;
    if (percent !== undefined) upload.bar.value = percent;
    upload.bar.hidden = state === "done" || state === "failed";
    upload.retry.hidden = state !== "failed";
    updateSummary();
  }

  function add(file) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    const upload = {
      file, row, key: uploadKey(), attempt: 0, polls: 0, state: "queued",
      // What the form said when the photo was picked, even if it changes meanwhile.
      stage: form.elements.stage.value,
      caption: form.elements.caption.value,
      internal: form.elements.internal.checked,
      bar: row.querySelector("progress"),
      status: row.querySelector(".upload__status"),
      retry: row.querySelector(".upload__retry"),
      img: row.querySelector("img"),
    };
    row.querySelector(".upload__name").textContent = file.name || "Photo";
    upload.bar.setAttribute("aria-label", `Upload of ${file.name || "photo"}`);
    upload.retry.addEventListener("click", () => {
      upload.attempt = 0;
      upload.polls = 0;
      enqueue(upload);
    });
    list.appendChild(row);
    uploads.push(upload);
    panel.hidden = false;
    enqueue(upload);
  }

  function enqueue(upload) {
    show(upload, "queued", "Waiting…", 0);
    queue.push(upload);
    pump();
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      running += 1;
      send(queue.shift());
    }
  }

  function finished() {
    running -= 1;
    pump();
  }

  function again(upload, reason) {
    if (upload.attempt >= AUTO_RETRIES) {
      show(upload, "failed", `${reason} Check the connection and tap Retry.`);
      finished();
      return;
    }
    const wait = backoff(upload.attempt);
    upload.attempt += 1;
    show(upload, "retrying", `${reason} Trying again in ${Math.round(wait / 1000)} s…`);
    window.setTimeout(() => send(upload), wait);
  }

  function send(upload) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    data.append("photos", upload.file, upload.file.name || "photo.jpg");
    data.append("stage", upload.stage);
    data.append("caption", upload.caption);
    if (upload.internal) data.append("internal", "on");
    data.append("upload_key", upload.key);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 120000;
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      show(upload, "uploading", `Uploading ${percent}%`, percent);
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch { /* an HTML error page */ }
      if (xhr.status >= 500 || xhr.status === 0) {
        again(upload, `The server had a problem (${xhr.status}).`);
        return;
      }
      if (xhr.status !== 201 && xhr.status !== 200) {
        show(upload, "failed", answer.error || `Not uploaded (${xhr.status}).`);
        finished();
        return;
      }
      finished();
      received(upload, answer);
    });
    xhr.addEventListener("error", () => again(upload, "The connection dropped."));
    xhr.addEventListener("timeout", () => again(upload, "The upload timed out."));
    show(upload, "uploading", "Uploading 0%", 0);
    xhr.send(data);
  }

  function received(upload, answer) {
    upload.id = answer.id;
    if (answer.state === "ready") {
      show(upload, "done", "Done");
      if (answer.thumb_url) {
        upload.img.src = answer.thumb_url;
        upload.img.hidden = false;
      }
      return;
    }
    if (answer.state === "failed") {
      show(upload, "failed", answer.error || "This photo could not be processed.");
      return;
    }
    show(upload, "processing", "Processing…", 100);
    window.setTimeout(() => poll(upload), 1500);
  }

  async function poll(upload) {
    upload.polls += 1;
    if (upload.polls > POLL_LIMIT) {
      show(upload, "processing", "Still processing: it appears on the claim when ready.");
      return;
    }
    try {
      const response = await fetch(statusUrl(upload.id), {
        credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      });
      if (!response.ok) throw new Error(String(response.status));
      received(upload, await response.json());
    } catch {
      window.setTimeout(() => poll(upload), 3000); // offline for a moment: look again
    }
  }

  input.addEventListener("change", () => {
    for (const file of input.files) add(file);
    input.value = ""; // the same photos may be picked again, and the form never resends them
  });
})();
