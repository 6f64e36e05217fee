// Print toolbar: the Print button, and ?print=1 (the claim page's "print") opening the dialog
// once the sheets have loaded. A static file because the site's CSP forbids inline script.
function printSheets() {
  window.print();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", printSheets);
  }
});

window.addEventListener("load", () => {
  if (document.body.hasAttribute("data-autoprint")) printSheets();
});
