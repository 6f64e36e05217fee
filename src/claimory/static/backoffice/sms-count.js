// Live SMS segment count under a text box: GSM-7 (GSM 03.38 basic + extension table,
// extension characters count two) or UCS-2, 160/153 and 70/67 characters per segment,
// as notifications/segments.py counts. Without this script the server's figure stays.
(() => {
  "use strict";

  const BASIC = new Set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà");
  const EXTENSION = new Set("^{}\\[~]|€\f");

  function segments(text) {
    const chars = Array.from(text);
    const gsm = chars.every((c) => BASIC.has(c) || EXTENSION.has(c));
    const sizes = chars.map((c) => (gsm ? (EXTENSION.has(c) ? 2 : 1) : c.length));
    const total = sizes.reduce((a, b) => a + b, 0);
    const [single, part] = gsm ? [160, 153] : [70, 67];
    let count = 0;
    if (total > 0 && total <= single) count = 1;
    else if (total > single) {
      let used = 0;
      count = 1;
      for (const size of sizes) {
        if (used + size > part) { count += 1; used = 0; }
        used += size;
      }
    }
    return { encoding: gsm ? "GSM-7" : "UCS-2", total, count };
  }

  function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

  for (const out of document.querySelectorAll("[data-sms-count-for]")) {
    const box = document.getElementById(out.dataset.smsCountFor);
    if (!box) continue;
    const prefix = out.dataset.smsPrefix || "";
    const update = () => {
      const s = segments(prefix + box.value.replace(/\r\n/g, "\n").trim());
      out.textContent = `As a text: ${plural(s.total, "character")} · ${s.encoding} · ` +
        plural(s.count, "segment");
    };
    box.addEventListener("input", update);
    box.form?.addEventListener("reset", () => setTimeout(update));
    update();
  }
})();
