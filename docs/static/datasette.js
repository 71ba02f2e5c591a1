// Point the Datasette Lite links at this site's own SQLite file and its Datasette metadata
// (their addresses are only known once the site is served). Nothing is fetched until the
// visitor follows a link.
(function () {
  function setup() {
    document.querySelectorAll("#cd-datasette, #cd-datasette-search").forEach(function (a) {
      var file = new URL(a.getAttribute("data-file"), location.href).href;
      var href = "https://lite.datasette.io/?url=" + encodeURIComponent(file);
      var meta = a.getAttribute("data-metadata");
      if (meta) href += "&metadata=" + encodeURIComponent(new URL(meta, location.href).href);
      var path = a.getAttribute("data-path");
      if (path) href += "#" + path;
      a.href = href;
    });
  }
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
