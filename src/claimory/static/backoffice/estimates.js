// Import page: while files are still importing, reload every two seconds to show results.
(function () {
  if (!document.querySelector("[data-import-running]")) return;
  setTimeout(function () { window.location.reload(); }, 2000);
})();
