// Pagefind search UI, in Vietnamese, over the shards of the index (chidao.site.searchindex):
// the bundle next to pagefind-ui.js and the ones its shards.json names, merged by Pagefind.
//
// Pagefind ignores diacritics when it matches, but "đ" is a letter of its own; so each page is
// indexed with its đ-words folded ("dieu dong") after its own words, from an empty element of
// id FOLD_ID. A result's excerpts are rebuilt here from the page's own words: a match in the
// folded run is moved onto the words it folds ("dieu" -> "điều"), and the run never shows.
(function () {
  var FOLD_ID = "cd-fold";
  var EXCERPT = 12; // words per excerpt: Pagefind UI's own length when it shows sub-results
  var merged = null; // the shards, merged once per page load (pagefind.js is one module)

  // A word's letters and digits, folded as the indexer folds: no diacritics, "đ" -> "d".
  function folded(word) {
    return word.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase()
      .split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  }

  // The densest window of `length` words (Pagefind 1.5's calculate_excerpt_region).
  function region(weighted, length) {
    var words = [];
    weighted.forEach(function (w) { words[w.location] = (words[w.location] || 0) + w.balanced_score; });
    if (words.length <= length) return 0;
    var sum = 0, i;
    for (i = 0; i < length; i++) sum += words[i] || 0;
    var best = sum, at = [0];
    for (i = 0; i < words.length; i++) {
      sum += (words[i + length] || 0) - (words[i] || 0);
      if (sum > best) { best = sum; at = [i]; } else if (sum === best && at[at.length - 1] === i - 1) { at.push(i); }
    }
    return at[Math.floor(at.length / 2)];
  }

  // Words [start, start + length) of `words`, kept within [from, to), matches in <mark>
  // (Pagefind 1.5's build_excerpt).
  function excerpt(words, start, length, locations, from, to) {
    var end = to === undefined ? words.length : to, begin = from || 0;
    if (end - begin < length) length = end - begin;
    if (start + length > end) start = end - length;
    if (start < begin) start = begin;
    var marked = words.slice();
    locations.forEach(function (l) { if (marked[l] !== undefined) marked[l] = "<mark>" + words[l] + "</mark>"; });
    return { excerpt: marked.slice(start, start + length).join(" ").trim(),
             plain_excerpt: words.slice(start, start + length).join(" ").trim() };
  }

  function anchoredUrl(url, id) {
    var u = new URL(url, location.href);
    u.hash = id;
    return /^(https?:)?\/\//.test(url) ? u.toString() : u.pathname + u.search + u.hash;
  }

  // The page's sections that hold matches, each with its own excerpt (Pagefind 1.5's
  // calculate_sub_results).
  function subResults(r, words) {
    var url = (r.meta && r.meta.url) || r.url, results = [];
    var anchors = r.anchors.filter(function (a) { return /h\d/i.test(a.element) && a.text && /\S/.test(a.text); })
      .sort(function (a, b) { return a.location - b.location; });
    var pos = 0, cur = { title: r.meta.title, url: url, weighted_locations: [], locations: [] };
    function close(endRange) {
      if (!cur.locations.length) return;
      var rel = cur.weighted_locations.map(function (l) { return { balanced_score: l.balanced_score, location: l.location - pos }; });
      var start = region(rel, EXCERPT) + pos;
      var length = endRange ? Math.min(endRange - start, EXCERPT) : EXCERPT;
      var e = excerpt(words, start, length, cur.locations, pos, endRange);
      cur.excerpt = e.excerpt;
      cur.plain_excerpt = e.plain_excerpt;
      results.push(cur);
    }
    r.weighted_locations.forEach(function (w) {
      if (!anchors.length || w.location < anchors[0].location) {
        cur.weighted_locations.push(w);
        cur.locations.push(w.location);
        return;
      }
      var next = anchors.shift();
      close(next.location);
      while (anchors.length && w.location >= anchors[0].location) next = anchors.shift();
      pos = next.location;
      cur = { title: next.text, url: anchoredUrl(url, next.id), anchor: next, weighted_locations: [w], locations: [w.location] };
    });
    close(anchors[0] && anchors[0].location);
    return results;
  }

  // A result without its folded run: matches in it moved onto the page's words they fold,
  // excerpts and sub-results made again from these.
  function unfold(r) {
    var fold = (r.anchors || []).filter(function (a) { return a.id === FOLD_ID; })[0];
    if (!fold || typeof r.raw_content !== "string" || r.raw_content.indexOf("\u200B") >= 0) return r;
    var words = r.raw_content.split(/[\r\n\s]+/g), end = fold.location, own = {}, best = {};
    for (var i = 0; i < end; i++) {
      if (/[đĐ]/.test(words[i])) folded(words[i]).forEach(function (k) { (own[k] = own[k] || []).push(i); });
    }
    (r.weighted_locations || []).forEach(function (w) {
      var at = w.location < end ? [w.location] : own[(folded(words[w.location] || "")[0]) || ""] || [];
      at.forEach(function (p) {
        if (!best[p] || best[p].balanced_score < w.balanced_score) {
          best[p] = { weight: w.weight, balanced_score: w.balanced_score, location: p };
        }
      });
    });
    words = words.slice(0, end);
    r.weighted_locations = Object.keys(best).map(Number).sort(function (a, b) { return a - b; })
      .map(function (p) { return best[p]; });
    r.locations = r.weighted_locations.map(function (w) { return w.location; });
    r.anchors = r.anchors.filter(function (a) { return a.id !== FOLD_ID; });
    r.raw_content = words.join(" ");
    if (typeof r.content === "string") r.content = r.content.split(/[\r\n\s]+/g).slice(0, end).join(" ");
    var e = excerpt(words, region(r.weighted_locations, EXCERPT), EXCERPT, r.locations);
    r.excerpt = e.excerpt;
    r.plain_excerpt = e.plain_excerpt;
    r.sub_results = subResults(r, words);
    return r;
  }

  function start(el, base) {
    el.textContent = ""; // the box that waited
    new window.PagefindUI({
      element: el, bundlePath: base, showSubResults: true, showImages: false, resetStyles: false,
      excerptLength: EXCERPT, processResult: unfold,
      translations: {
        placeholder: "Tìm văn bản (có dấu hoặc không dấu)", clear_search: "Xóa", load_more: "Xem thêm",
        search_label: "Tìm kiếm", filters_label: "Lọc", zero_results: "Không tìm thấy \"[SEARCH_TERM]\"",
        many_results: "[COUNT] kết quả cho \"[SEARCH_TERM]\"", one_result: "1 kết quả cho \"[SEARCH_TERM]\"",
        searching: "Đang tìm \"[SEARCH_TERM]\"..."
      }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { var input = el.querySelector("input"); if (input) { input.value = q; input.dispatchEvent(new Event("input")); } }
  }

  function setup() {
    var el = document.getElementById("cd-search");
    var script = document.querySelector('script[src$="pagefind-ui.js"]');
    if (!el || el.dataset.ready || !window.PagefindUI || !script) return;
    el.dataset.ready = "1";
    el.innerHTML = '<input type="search" disabled aria-label="Tìm kiếm / Search" placeholder="Đang mở chỉ mục tìm kiếm…">';
    var base = new URL(".", script.src).pathname; // the first bundle: pagefind-ui.js's folder
    // Every other bundle merged into Pagefind before the UI starts, all at once (the UI's own
    // mergeIndex option opens them one after the other: a round trip each). The UI imports
    // the same pagefind.js module, so it searches them all.
    merged = merged || Promise.all([fetch(base + "shards.json").then(function (r) { return r.ok ? r.json() : { merge: [] }; }),
                                    import(base + "pagefind.js")])
      .then(function (both) {
        return Promise.all((both[0].merge || []).map(function (m) { return both[1].mergeIndex(base + m); }));
      })
      .catch(function (err) { console.error("chidao search: shards not merged", err); });
    merged.then(function () { start(el, base); });
  }
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
