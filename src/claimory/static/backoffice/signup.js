// Sign-up: the public page address follows the shop's name until someone edits it.
(function () {
  "use strict";
  var name = document.getElementById("id_shop_name");
  var slug = document.getElementById("id_slug");
  if (!name || !slug) return;
  var touched = slug.value !== "" && slug.value !== suggest(name.value);
  function suggest(value) {
    return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/['\u2019]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
      .slice(0, 50).replace(/-+$/g, "");
  }
  name.addEventListener("input", function () {
    if (!touched) slug.value = suggest(name.value);
  });
  slug.addEventListener("input", function () {
    touched = slug.value !== "";
  });
})();
