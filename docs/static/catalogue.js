// Filters and sorting for the catalogue table. Without JavaScript the table is complete.
(function () {
  function setup() {
    var form = document.getElementById("cd-filters");
    var table = document.getElementById("cd-catalogue");
    if (!form || !table || table.dataset.ready) return;
    table.dataset.ready = "1";
    form.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = document.getElementById("cd-count");
    function apply() {
      var f = {};
      Array.prototype.forEach.call(form.elements, function (el) { if (el.name) f[el.name] = el.value; });
      var shown = 0;
      rows.forEach(function (tr) {
        var ok = (!f.province || tr.dataset.province === f.province) &&
          (!f.type || tr.dataset.type === f.type) && (!f.kind || tr.dataset.kind === f.kind) &&
          (!f.year || tr.dataset.year === f.year) &&
          (!f.measure || (" | " + tr.dataset.measures + " | ").indexOf(" | " + f.measure + " | ") >= 0);
        tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " / " + rows.length + " văn bản";
    }
    form.addEventListener("change", apply);
    var params = new URLSearchParams(location.search);
    params.forEach(function (v, k) { if (form.elements[k]) form.elements[k].value = v; });
    apply();
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      if (!th.hasAttribute("data-sortable")) return;
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var key = function (tr) { var c = tr.cells[col]; return (c.dataset.sort || c.textContent).trim(); };
        rows.sort(function (a, b) { return (asc ? 1 : -1) * key(a).localeCompare(key(b), "vi"); });
        rows.forEach(function (tr) { table.tBodies[0].appendChild(tr); });
      });
    });
  }
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
