"""csv_bytes writes what the csv module writes for the cells as _cell gives them, also on its
fast path (rows with nothing to quote joined directly)."""

import csv
import io
import random

from chidao.package.write import _cell, csv_bytes

TRICKY = [None, "", "plain", "a,b", 'say "x"', "two\nlines", "cr\ronly", "crlf\r\n", " lead", "trail ",
          "ă ơ ư đ", "a | b", 0, 7, -3, True, False, 1.0, 2.5, -0.0, 1e20, float("nan"), [1, 2]]


def _reference(rows, fields):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    w.writerows([[_cell(row.get(f)) for f in fields] for row in rows])
    return buf.getvalue().encode("utf-8")


def test_csv_bytes_is_the_csv_module_on_tricky_cells():
    rnd = random.Random(7)
    for _ in range(2000):
        fields = [f"f{i}" for i in range(rnd.randint(1, 4))]
        rows = [{f: rnd.choice(TRICKY) for f in fields if rnd.random() < 0.9} for _ in range(rnd.randint(0, 5))]
        assert csv_bytes(rows, fields) == _reference(rows, fields), (rows, fields)


def test_a_single_empty_cell_is_quoted_as_the_csv_module_does():
    assert csv_bytes([{"a": ""}, {"a": None}, {}], ["a"]) == b'a\n""\n""\n""\n'
