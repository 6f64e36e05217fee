// Production board: move cards between stage columns by drag and drop or by keyboard.
// Every move posts the card's own no-JS form (stage select + CSRF token) with fetch, so the
// server path is the same one a touch device uses with the plain "Move" button.
(() => {
  "use strict";

  const board = document.querySelector("[data-board]");
  if (!board) return;
  // Tells the stylesheet that moves work without each card's select + Move pair showing.
  document.documentElement.classList.add("js-board");
  const live = document.getElementById("board-live");
  const errorBox = document.getElementById("board-error");

  const columns = () => Array.from(board.querySelectorAll("[data-stage]"));
  const columnOf = (card) => card.closest("[data-stage]");
  const cardsIn = (column) => Array.from(column.querySelectorAll("[data-claim-id]"));
  const stageName = (column) => column.dataset.stageName;

  function announce(text) {
    // Clearing first makes screen readers repeat an identical message.
    live.textContent = "";
    window.setTimeout(() => { live.textContent = text; }, 30);
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function updateCounts() {
    for (const column of columns()) {
      const count = cardsIn(column).length;
      const badge = column.querySelector("[data-count]");
      badge.textContent = String(count);
      badge.setAttribute("aria-label", `${count} car${count === 1 ? "" : "s"}`);
    }
  }

  // ---- the move itself ------------------------------------------------------------------

  async function move(card, target) {
    const origin = columnOf(card);
    if (!target || target === origin) return;
    const form = card.querySelector("form");
    const select = form.querySelector("select[name=stage]");
    const placeholder = card.nextElementSibling;
    const originList = card.parentElement;

    target.querySelector("ol").appendChild(card);
    card.classList.add("is-saving");
    updateCounts();
    errorBox.hidden = true;

    const body = new FormData(form);
    body.set("stage", target.dataset.stage);
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.error || `The server said ${response.status}.`);
      select.value = answer.stage || target.dataset.stage;
      const days = card.querySelector("[data-days]");
      if (days) days.textContent = "today";
      announce(`${card.dataset.label} moved to ${stageName(target)}.`);
    } catch (error) {
      originList.insertBefore(card, placeholder && placeholder.parentElement === originList ? placeholder : null);
      updateCounts();
      const text = `Could not move ${card.dataset.label}: ${error.message}`;
      showError(text);
      announce(text);
    } finally {
      card.classList.remove("is-saving");
    }
  }

  // ---- the card's Move button (touch screens) -----------------------------------------------
  // It opens the card's own select + Move form; submitting it moves the card in place.

  function closeMoveForms(except) {
    for (const open of board.querySelectorAll(".bcard.is-moving")) {
      if (open === except) continue;
      open.classList.remove("is-moving");
      open.querySelector(".bcard__toggle")?.setAttribute("aria-expanded", "false");
    }
  }

  board.addEventListener("click", (event) => {
    const toggle = event.target.closest && event.target.closest(".bcard__toggle");
    if (!toggle) return;
    const card = toggle.closest("[data-claim-id]");
    const opening = !card.classList.contains("is-moving");
    closeMoveForms(card);
    card.classList.toggle("is-moving", opening);
    toggle.setAttribute("aria-expanded", String(opening));
    if (opening) card.querySelector("select[name=stage]").focus();
  });

  board.addEventListener("submit", (event) => {
    const card = event.target.closest("[data-claim-id]");
    if (!card) return;
    const slug = event.target.querySelector("select[name=stage]").value;
    const target = columns().find((column) => column.dataset.stage === slug);
    if (!target) return; // an unknown stage: let the plain form post explain it
    event.preventDefault();
    closeMoveForms(null);
    if (target === columnOf(card)) return;
    move(card, target).then(() => {
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
      card.focus();
    });
  });

  // ---- the column switcher above the board --------------------------------------------------

  const stagesNav = document.querySelector(".board-stages");
  if (stagesNav) {
    const jumps = Array.from(stagesNav.querySelectorAll("[data-jump]"));
    let chosen = null; // the column last jumped to: the last columns can't reach the left edge
    stagesNav.addEventListener("click", (event) => {
      const link = event.target.closest("[data-jump]");
      if (!link) return;
      const column = columns().find((c) => c.dataset.stage === link.dataset.jump);
      if (!column) return;
      chosen = column;
      markCurrent();
      event.preventDefault(); // scroll the board sideways only, not the page
      const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      const offset = column.getBoundingClientRect().left - board.getBoundingClientRect().left;
      board.scrollTo({ left: board.scrollLeft + offset - 4, behavior: reduce ? "auto" : "smooth" });
      column.querySelector("h2").setAttribute("tabindex", "-1");
      column.querySelector("h2").focus({ preventScroll: true });
    });
    // Counts follow every move (ours or a teammate's, swapped in by live.js).
    const syncCounts = () => {
      for (const link of jumps) {
        const column = columns().find((c) => c.dataset.stage === link.dataset.jump);
        if (column) link.querySelector("[data-jump-count]").textContent = String(cardsIn(column).length);
      }
    };
    new MutationObserver(syncCounts).observe(board, { childList: true, subtree: true });
    // The chip of the column at the board's left edge is marked as the current one.
    const markCurrent = () => {
      const view = board.getBoundingClientRect();
      let current = columns()[0];
      for (const column of columns()) {
        if (column.getBoundingClientRect().left - view.left <= 24) current = column;
      }
      if (chosen) current = chosen;
      const scrollable = board.scrollWidth > board.clientWidth + 1;
      for (const link of jumps) {
        if (scrollable && current && link.dataset.jump === current.dataset.stage) {
          link.setAttribute("aria-current", "true");
          // Keep the marked chip in the chip row's view (sideways only, never the page).
          const list = link.closest("ul");
          const chip = link.getBoundingClientRect();
          const row = list.getBoundingClientRect();
          if (chip.left < row.left || chip.right > row.right) list.scrollLeft += chip.left - row.left - 8;
        } else {
          link.removeAttribute("aria-current");
        }
      }
    };
    // A person's own swipe, wheel or drag on the board ends the jump's choice.
    for (const type of ["touchstart", "wheel", "pointerdown", "keydown"]) {
      board.addEventListener(type, () => { chosen = null; }, { passive: true });
    }
    let frame = 0;
    board.addEventListener("scroll", () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(markCurrent);
    }, { passive: true });
    window.addEventListener("resize", markCurrent);
    markCurrent();
  }

  // ---- drag and drop ----------------------------------------------------------------------

  let dragged = null;

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("[data-claim-id]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.claimId);
  });

  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    for (const column of columns()) column.classList.remove("is-target");
  });

  board.addEventListener("dragover", (event) => {
    const column = event.target.closest && event.target.closest("[data-stage]");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    for (const other of columns()) other.classList.toggle("is-target", other === column);
  });

  board.addEventListener("dragleave", (event) => {
    const column = event.target.closest && event.target.closest("[data-stage]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-target");
  });

  board.addEventListener("drop", (event) => {
    const column = event.target.closest && event.target.closest("[data-stage]");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("is-target");
    move(dragged, column);
  });

  // ---- keyboard ---------------------------------------------------------------------------
  // Space picks a focused card up; Left/Right choose the column; Space/Enter drop; Escape
  // cancels. Without a card picked up, the arrows move focus between cards.

  let grabbed = null; // { card, target }

  function setTarget(column) {
    grabbed.target = column;
    for (const other of columns()) other.classList.toggle("is-target", other === column);
    const here = column === columnOf(grabbed.card) ? " (where it is now)" : "";
    announce(`${stageName(column)}${here}. Press Space or Enter to drop, Escape to cancel.`);
  }

  function pickUp(card) {
    grabbed = { card, target: columnOf(card) };
    card.classList.add("is-grabbed");
    card.setAttribute("aria-grabbed", "true");
    announce(`Picked up ${card.dataset.label} in ${stageName(grabbed.target)}. ` +
      "Use Left and Right arrows to choose a column, Space or Enter to drop, Escape to cancel.");
  }

  function release() {
    const state = grabbed;
    grabbed = null;
    state.card.classList.remove("is-grabbed");
    state.card.removeAttribute("aria-grabbed");
    for (const column of columns()) column.classList.remove("is-target");
    return state;
  }

  function focusNeighbour(card, key) {
    const column = columnOf(card);
    const all = columns();
    let next = null;
    if (key === "ArrowUp" || key === "ArrowDown") {
      const cards = cardsIn(column);
      next = cards[cards.indexOf(card) + (key === "ArrowDown" ? 1 : -1)];
    } else {
      const step = key === "ArrowRight" ? 1 : -1;
      for (let i = all.indexOf(column) + step; i >= 0 && i < all.length && !next; i += step) {
        next = cardsIn(all[i])[0];
      }
    }
    if (next) next.focus();
  }

  board.addEventListener("keydown", (event) => {
    const card = event.target.closest && event.target.closest("[data-claim-id]");
    // Keys typed in the card's link, select or button keep their usual meaning.
    if (!card || event.target !== card) return;
    const key = event.key;
    if (!grabbed) {
      if (key === " " || key === "Spacebar") {
        event.preventDefault();
        pickUp(card);
      } else if (key.startsWith("Arrow")) {
        event.preventDefault();
        focusNeighbour(card, key);
      }
      return;
    }
    if (grabbed.card !== card) return;
    const all = columns();
    if (key === "ArrowLeft" || key === "ArrowRight") {
      event.preventDefault();
      const index = all.indexOf(grabbed.target) + (key === "ArrowRight" ? 1 : -1);
      if (index >= 0 && index < all.length) setTarget(all[index]);
    } else if (key === " " || key === "Spacebar" || key === "Enter") {
      event.preventDefault();
      const { target } = release();
      if (target === columnOf(card)) {
        announce(`${card.dataset.label} stays in ${stageName(target)}.`);
      } else {
        move(card, target).then(() => card.focus());
      }
    } else if (key === "Escape") {
      event.preventDefault();
      release();
      announce(`Move cancelled. ${card.dataset.label} stays in ${stageName(columnOf(card))}.`);
    } else if (key === "Tab") {
      release();
      announce("Move cancelled.");
    }
  });

  board.addEventListener("focusout", (event) => {
    if (grabbed && event.target === grabbed.card && !grabbed.card.classList.contains("is-saving")) {
      release();
    }
  });
})();
