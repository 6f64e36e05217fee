// The signing page: a signature pad (Pointer Events: finger, pen and mouse alike) and the
// choice between drawing and typing. Without this script the page still works: the "Draw"
// option stays disabled and the typed name signs.
(function () {
  "use strict";
  var errors = document.getElementById("sign-errors");
  if (errors) errors.focus();

  var form = document.getElementById("sign-form");
  var canvas = document.getElementById("sign-pad");
  if (!form || !canvas || !canvas.getContext) return;

  var area = document.getElementById("pad-area");
  var field = document.getElementById("drawing");
  var name = document.getElementById("signer-name");
  var preview = document.getElementById("typed-preview");
  var drawRadio = form.querySelector("input[data-draw]");
  var radios = form.querySelectorAll("input[name=method]");
  var ctx = canvas.getContext("2d");
  var drawing = false, inked = false, last = null;

  function mode() {
    var checked = form.querySelector("input[name=method]:checked");
    return checked ? checked.value : "typed";
  }

  function show() {
    var draw = mode() === "drawn";
    area.hidden = !draw;
    preview.textContent = draw ? "" : name.value;
    if (draw) fit();
  }

  // Match the canvas's pixels to its on-screen size (sharp lines on phones); a resize while
  // empty is free, so only an empty pad is refitted.
  function fit() {
    if (inked) return;
    var box = canvas.getBoundingClientRect();
    if (!box.width) return;
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111827";
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 && event.pointerType === "mouse") return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fill();
    inked = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    event.preventDefault();
    var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    if (!events.length) events = [event];
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    events.forEach(function (e) { last = point(e); ctx.lineTo(last.x, last.y); });
    ctx.stroke();
  });
  function stop() {
    if (!drawing) return;
    drawing = false;
    field.value = canvas.toDataURL("image/png");
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("pad-clear").addEventListener("click", function () {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.restore();
    inked = false;
    field.value = "";
    fit();
  });

  form.addEventListener("submit", function (event) {
    if (mode() === "drawn" && !inked) {
      event.preventDefault();
      var note = document.getElementById("pad-help");
      note.textContent = form.getAttribute("data-empty");
      note.classList.add("field-error");
      note.setAttribute("role", "alert");
    }
  });

  name.addEventListener("input", show);
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  window.addEventListener("resize", fit);

  // With the script running, drawing is on offer, and first (a re-rendered form keeps
  // what the customer chose).
  drawRadio.disabled = false;
  if (!errors) drawRadio.checked = true;
  show();
})();
