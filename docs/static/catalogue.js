// The site's small enhancements; without JavaScript every page is complete.
// 1. A list page's table of documents (#cd-catalogue): filters on the columns marked
//    data-filter, built from the rows of the page, and sorting by the data-sortable columns.
// 2. Heatmaps (svg.cd-heat): a cell's value on hover, and on click the list behind it
//    (data-open, with {r} and {c} replaced by the row's and the column's keys).
(function () {
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var text = function (cell) { return cell.textContent.trim(); };

  function filters(form, table, rows) {
    var out = [];
    each(table.tHead.rows[0].cells, function (th, col) {
      var name = th.getAttribute("data-filter");
      if (!name) return;
      var seen = {};
      rows.forEach(function (tr) { seen[text(tr.cells[col])] = 1; });
      var values = Object.keys(seen).sort(function (a, b) { return a.localeCompare(b, "vi"); });
      if (values.length < 2) return;
      var label = document.createElement("label");
      label.appendChild(document.createTextNode(th.firstChild.textContent + " "));
      var select = document.createElement("select");
      select.name = name;
      select.add(new Option("Tất cả", ""));
      values.forEach(function (v) { select.add(new Option(v, v)); });
      label.appendChild(select);
      form.appendChild(label);
      out.push({ col: col, select: select });
    });
    return out;
  }

  function setupTable() {
    var form = document.getElementById("cd-filters");
    var table = document.getElementById("cd-catalogue");
    if (!form || !table || table.dataset.ready) return;
    table.dataset.ready = "1";
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var active = filters(form, table, rows);
    var count = document.createElement("output");
    count.id = "cd-count";
    form.appendChild(count);
    function apply() {
      var shown = 0;
      rows.forEach(function (tr) {
        var ok = active.every(function (f) { return !f.select.value || text(tr.cells[f.col]) === f.select.value; });
        tr.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " / " + rows.length + " văn bản trên trang này";
    }
    form.addEventListener("change", apply);
    var params = new URLSearchParams(location.search);
    active.forEach(function (f) { if (params.has(f.select.name)) f.select.value = params.get(f.select.name); });
    if (active.length) { form.hidden = false; apply(); }
    each(table.tHead.rows[0].cells, function (th, col) {
      if (!th.hasAttribute("data-sortable")) return;
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        each(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        rows.sort(function (a, b) { return (asc ? 1 : -1) * text(a.cells[col]).localeCompare(text(b.cells[col]), "vi"); });
        rows.forEach(function (tr) { table.tBodies[0].appendChild(tr); });
      });
    });
  }

  function setupHeatmap(svg, tip) {
    if (svg.dataset.ready) return;
    svg.dataset.ready = "1";
    var geom = svg.dataset.geom.split(" ").map(Number);  // left, top, cell width, row height
    var cols = svg.dataset.cols.split("|");
    var rows = Array.prototype.map.call(svg.querySelectorAll(".cd-label text"), text);
    // a row's values, comma-separated; "v*n" is n cells of value v
    var values = svg.dataset.v.split(";").map(function (r) {
      var out = [];
      r.split(",").forEach(function (run) {
        var at = run.lastIndexOf("*"), n = at < 0 ? 1 : parseInt(run.slice(at + 1), 10);
        for (var k = 0; k < n; k++) out.push(at < 0 ? run : run.slice(0, at));
      });
      return out;
    });
    function cell(ev) {
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX;
      pt.y = ev.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      var c = Math.floor((p.x - geom[0]) / geom[2]), r = Math.floor((p.y - geom[1]) / geom[3]);
      if (r < 0 || c < 0 || r >= rows.length || c >= cols.length) return null;
      return { r: r, c: c, v: values[r][c] || "" };
    }
    var opens = function (x) { return svg.dataset.open && x.v !== "" && x.v !== "0"; };
    svg.addEventListener("mousemove", function (ev) {
      var x = cell(ev);
      svg.style.cursor = x && opens(x) ? "pointer" : "";
      if (!x) { tip.hidden = true; return; }
      var v = x.v === "" ? "—" : x.v === "na" ? "không có nguồn / no coded source"
        : x.v + (svg.dataset.unit ? " " + svg.dataset.unit : "");
      tip.textContent = rows[x.r] + " · " + cols[x.c] + ": " + v;
      tip.style.left = ev.pageX + 12 + "px";
      tip.style.top = ev.pageY + 12 + "px";
      tip.hidden = false;
    });
    svg.addEventListener("mouseleave", function () { tip.hidden = true; });
    svg.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("a")) return;
      var x = cell(ev);
      if (!x || !opens(x)) return;
      var rk = svg.dataset.rk.split(" "), ck = svg.dataset.ck.split(" ");
      location.href = svg.dataset.open.replace("{r}", rk[x.r]).replace("{c}", ck[x.c]);
    });
  }

  function setup() {
    setupTable();
    var maps = document.querySelectorAll("svg.cd-heat");
    if (!maps.length) return;
    var tip = document.getElementById("cd-tip");
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "cd-tip";
      tip.className = "cd-tip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    each(maps, function (svg) { setupHeatmap(svg, tip); });
  }
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
