// Pagefind search UI, in Vietnamese. Pagefind ignores diacritics when matching; pages carry
// a folded copy of words with "đ" so that "d" finds "đ" too.
(function () {
  function setup() {
    var el = document.getElementById("cd-search");
    if (!el || el.dataset.ready || !window.PagefindUI) return;
    el.dataset.ready = "1";
    new window.PagefindUI({
      element: "#cd-search", showSubResults: true, showImages: false, resetStyles: false,
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
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
