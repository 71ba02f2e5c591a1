"""The site build's fast paths give what the plain ones give: the minifier's collapse (against
the per-run one it replaced, kept as its fallback) and the CSV reader (against DictReader)."""

import csv
import random

from chidao.site import minify as m
from chidao.site.sitedata import _read


def _reference(html: str) -> str:
    out, pos = [], 0
    for v in m._VERBATIM.finditer(html):
        out += [m._collapse_slowly(html[pos:v.start()]), v.group(0)]
        pos = v.end()
    out.append(m._collapse_slowly(html[pos:]))
    return "".join(out)


PIECES = ["<", ">", " ", "  ", "\t", "\n", "\r", "\f", "\xa0", "a", "đ", '"', "'", "<!--", "-->", "<pre>", "</pre>",
          "<code x='>'>", "</code >", '<a href="x  y">', "</a>", "<!", "<?", "</", "<script>", "</script>",
          "  \n  ", "\n\n", "<p\n  class=\"c\">"]


def test_minify_is_the_per_run_collapse():
    rnd = random.Random(7)
    for _ in range(20000):
        page = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 40)))
        assert m.minify(page) == _reference(page), repr(page)
    assert m.minify("a \x00  b") == "a \x00 b"  # the joining character in a page: the slow path


def test_read_is_dictreader_with_none_for_empty(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text('a,b,c\n1,,"x, y"\n\n1\n1,2,3,4,5\n,,\n', encoding="utf-8")
    (tmp_path / "data" / "e.csv").write_text("", encoding="utf-8")
    for name in ("t", "e"):
        with (tmp_path / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            want = [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]
        got = _read(tmp_path, name)
        assert got == want and [list(r) for r in got] == [list(r) for r in want]


def test_row_count_is_the_csv_modules(tmp_path):
    """The downloads page's row counts (one pass over the bytes) are csv.reader's, for what the
    package's writer produces: quoted cells with commas, doubled quotes and line breaks."""
    from types import SimpleNamespace

    from chidao.package.write import csv_bytes
    from chidao.site.families.downloads import _rows

    rnd = random.Random(14)
    cells = ["", "a", "x, y", 'he said "no"', "line\nbreak", "\r\n", '"', "đ", "a\n\nb", ",", "1"]
    for _ in range(200):
        rows = [{"a": rnd.choice(cells), "b": rnd.choice(cells)} for _ in range(rnd.randint(0, 12))]
        (tmp_path / "t.csv").write_bytes(csv_bytes(rows, ["a", "b"]))
        with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as fh:
            want = sum(1 for _ in csv.reader(fh)) - 1
        assert _rows(SimpleNamespace(a=SimpleNamespace(dp=tmp_path)), {"path": "t.csv"}) == want == len(rows), rows
