// Point the Datasette Lite link at this site's own SQLite file (its address is only known
// once the site is served). Nothing is fetched until the visitor follows the link.
(function () {
  function setup() {
    var a = document.getElementById("cd-datasette");
    if (!a) return;
    var file = new URL(a.getAttribute("data-file"), location.href).href;
    a.href = "https://lite.datasette.io/?url=" + encodeURIComponent(file);
  }
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
