"""The fast table checker (package/tablecheck.py) against Frictionless, its reference: on the
committed package and on broken copies of it, both report the same problems at the same
file, row and field, with either of the checker's readers (columnar, row by row)."""

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from chidao.package import tablecheck, validate
from chidao.package.tablecheck import UnsupportedSchema, table_problems
from chidao.package.validate import frictionless_problems, json_problems, validate_package
from conftest import ROOT

DP = ROOT / "datapackage"
READERS = ["columnar", "rows"]


def copy_package(tmp_path: Path) -> Path:
    dp = tmp_path / "datapackage"
    shutil.copytree(DP, dp, ignore=shutil.ignore_patterns(".build", ".old-*", "sources"))
    return dp


def rehash(dp: Path, rel: str) -> None:
    """Declare the file's new bytes and hash, so that only the deliberate edit is wrong."""
    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    data = (dp / rel).read_bytes()
    for res in desc["resources"]:
        if res["path"] == rel:
            res["bytes"], res["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (dp / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False, indent=2), encoding="utf-8")


def read_rows(dp: Path, table: str) -> list[list[str]]:
    with (dp / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(dp: Path, table: str, rows: list[list[str]], keep_hash: bool = False) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (dp / "data" / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")
    if not keep_hash:
        rehash(dp, f"data/{table}.csv")


def edit_rows(table: str, edit, keep_hash: bool = False):
    """A corruption: ``edit(rows, col)`` changes the rows (the header first) in place;
    ``col(name)`` is a column's index."""
    def corrupt(dp: Path) -> None:
        rows = read_rows(dp, table)
        edit(rows, rows[0].index)
        write_rows(dp, table, rows, keep_hash)
    return corrupt


def edit_bytes(table: str, edit):
    def corrupt(dp: Path) -> None:
        path = dp / "data" / f"{table}.csv"
        path.write_bytes(edit(path.read_bytes()))
        rehash(dp, f"data/{table}.csv")
    return corrupt


def _set(row: int, field: str, value: str):
    def edit(rows, col):
        rows[row][col(field)] = value
    return edit


def _same_key_as_previous(rows, col):
    d, p = col("document_id"), col("position")
    rows[2][d], rows[2][p] = rows[1][d], rows[1][p]


def _same_key_by_value(rows, col):
    d, p = col("document_id"), col("position")
    rows[2][d], rows[2][p] = rows[1][d], "0" + rows[1][p]  # "07" is the integer 7


def _duplicate_code(rows, col):
    rows[2][col("code_2021")] = rows[1][col("code_2021")]


def _pad_position(rows, col):
    rows[1][col("position")] = f" {rows[1][col('position')]} "  # an integer with spaces: valid


def _colliding_keys(rows, col):
    """Keys that hash alike (hash(-1) == hash(-2)) but differ: no duplicate."""
    d, p = col("document_id"), col("position")
    rows[2][d], rows[1][p], rows[2][p] = rows[1][d], "-1", "-2"


def _id_breaking_its_pattern(rows, col):
    rows[1][col("id")] = "Not An Id"  # still the key its children refer to, now to no document


def _extra_column(rows, col):
    for i, row in enumerate(rows):
        row.append("extra" if i == 0 else "x")


def _extra_column_named(label: str):
    def edit(rows, col):
        for i, row in enumerate(rows):
            row.append(label if i == 0 else "")
        rows[1][-1] = "x"
    return edit


def _drop_last_column(rows, col):
    for row in rows:
        row.pop()


def _blank_rows(rows, col):
    rows.insert(2, [])
    rows.insert(4, [""] * len(rows[0]))


def _remove_file_of(table: str):
    def corrupt(dp: Path) -> None:
        (dp / "data" / f"{table}.csv").unlink()
    return corrupt


# (name, resource whose file is broken or None for the whole package, corruption, a problem both must report)
CASES = [
    ("wrong type", "items", edit_rows("items", _set(1, "position", "first")), "type-error"),
    ("bad date", "stringency_index", edit_rows("stringency_index", _set(1, "date", "2021-02-30")), "type-error"),
    ("outside the enum", "documents", edit_rows("documents", _set(1, "text_method", "fax")), "constraint-error"),
    ("pattern mismatch", "documents", edit_rows("documents", _set(2, "sha256", "XYZ")), "constraint-error"),
    ("missing required", "documents", edit_rows("documents", _set(1, "source_file", "")), "constraint-error"),
    ("below the minimum", "documents", edit_rows("documents", _set(1, "page_count", "-1")), "constraint-error"),
    ("above the maximum", "stringency_index", edit_rows("stringency_index", _set(1, "stringency_index", "100.5")),
     "constraint-error"),
    ("not a number", "stringency_index", edit_rows("stringency_index", _set(2, "stringency_index", "NaN")),
     "constraint-error"),
    ("duplicate primary key", "items", edit_rows("items", _same_key_as_previous), "primary-key"),
    ("duplicate key by value", "items", edit_rows("items", _same_key_by_value), "primary-key"),
    ("duplicate unique value", None, edit_rows("provinces", _duplicate_code), "unique-error"),
    ("keys hashing alike", "items", edit_rows("items", _colliding_keys), "constraint-error"),
    ("referenced key broken", None, edit_rows("documents", _id_breaking_its_pattern), "foreign-key"),
    ("empty file", None, edit_bytes("persons", lambda b: b""), "source-error"),
    ("header only", "items", edit_bytes("items", lambda b: b[:b.index(b"\n") + 1]), None),
    ("dangling foreign key", "recipients", edit_rows("recipients", _set(1, "document_id", "no-such-document")),
     "foreign-key"),
    ("wrong header", "documents", edit_rows("documents", _set(0, "source_file", "source")), "incorrect-label"),
    ("duplicate label", "documents", edit_rows("documents", _set(0, "sha256", "source_file")), "duplicate-label"),
    ("blank label", "items", edit_rows("items", _set(0, "text", "")), "blank-label"),
    ("extra column", "warnings", edit_rows("warnings", _extra_column), "extra-label"),
    ("extra column named as a field", "warnings", edit_rows("warnings", _extra_column_named("document_id")),
     "extra-label"),
    ("missing column", "warnings", edit_rows("warnings", _drop_last_column), "missing-label"),
    ("extra cell", "items", edit_rows("items", lambda rows, col: rows[1].append("x")), "extra-cell"),
    ("missing cell", "items", edit_rows("items", lambda rows, col: rows[2].pop()), "missing-cell"),
    ("blank rows", "items", edit_rows("items", _blank_rows), "blank-row"),
    ("changed bytes and hash", "documents", edit_rows("documents", _set(1, "subject", "?"), keep_hash=True),
     "hash-count"),
    ("bad UTF-8", "items", edit_bytes("items", lambda b: b[:200] + b"\xff" + b[201:]), "encoding-error"),
    ("missing file", None, _remove_file_of("persons"), "scheme-error"),
    ("referred-to file missing", None, _remove_file_of("provinces"), "scheme-error"),
    ("referred-to file not UTF-8", None, edit_bytes("documents", lambda b: b[:300] + b"\xff" + b[301:]),
     "encoding-error"),
    ("spaces around an integer", "items", edit_rows("items", _pad_position), None),
    ("byte-order mark", "items", edit_bytes("items", lambda b: b"\xef\xbb\xbf" + b), None),
    ("quoted header", "items", edit_bytes("items", lambda b: b.replace(b"document_id,", b'"document_id",', 1)), None),
    ("CRLF line ends", "recipients", edit_bytes("recipients", lambda b: b.replace(b"\n", b"\r\n")), None),
]


def where(problems) -> set[tuple]:
    """Each problem's file, row, field and kind (the reason's first word)."""
    return {(p.file, p.row, p.field, p.reason.split(":")[0]) for p in problems}


def fast(dp: Path, reader: str, monkeypatch) -> list:
    if reader == "rows":
        monkeypatch.setattr(tablecheck, "CHUNK_ROWS", 3)  # rows spread over many chunks
    return table_problems(dp, columnar=reader == "columnar")


@pytest.mark.parametrize("reader", READERS)
def test_committed_package_passes_both(reader, monkeypatch):
    assert fast(DP, reader, monkeypatch) == []
    assert frictionless_problems(DP) == []


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name,resource,corrupt,kind", CASES, ids=[c[0] for c in CASES])
def test_broken_copy_same_problems_as_frictionless(tmp_path, monkeypatch, reader, name, resource, corrupt, kind):
    dp = copy_package(tmp_path)
    corrupt(dp)
    reference = frictionless_problems(dp, resource)
    got = fast(dp, reader, monkeypatch)
    if resource:  # Frictionless checked only that resource
        path = f"data/{resource}.csv"
        got = [p for p in got if p.file in (path, "datapackage.json")]
    assert where(got) == where(reference), (got, reference)
    if kind is None:
        assert got == []
    else:
        assert any(p.reason.startswith(kind) for p in got), got


def test_columnar_reader_reads_the_committed_tables(monkeypatch):
    monkeypatch.setattr(tablecheck.RowCheck, "run", lambda self: pytest.fail(f"{self.table.name} read row by row"))
    assert table_problems(DP) == []


def test_problems_read_as_frictionless_words_them(tmp_path):
    dp = copy_package(tmp_path)
    edit_rows("items", _set(1, "position", "first"))(dp)
    edit_rows("recipients", _set(1, "document_id", "no-such-document"))(dp)
    got = {str(p) for p in table_problems(dp)}
    assert 'data/items.csv, row 2, field position: type-error: type is "integer/default"' in got
    assert ('data/recipients.csv, row 2, field document_id: foreign-key: for "document_id": values '
            '"no-such-document" not found in the lookup table "documents" as "id"') in got


def _descriptor_with(tmp_path: Path, change) -> Path:
    dp = copy_package(tmp_path)
    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    change(desc)
    (dp / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    return dp


def _field(desc: dict, table: str, name: str) -> dict:
    res = next(r for r in desc["resources"] if r["name"] == table)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


def _resource(desc: dict, table: str) -> dict:
    return next(r for r in desc["resources"] if r["name"] == table)


UNKNOWN = [
    ("a format", lambda d: _field(d, "documents", "source_url").update(format="uri")),
    ("a type", lambda d: _field(d, "items", "position").update(type="boolean")),
    ("a constraint", lambda d: _field(d, "items", "position")["constraints"].update(multipleOf=2)),
    ("a pattern on an integer", lambda d: _field(d, "items", "position")["constraints"].update(pattern="^1$")),
    ("a field key", lambda d: _field(d, "items", "position").update(bareNumber=False)),
    ("categories not the enum", lambda d: _field(d, "documents", "text_method").update(categories=["text"])),
    ("a schema key", lambda d: _resource(d, "items")["schema"].update(uniqueKeys=[["text"]])),
    ("a dialect", lambda d: _resource(d, "items").update(dialect={"delimiter": ";"})),
    ("an encoding", lambda d: _resource(d, "items").update(encoding="latin-1")),
    ("a hash algorithm", lambda d: _resource(d, "items").update(hash="sha1:00")),
]


@pytest.mark.parametrize("name,change", UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_unknown_schema_feature_is_refused(tmp_path, name, change):
    dp = _descriptor_with(tmp_path, change)
    with pytest.raises(UnsupportedSchema):
        table_problems(dp)
    problems = validate_package(dp)
    assert any(p.file == "datapackage.json" and p.reason.startswith("unsupported-schema") for p in problems)


def test_reference_mode_runs_frictionless(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(validate, "frictionless_problems", lambda dp: calls.append(dp) or [])
    assert validate_package(DP, reference=True) == []
    assert calls == [DP]
    assert validate_package(DP) == [] and calls == [DP]  # the default does not


def test_cli_validate_frictionless(capsys):
    from chidao.cli import main

    assert main(["validate", "--frictionless", str(DP)]) == 0
    assert "valid" in capsys.readouterr().out


# --- JSON records ------------------------------------------------------------------------

def test_records_checked_from_their_files_when_the_listing_matches(monkeypatch):
    monkeypatch.setattr(validate, "_json_problems_parsed", lambda dp: pytest.fail("parsed documents.json"))
    validate._KNOWN.clear()
    assert json_problems(DP) == []


def test_record_file_written_otherwise_is_still_the_same_record(tmp_path):
    dp = copy_package(tmp_path)
    victim = sorted((dp / "json").glob("vinh-phuc-*.json"))[0]
    victim.write_text(json.dumps(json.loads(victim.read_text("utf-8")), ensure_ascii=True), encoding="utf-8")
    assert json_problems(dp) == []


def test_invalid_record_reported_alike_both_ways(tmp_path):
    """A record broken in both files as the package writes them: the fast way (from the
    record files) and the general way (documents.json parsed) report the same problem."""
    import orjson

    dp = copy_package(tmp_path)
    docs = orjson.loads((dp / "json" / "documents.json").read_bytes())
    docs[1]["urgency"] = "Rất gấp"
    opts = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    (dp / "json" / "documents.json").write_bytes(orjson.dumps(docs, option=opts))
    (dp / "json" / f"{docs[1]['id']}.json").write_bytes(orjson.dumps(docs[1], option=opts))
    validate._KNOWN.clear()
    assert validate._lists_records(dp, [d["id"] for d in docs])  # the fast way applies
    fast_way = json_problems(dp)
    assert [(p.file, p.row, p.field) for p in fast_way] == [("json/documents.json", 2, "urgency")]
    assert fast_way == validate._json_problems_parsed(dp)


def test_listing_out_of_order_is_caught(tmp_path):
    import orjson

    dp = copy_package(tmp_path)
    docs = orjson.loads((dp / "json" / "documents.json").read_bytes())
    docs[0], docs[1] = docs[1], docs[0]
    (dp / "json" / "documents.json").write_bytes(orjson.dumps(docs, option=orjson.OPT_INDENT_2))
    rehash(dp, "json/documents.json")
    problems = validate_package(dp)
    assert any(p.file == "json/documents.json" and "in order" in p.reason for p in problems), problems
