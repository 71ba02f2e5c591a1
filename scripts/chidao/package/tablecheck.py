"""Fast checks of a package's CSV tables against the Table Schemas inlined in its
datapackage.json: what Frictionless checks -- header, types, constraints, unique fields,
primary keys, foreign keys across tables, bytes and hash of every resource -- for the schema
features our schemas use, reported as Frictionless reports them (the same error types, row
numbers and fields), so that ``Package(...).validate()`` stays the reference.

The speed comes from checking columns rather than cells: each field reads each *distinct*
value of its column once (a date column of 400,000 cells holds a few hundred values). Two
readers share the checks. The columnar one parses a whole table with Arrow's CSV reader
(C++, multithreaded), gets each column's distinct values and each row's index among them,
and compares keys as integer ids; it takes the files it parses exactly as the csv module
does. Any other file (rows of another width, a byte-order mark, bad UTF-8 ...) goes to the
row reader: the csv module, chunks of rows transposed to columns, keys kept as hashes
(duplicates confirmed by a second pass). Memory holds one table (columnar) or one chunk of
rows, and the key sets that other tables refer to.

A schema feature the checker does not know raises UnsupportedSchema instead of being
skipped, so that a schema change cannot silently drop a check: extend the checker (and
tests/test_validate_fast.py), or validate with Frictionless."""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import operator
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

CHUNK_ROWS = 20_000
CACHE_VALUES = 200_000  # distinct values a field remembers before starting afresh

# Keys that only describe: nothing in them changes what the data must be.
DESCRIPTIVE = {"title", "description", "title_vi", "description_vi"}
RESOURCE_KEYS = DESCRIPTIVE | {"name", "type", "path", "format", "mediatype", "encoding", "bytes", "hash", "schema"}
SCHEMA_KEYS = DESCRIPTIVE | {"fields", "primaryKey", "foreignKeys", "missingValues"}
FIELD_KEYS = DESCRIPTIVE | {"name", "type", "format", "constraints", "categories", "missingValues"}
FOREIGN_KEY_KEYS = {"fields", "reference"}
REFERENCE_KEYS = {"resource", "fields"}
_ORDERED = {"required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"}
# The constraints Frictionless supports for each type (plus unique, for every type).
CONSTRAINTS = {"string": {"required", "unique", "minLength", "maxLength", "pattern", "enum"},
               "integer": _ORDERED, "number": _ORDERED, "date": _ORDERED}
BOUNDS = {"minimum": operator.ge, "maximum": operator.le,
          "exclusiveMinimum": operator.gt, "exclusiveMaximum": operator.lt}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        where += f", field {self.field}" if self.field else ""
        return f"{where}: {self.reason}"


class UnsupportedSchema(ValueError):
    """The descriptor uses a feature the fast checker does not implement."""


# --- values: how Frictionless reads a cell of each type ------------------------------------

def _read_integer(cell: str) -> int | None:
    try:
        return int(cell.strip())
    except ValueError:
        return None


def _read_number(cell: str) -> Decimal | None:
    try:
        value = Decimal(cell.strip())
    except (InvalidOperation, ValueError):
        return None
    return None if value.is_snan() else value  # a signalling NaN can be neither compared nor hashed


def _read_date(cell: str) -> date | None:
    try:
        return datetime.strptime(cell, "%Y-%m-%d").date()
    except ValueError:
        return None


READERS: dict[str, Callable[[str], Any]] = {"string": lambda cell: cell, "integer": _read_integer,
                                            "number": _read_number, "date": _read_date}


def _read_constraint(kind: str, value: Any) -> Any:
    """A bound or enum value of the schema, as the field's values are read (JSON numbers are
    taken as they are, as Frictionless does)."""
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)) if isinstance(value, float) else value
    read = READERS[kind](value) if isinstance(value, str) else None
    if read is None:
        raise UnsupportedSchema(f"constraint value {value!r} is not a {kind}")
    return read


# --- fields -----------------------------------------------------------------------------------

@dataclass
class Column:
    """One field's checker: reads a column's distinct values once, remembers their typed
    value and their problems."""
    name: str
    kind: str
    missing: frozenset
    required: bool = False
    unique: bool = False
    checks: list = field(default_factory=list)  # (problem note, test of a non-null typed value)
    keyed: bool = False  # its typed values are needed (keys, unique, referenced)
    typed: dict = field(default_factory=dict)
    bad: dict = field(default_factory=dict)

    @property
    def trivial(self) -> bool:
        """A string with nothing to check but presence: no need to look at each value."""
        return self.kind in ("string", "any") and not self.checks

    def read(self, cell: str | None) -> tuple[Any, tuple]:
        """(typed value, problems) of one cell, as Frictionless's cell reader gives them."""
        if cell is None or cell in self.missing:
            return None, (("constraint-error", 'constraint "required" is "True"'),) if self.required else ()
        value = READERS.get(self.kind, READERS["string"])(cell)
        if value is None:
            return None, (("type-error", f'type is "{self.kind}/default"'),)
        return value, tuple(("constraint-error", note) for note, ok in self.checks if not ok(value))

    def scan(self, col: tuple) -> tuple[Any, list[tuple[int, tuple]]]:
        """(typed column or None when not keyed, [(index, problems)]) of a column."""
        if self.trivial:
            return self._scan_presence(col)
        distinct = set(col)
        for cell in distinct.difference(self.typed):
            value, notes = self.read(cell)
            self.typed[cell] = value
            if notes:
                self.bad[cell] = notes
        hits = []
        if not distinct.isdisjoint(self.bad):
            bad = self.bad
            hits = [(i, bad[c]) for i, c in enumerate(col) if c in bad]
        typed = list(map(self.typed.__getitem__, col)) if self.keyed else None
        if len(self.typed) > CACHE_VALUES:
            self.typed.clear()
            self.bad.clear()
        return typed, hits

    def _scan_presence(self, col: tuple):
        absent = {None, *self.missing}
        if absent.isdisjoint(col):
            return col, []
        hits = [(i, self.read(c)[1]) for i, c in enumerate(col) if c in absent] if self.required else []
        typed = [None if c in absent else c for c in col] if self.keyed else None
        return typed, [h for h in hits if h[1]]


def _checks(kind: str, cons: dict) -> list:
    out = []
    for name, value in cons.items():
        note = f'constraint "{name}" is "{value}"'
        if name in ("required", "unique"):
            if not isinstance(value, bool):
                raise UnsupportedSchema(f"constraint {name} must be true or false")
        elif name in BOUNDS:
            bound, compare = _read_constraint(kind, value), BOUNDS[name]
            out.append((note, lambda v, b=bound, c=compare: v == v and c(v, b)))  # NaN is out of bounds
        elif name == "pattern":
            out.append((note, re.compile(f"^{value}$").match))  # as Frictionless anchors it
        elif name == "enum":
            allowed = [_read_constraint(kind, v) if kind != "string" else v for v in value]
            out.append((note, lambda v, a=allowed: v in a))
        elif name in ("minLength", "maxLength"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise UnsupportedSchema(f"constraint {name} must be an integer")
            compare = operator.ge if name == "minLength" else operator.le
            out.append((note, lambda v, n=value, c=compare: c(len(v), n)))
    return out


def compile_field(f: dict, missing: list[str]) -> Column:
    where = f"field {f.get('name')!r}"
    _known(f, FIELD_KEYS, where)
    if not isinstance(f.get("name"), str):
        raise UnsupportedSchema(f"{where}: no name")
    kind = f.get("type")
    if kind not in CONSTRAINTS:
        raise UnsupportedSchema(f"{where}: type {kind!r}")
    if f.get("format", "default") != "default":
        raise UnsupportedSchema(f"{where}: format {f['format']!r}")
    cons = f.get("constraints", {})
    unknown = set(cons) - CONSTRAINTS[kind]
    if unknown:
        raise UnsupportedSchema(f"{where}: constraint(s) {sorted(unknown)} on a {kind}")
    if "categories" in f and f["categories"] != cons.get("enum"):
        raise UnsupportedSchema(f"{where}: categories that are not its enum constraint")
    own = f.get("missingValues", missing)
    if not isinstance(own, list) or not all(isinstance(m, str) for m in own):
        raise UnsupportedSchema(f"{where}: missingValues other than a list of strings")
    return Column(f["name"], kind, frozenset(own), required=cons.get("required") is True,
                  unique=cons.get("unique") is True, checks=_checks(kind, cons))


def _known(obj: dict, keys: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise UnsupportedSchema(f"{where}: not an object")
    unknown = set(obj) - keys
    if unknown:
        raise UnsupportedSchema(f"{where}: unknown key(s) {sorted(unknown)}")


def _names(value, where: str) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise UnsupportedSchema(f"{where}: not a field name or a list of them")
    return names


# --- resources ------------------------------------------------------------------------------

@dataclass
class ForeignKey:
    fields: list[str]
    resource: str
    ref_fields: list[str]

    def note(self, values: tuple) -> str:
        return (f'for "{", ".join(self.fields)}": values "{", ".join(str(v) for v in values)}" not found '
                f'in the lookup table "{self.resource}" as "{", ".join(self.ref_fields)}"')


@dataclass
class Table:
    name: str
    path: str
    columns: list[Column]
    primary_key: list[str]
    foreign_keys: list[ForeignKey]
    wanted: set = field(default_factory=set)  # field-name tuples other tables look up


@dataclass
class Resource:
    name: str
    path: str
    bytes: int | None
    hash: tuple[str, str] | None
    table: Table | None


def compile_resource(res: dict) -> Resource:
    where = f"resource {res.get('name')!r}"
    _known(res, RESOURCE_KEYS, where)
    if not isinstance(res.get("name"), str):
        raise UnsupportedSchema(f"{where}: no name")
    path = res.get("path")
    if not isinstance(path, str) or "://" in path:
        raise UnsupportedSchema(f"{where}: path other than a local file")
    try:
        encoding = codecs.lookup(res.get("encoding", "utf-8")).name
    except (LookupError, TypeError):
        encoding = None
    if encoding != "utf-8":
        raise UnsupportedSchema(f"{where}: encoding {res['encoding']!r}")
    digest = None
    if res.get("hash"):
        algorithm, _, value = res["hash"].rpartition(":")
        digest = (algorithm or "md5", value)  # a bare hash is MD5 (Data Package v1)
        if digest[0] not in ("md5", "sha256"):
            raise UnsupportedSchema(f"{where}: hash algorithm {digest[0]!r}")
    is_table = res.get("type") == "table" or "schema" in res or res.get("format") in ("csv", "tsv")
    if is_table and (res.get("format", "csv") != "csv" or not isinstance(res.get("schema"), dict)):
        raise UnsupportedSchema(f"{where}: a table other than a CSV file with an inline schema")
    table = compile_table(res["name"], path, res["schema"]) if is_table else None
    return Resource(res["name"], path, res.get("bytes"), digest, table)


def compile_table(name: str, path: str, schema: dict) -> Table:
    where = f"schema of {name!r}"
    _known(schema, SCHEMA_KEYS, where)
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise UnsupportedSchema(f"{where}: missingValues other than a list of strings")
    columns = [compile_field(f, missing) for f in schema["fields"]]
    names = {c.name for c in columns}
    if len(names) != len(columns):
        raise UnsupportedSchema(f"{where}: two fields of one name")
    pk = _names(schema["primaryKey"], f"{where}: primaryKey") if "primaryKey" in schema else []
    fks = []
    for fk in schema.get("foreignKeys", []):
        _known(fk, FOREIGN_KEY_KEYS, f"{where}: foreign key")
        _known(fk.get("reference"), REFERENCE_KEYS, f"{where}: foreign key reference")
        fks.append(ForeignKey(_names(fk["fields"], where), fk["reference"].get("resource") or name,
                              _names(fk["reference"]["fields"], where)))
    for used in [pk, *(fk.fields for fk in fks)]:
        if not set(used) <= names:
            raise UnsupportedSchema(f"{where}: a key names a field it does not have: {used}")
    for c in columns:
        c.keyed = c.unique or c.name in pk or any(c.name in fk.fields for fk in fks)
    return Table(name, path, columns, pk, fks)


def compile_package(descriptor: dict) -> list[Resource]:
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UnsupportedSchema("datapackage.json: no list of resources")
    resources = [compile_resource(r) for r in descriptor["resources"]]
    tables = {r.name: r.table for r in resources if r.table}
    for t in tables.values():
        for fk in t.foreign_keys:
            ref = tables.get(fk.resource)
            if ref is None:
                continue  # reported as a problem of the table
            if not set(fk.ref_fields) <= {c.name for c in ref.columns}:
                raise UnsupportedSchema(f"foreign key of {t.name!r}: {fk.resource!r} has no {fk.ref_fields}")
            ref.wanted.add(tuple(fk.ref_fields))
            for c in ref.columns:
                c.keyed = c.keyed or c.name in fk.ref_fields
    return resources


# --- files and headers ----------------------------------------------------------------------

def _file_problems(res: Resource, path: Path) -> list[Problem]:
    """Bytes and hash of the file, as declared."""
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, res.hash[0] if res.hash else "sha256")
        size = fh.tell()
    out = []
    if res.hash and digest.hexdigest() != res.hash[1]:
        out.append(Problem(res.path, None, None,
                           f'hash-count: expected is "{res.hash[1]}" and actual is "{digest.hexdigest()}"'))
    if res.bytes and res.bytes != size:
        out.append(Problem(res.path, None, None, f'byte-count: expected is "{res.bytes}" and actual is "{size}"'))
    return out


def _encoding(path: Path) -> str:
    """UTF-8, without its byte-order mark if the file starts with one (as Frictionless reads it)."""
    with path.open("rb") as fh:
        return "utf-8-sig" if fh.read(3) == codecs.BOM_UTF8 else "utf-8"


def header_columns(table: Table, labels: list[str]) -> tuple[list[Problem], list[Column]]:
    """Labels (stripped) against field names, by position (Frictionless's "exact" fields match):
    the header's problems and the column expected at each position of a row; a label beyond
    the fields gets a column that accepts anything."""
    fields, out = table.columns, []
    if not labels:  # a blank first line: no header to match
        return [], list(fields)

    def problem(name, reason):
        out.append(Problem(table.path, 1, name, reason))

    for number, label in enumerate(labels[len(fields):], len(fields) + 1):
        problem(None, f'extra-label: there is an extra label "{label}" in header at position "{number}"')
    for number, c in enumerate(fields[len(labels):], len(labels) + 1):
        problem(c.name, f'missing-label: there is a missing label in the header\'s field "{c.name}" '
                        f'at position "{number}"')
    for number, (c, label) in enumerate(zip(fields, labels, strict=False), 1):
        if not label:
            problem(c.name, f'blank-label: label in the header in field at position "{number}" is blank')
        elif label in labels[:number - 1]:
            problem(c.name, f'duplicate-label: label "{label}" in the header at position "{number}" is duplicated')
        elif label != c.name:
            problem(c.name, f'incorrect-label: label "{label}" in field {c.name} at position "{number}" '
                            'does not match the field name in the schema')
    used = {c.name for c in fields[:len(labels)]}
    extra = [Column(_free_name(label, used), "any", frozenset([""])) for label in labels[len(fields):]]
    return out, fields[:len(labels)] + extra


def _free_name(label: str, used: set[str]) -> str:
    """The name Frictionless gives the column of an extra label: the label, or label2, label3 ..."""
    name, suffix = label, 2
    while name in used:
        name, suffix = f"{label}{suffix}", suffix + 1
    used.add(name)
    return name


class NoFastPath(Exception):
    """The file or its schema needs the row-by-row reader."""


@dataclass
class TableCheck:
    """A table's checks: header, cells, blank rows, unique fields, primary key, foreign keys
    (against ``lookups``: (resource, fields) -> the set of its key values), and the key sets
    other tables want from it (``collected``)."""
    table: Table
    path: Path
    lookups: dict
    tables: set = field(default_factory=set)  # the package's table names
    check_foreign: bool = True
    collected: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def problem(self, row, name, reason) -> None:
        self.problems.append(Problem(self.table.path, row, name, reason))

    def lookup(self, fk: ForeignKey) -> set | None:
        """The referenced key set; None (after reporting it) when there is none to check against."""
        found = self.lookups.get((fk.resource, tuple(fk.ref_fields)))
        if found is None and fk.resource not in self.tables:
            self.problem(None, None, f'resource-error: failed to handle a foreign key for resource '
                                     f'"{self.table.name}" as resource "{fk.resource}" does not exist')
        return found  # None too when the referenced file could not be read: reported as its problem

    def blank_row(self, number: int) -> None:
        """A row with every cell missing: that is its only cell problem, as in Frictionless."""
        self.problems[:] = [p for p in self.problems if p.row != number or p.file != self.table.path]
        self.problem(number, None, f'blank-row: row at position "{number}" is completely blank')


# --- the row-by-row reader (any CSV file) ---------------------------------------------------

class RowCheck(TableCheck):
    """The checks with the csv module, in chunks of rows transposed to columns; keys are kept
    as hashes, suspects confirmed by comparing the keys on a second pass."""

    def run(self) -> None:
        self.collected = {key: set() for key in self.table.wanted}
        self.indexes: dict[str | None, KeyIndex] = {}
        for first, columns, cols in self.chunks(report=True):
            self._chunk(first, columns, cols)
        for key, values in self.collected.items():
            values.discard(None if len(key) == 1 else (None,) * len(key))
        if any(ix.suspects for ix in self.indexes.values()):
            self._confirm_duplicates()

    def chunks(self, report: bool) -> Iterator[tuple[int, list[Column], list[tuple]]]:
        """(row number of the chunk's first row, the expected columns, the chunk's columns)."""
        problem = self.problem if report else (lambda *args: None)
        try:
            with self.path.open(encoding=_encoding(self.path), newline="") as fh:
                reader = csv.reader(fh)
                labels = next(reader, None)
                if labels is None:
                    problem(None, None, "source-error: the source is empty")
                    return
                header, columns = header_columns(self.table, [label.strip() for label in labels])
                self.problems += header if report else []
                number = 2
                while chunk := list(islice(reader, CHUNK_ROWS)):
                    yield number, columns, self._transpose(number, columns, chunk, problem)
                    number += len(chunk)
        except UnicodeDecodeError as exc:
            problem(None, None, f"encoding-error: {exc}")

    @staticmethod
    def _transpose(first: int, columns: list[Column], chunk: list[list[str]], problem) -> list[tuple]:
        """The chunk's columns, each row cut or padded (with None) to the expected width."""
        width = len(columns)
        if set(map(len, chunk)) != {width}:
            chunk = [row if len(row) == width else _fit(first + i, row, columns, problem)
                     for i, row in enumerate(chunk)]
        return list(zip(*chunk, strict=True)) if width else []

    def _chunk(self, first: int, columns: list[Column], cols: list[tuple]) -> None:
        if not cols:
            return
        typed = {}
        for c, col in zip(columns, cols, strict=True):
            typed[c.name], hits = c.scan(col)
            for i, notes in hits:
                for kind, note in notes:
                    self.problem(first + i, c.name, f"{kind}: {note}")
        for i in _blank_rows(columns, cols):
            self.blank_row(first + i)
        present = {c.name for c in columns}
        for c in columns:
            if c.unique:
                self._index(c.name).add([hash(v) for v in typed[c.name] if v is not None])
        if self.table.primary_key and set(self.table.primary_key) <= present:
            keys, empty = _keys([typed[n] for n in self.table.primary_key])
            self._index(None).add([hash(k) for i, k in enumerate(keys) if i not in empty] if empty
                                  else list(map(hash, keys)))
            for i in sorted(empty):
                self.problem(first + i, None, 'primary-key: cells composing the primary keys are all "None"')
        if self.check_foreign:
            self._foreign_keys(typed, present, first)
        size = len(cols[0])
        for key, values in self.collected.items():
            parts = [typed.get(n) or [None] * size for n in key]
            values.update(parts[0] if len(key) == 1 else zip(*parts, strict=True))

    def _foreign_keys(self, typed: dict, present: set[str], first: int) -> None:
        for fk in self.table.foreign_keys:
            if not set(fk.fields) <= present or (lookup := self.lookup(fk)) is None:
                continue
            keys, _ = _keys([typed[n] for n in fk.fields])
            absent = set(keys).difference(lookup)
            absent.discard(None if len(fk.fields) == 1 else (None,) * len(fk.fields))
            for i, k in enumerate(keys) if absent else ():
                if k in absent:
                    self.problem(first + i, ", ".join(fk.fields),
                                 "foreign-key: " + fk.note(k if isinstance(k, tuple) else (k,)))

    def _index(self, name: str | None) -> KeyIndex:
        return self.indexes.setdefault(name, KeyIndex())

    def _confirm_duplicates(self) -> None:
        """Second pass: the rows whose key hash was seen before, compared by their keys."""
        suspects = {name: ix.suspects for name, ix in self.indexes.items() if ix.suspects}
        needed = set(self.table.primary_key) | set(suspects)
        last: dict = {name: {} for name in suspects}
        for first, columns, cols in self.chunks(report=False):
            typed = {c.name: c.scan(col)[0] for c, col in zip(columns, cols, strict=True) if c.name in needed}
            for name, hashes in suspects.items():
                keys, empty = _keys([typed[n] for n in self.table.primary_key] if name is None else [typed[name]])
                for i, k in enumerate(keys):
                    if i in empty or k is None or hash(k) not in hashes:
                        continue
                    before, last[name][k] = last[name].get(k), first + i
                    if before:
                        self.problem(first + i, name, f"{'primary-key' if name is None else 'unique-error'}: "
                                                      f"the same as in the row at position {before}")


def _fit(number: int, row: list[str], columns: list[Column], problem) -> list:
    width = len(columns)
    for position in range(width + 1, len(row) + 1):
        problem(number, None, f'extra-cell: row at position "{number}" has an extra value in field at '
                              f'position "{position}"')
    for position, c in enumerate(columns[len(row):], len(row) + 1):
        problem(number, c.name, f'missing-cell: row at position "{number}" has a missing cell in field '
                                f'"{c.name}" at position "{position}"')
    return (row + [None] * width)[:width]


def _blank_rows(columns: list[Column], cols: list[tuple]) -> list[int]:
    first, absent = cols[0], {None, *columns[0].missing}
    if absent.isdisjoint(first):
        return []
    return [i for i, v in enumerate(first) if v in absent
            and all(col[i] is None or col[i] in c.missing for c, col in zip(columns, cols, strict=True))]


class KeyIndex:
    """Which keys were seen, as hashes; a hash seen twice is a suspect, confirmed or cleared
    by comparing the keys themselves on a second pass."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.suspects: set[int] = set()

    def add(self, hashes: list[int]) -> None:
        fresh = set(hashes)
        if len(fresh) == len(hashes) and self.seen.isdisjoint(fresh):
            self.seen |= fresh
            return
        for h in hashes:
            if h in self.seen:
                self.suspects.add(h)
            else:
                self.seen.add(h)


def _keys(typed: list) -> tuple[list, set[int]]:
    """Key values (scalars for one field, tuples otherwise) and the indices of those whose
    every part is null."""
    if len(typed) == 1:
        keys = typed[0]
        return keys, ({i for i, v in enumerate(keys) if v is None} if None in keys else set())
    keys = list(zip(*typed, strict=True))
    empty = (None,) * len(typed)
    return keys, ({i for i, k in enumerate(keys) if k == empty} if None in typed[0] else set())


# --- the columnar reader (a well-formed CSV file) ---------------------------------------------

@dataclass
class Keyed:
    """A keyed column read by Arrow: each row's index into its distinct values, their typed
    values, and a canonical id per row (equal typed values share one; -1 is null)."""
    indices: Any
    typed: list
    ids: Any
    count: int


class ArrowCheck(TableCheck):
    """The same checks on the whole table parsed by Arrow's CSV reader (multithreaded C++),
    each column as its distinct values and each row's index among them, so that Python looks
    at distinct values only. Arrow parses
    quoting, embedded newlines and blank lines as the csv module does; whatever it would
    parse otherwise (rows of another width, a byte-order mark, a quoted header, bad UTF-8, a
    file without rows) raises NoFastPath, and the row-by-row reader takes the file."""

    def run(self) -> None:
        labels = self._labels()
        header, columns = header_columns(self.table, labels)
        data = _arrow_table(self.path, len(labels))
        self.problems += header
        if not columns or data.num_rows == 0:
            self.collected = {key: set() for key in self.table.wanted}
            return
        cols = [data.column(i) for i in range(len(columns))]
        keyed = {}
        for c, col in zip(columns, cols, strict=True):
            keyed[c.name] = self._scan(c, col)
        self._blank_rows(columns, cols)
        present = {c.name for c in columns}
        for c in columns:
            if c.unique:
                self._duplicates(keyed[c.name].ids, c.name, "unique-error")
        if self.table.primary_key and set(self.table.primary_key) <= present:
            self._primary_key([keyed[n] for n in self.table.primary_key])
        self.collected = {key: self._key_set(keyed, key, present) for key in self.table.wanted}
        if self.check_foreign:
            self._foreign_keys(keyed, present)

    def _labels(self) -> list[str]:
        if _encoding(self.path) != "utf-8":
            raise NoFastPath("byte-order mark")
        try:
            with self.path.open(encoding="utf-8", newline="") as fh:
                first = fh.readline()
                labels = next(csv.reader([first]), None)
        except UnicodeDecodeError as exc:
            raise NoFastPath("not UTF-8") from exc
        if not labels or '"' in first:
            raise NoFastPath("an empty file or a quoted header")
        return [label.strip() for label in labels]

    def _scan(self, c: Column, col) -> Keyed | None:
        """Type and constraint problems of a column; its keyed form when it is keyed."""
        if c.trivial and not c.keyed:
            if c.required and c.missing:
                for i in pc.indices_nonzero(pc.is_in(col, value_set=pa.array(sorted(c.missing)))).to_pylist():
                    self._cell_problems(i, c, c.read("")[1])
            return None
        distinct = pc.unique(col)
        indices = pc.index_in(col, value_set=distinct).combine_chunks()
        values = distinct.to_pylist()
        read = [c.read(v) for v in values]
        bad = [j for j, (_, notes) in enumerate(read) if notes]
        if bad:
            rows = pc.indices_nonzero(pc.is_in(indices, value_set=pa.array(bad, indices.type)))
            for i, j in zip(rows.to_pylist(), pc.take(indices, rows).to_pylist(), strict=True):
                self._cell_problems(i, c, read[j][1])
        if not c.keyed:
            return None
        canon: dict = {}
        ids = [-1 if t is None else canon.setdefault(t, len(canon)) for t, _ in read]
        return Keyed(indices, [t for t, _ in read], pc.take(pa.array(ids, pa.int64()), indices), len(canon))

    def _cell_problems(self, i: int, c: Column, notes: tuple) -> None:
        for kind, note in notes:
            self.problem(i + 2, c.name, f"{kind}: {note}")

    def _blank_rows(self, columns: list[Column], cols: list) -> None:
        def missing(c, col):
            return pc.is_in(col, value_set=pa.array(sorted(c.missing), pa.string()))

        mask = missing(columns[0], cols[0])
        if not pc.any(mask).as_py():
            return
        for c, col in zip(columns[1:], cols[1:], strict=True):
            mask = pc.and_(mask, missing(c, col))
        for i in pc.indices_nonzero(mask).to_pylist():
            self.blank_row(i + 2)

    def _primary_key(self, parts: list[Keyed]) -> None:
        """One int64 per row for the whole key (the parts' ids, +1 so that 0 is all-null)."""
        combined, span = None, 1
        for part in reversed(parts):
            shifted = pc.multiply(pc.add(part.ids, 1), span)
            combined = shifted if combined is None else pc.add(combined, shifted)
            span *= part.count + 1
            if span >= 2 ** 62:
                raise NoFastPath("too many distinct keys to combine")
        for i in pc.indices_nonzero(pc.equal(combined, 0)).to_pylist():
            self.problem(i + 2, None, 'primary-key: cells composing the primary keys are all "None"')
        self._duplicates(pc.subtract(combined, 1), None, "primary-key")

    def _duplicates(self, ids, name: str | None, kind: str) -> None:
        """Rows whose (non-null, >= 0) id an earlier row had, naming the last such row."""
        counts = pc.value_counts(ids)
        again = pc.and_(pc.greater(counts.field("counts"), 1), pc.greater_equal(counts.field("values"), 0))
        repeated = pc.filter(counts.field("values"), again)
        if len(repeated) == 0:
            return
        rows = pc.indices_nonzero(pc.is_in(ids, value_set=repeated))
        last: dict[int, int] = {}
        for i, k in zip(rows.to_pylist(), pc.take(ids, rows).to_pylist(), strict=True):
            if k in last:
                self.problem(i + 2, name, f"{kind}: the same as in the row at position {last[k]}")
            last[k] = i + 2

    def _key_set(self, keyed: dict, key: tuple, present: set[str]) -> set:
        if len(key) != 1:
            raise NoFastPath("a key of several fields referred to")
        if key[0] not in present:
            return set()
        return {t for t in keyed[key[0]].typed if t is not None}

    def _foreign_keys(self, keyed: dict, present: set[str]) -> None:
        for fk in self.table.foreign_keys:
            if len(fk.fields) != 1:
                raise NoFastPath("a foreign key of several fields")
            if not set(fk.fields) <= present or (lookup := self.lookup(fk)) is None:
                continue
            col = keyed[fk.fields[0]]
            bad = [j for j, t in enumerate(col.typed) if t is not None and t not in lookup]
            if not bad:
                continue
            rows = pc.indices_nonzero(pc.is_in(col.indices, value_set=pa.array(bad, col.indices.type)))
            for i, j in zip(rows.to_pylist(), pc.take(col.indices, rows).to_pylist(), strict=True):
                self.problem(i + 2, fk.fields[0], "foreign-key: " + fk.note((col.typed[j],)))


def _arrow_table(path: Path, width: int):
    """The rows after the header, every cell a string (none null)."""
    names = [f"c{i}" for i in range(width)]
    try:
        return pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, null_values=[]))
    except pa.ArrowInvalid as exc:
        raise NoFastPath(str(exc)) from exc


def check_table(table: Table, path: Path, lookups: dict, tables: set, check_foreign: bool = True,
                columnar: bool = True) -> TableCheck:
    """The table checked by the columnar reader when it can, else row by row."""
    if columnar:
        try:
            check = ArrowCheck(table, path, lookups, tables, check_foreign)
            check.run()
            return check
        except NoFastPath:
            pass
    check = RowCheck(table, path, lookups, tables, check_foreign)
    check.run()
    return check


# --- the package ----------------------------------------------------------------------------

def _order(tables: list[Table]) -> list[Table]:
    """Tables referred to before the tables that refer to them (as far as cycles allow)."""
    by_name = {t.name: t for t in tables}
    done: dict[str, Table] = {}

    def visit(t: Table, stack: set[str]) -> None:
        if t.name in done or t.name in stack:
            return
        for fk in t.foreign_keys:
            if fk.resource in by_name:
                visit(by_name[fk.resource], stack | {t.name})
        done[t.name] = t

    for t in tables:
        visit(t, set())
    return list(done.values())


def table_problems(dp: Path, descriptor: dict | None = None, columnar: bool = True) -> list[Problem]:
    """Every problem Frictionless would find in the tables and files of the package in ``dp``
    (raises UnsupportedSchema for a schema feature this checker does not implement).
    ``columnar=False`` reads every table row by row (the reader for irregular files)."""
    csv.field_size_limit(sys.maxsize)  # a cell may be a whole document's text
    if descriptor is None:
        try:
            descriptor = json.loads((dp / "datapackage.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            return [Problem("datapackage.json", None, None, f"package-error: {exc}")]
    resources = compile_package(descriptor)
    names = [r.name for r in resources]
    if len(names) != len(set(names)):
        return [Problem("datapackage.json", None, None, "package-error: names of the resources are not unique")]
    out: dict[str, list[Problem]] = {r.name: [] for r in resources}
    readable, broken = {}, {}  # name -> path; name -> why it cannot be read
    for r in resources:
        path = (dp / r.path).resolve()
        if not path.is_relative_to(dp.resolve()):
            out[r.name].append(Problem("datapackage.json", None, None, f'resource-error: path "{r.path}" is not safe'))
        elif not path.is_file():
            broken[r.name] = f"scheme-error: [Errno 2] No such file or directory: '{path}'"
            out[r.name].append(Problem(r.path, None, None, broken[r.name]))
        else:
            out[r.name] += _file_problems(r, path)
            readable[r.name] = path
    _check_tables([r.table for r in resources if r.table], readable, broken, out, columnar)
    return [p for r in resources for p in out[r.name]]


def _check_tables(tables: list[Table], readable: dict, broken: dict, out: dict, columnar: bool) -> None:
    """Each readable table, those it refers to first, their key sets kept for the others. As
    in Frictionless, a table referring to one that cannot be read is not checked: reading
    the referred keys fails, and that is its one problem."""
    declared = {t.name for t in tables}
    by_name = {t.name: t for t in tables if t.name in readable}
    lookups: dict = {}

    def check(t: Table, check_foreign: bool = True) -> TableCheck:
        done = check_table(t, readable[t.name], lookups, declared, check_foreign, columnar)
        lookups.update({(t.name, key): values for key, values in done.collected.items()})
        return done

    for t in _order(list(by_name.values())):
        refused = [broken[fk.resource] for fk in t.foreign_keys if fk.resource != t.name and fk.resource in broken]
        if refused:
            out[t.name] = [Problem(t.path, None, None, refused[0])]
            check(t, check_foreign=False)  # its own keys still read for the tables referring to it
            continue
        for fk in t.foreign_keys:
            if (fk.resource, tuple(fk.ref_fields)) not in lookups and fk.resource in by_name:
                check(by_name[fk.resource], check_foreign=False)  # a cycle or a self-reference: read ahead
        done = check(t)
        out[t.name] += sorted(done.problems, key=lambda p: p.row or 0)
        unreadable = [p.reason for p in done.problems if p.reason.startswith("encoding-error")]
        if unreadable:
            broken[t.name] = unreadable[0]
