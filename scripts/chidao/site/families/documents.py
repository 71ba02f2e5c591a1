"""A page per document: metadata card, the full text once with its numbered items in it (each
with its measures), cited documents, figures, downloads and citation. Rendered straight into
the page shell MkDocs builds once."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

import orjson

from ...fingerprint import Cache, cache_at, code_fingerprint
from .. import doctext
from ..bundles import originals_in_site, repository_file
from ..discover import legislation_jsonld
from ..pages import DOWNLOADS, KINDS, PAGES, SITE_CODE, SITE_ORIGINAL_MAX, SiteContext, page_store
from ..sitedata import doc_url, measure_url, province_url, rel
from .downloads import repository_url

PARALLEL_PAGES_FROM = 200  # fewer document pages are rendered in this process
_CTX: SiteContext | None = None  # the context a forked worker renders with


def _render_documents(k: int, of: int) -> list[tuple[str, str]]:
    return _render(_CTX, _CTX.a.documents[k::of])


def write(ctx: SiteContext) -> None:
    """Document pages, rendered on every core (they are independent of each other); a page
    whose inputs did not change since the last build is taken from the page store. What the
    site build reads: the manifest (MANIFEST in ctx.doc_pages) of each document's page key
    in the store (see stored_pages)."""
    ctx.write_shell()
    docs = ctx.a.documents
    workers = min(os.cpu_count() or 1, len(docs) // PARALLEL_PAGES_FROM + 1)
    ctx.a.children("provenance")  # load shared tables once, before the workers fork
    Cache.prepare(page_store(ctx.doc_pages))  # (before the workers share it)
    if workers == 1 or multiprocessing.get_start_method() != "fork":
        keys = _render(ctx, docs)
    else:
        global _CTX
        _CTX = ctx
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            keys = [k for part in pool.map(_render_documents, range(workers), [workers] * workers) for k in part]
        _CTX = None
    store = ctx.store()
    store.keep_keys(_namespace(), {key for _, key in keys})  # pages of documents changed or gone
    store.keep_only([_namespace()], "docpage/")
    (ctx.doc_pages / MANIFEST).write_bytes(orjson.dumps({"namespace": _namespace(), "pages": sorted(keys)}))


def page_fingerprint() -> str:
    """What a document page depends on besides its inputs (pages.SITE_CODE)."""
    return code_fingerprint(SITE_CODE)


MANIFEST = "pages.json"  # in doc_pages: {"namespace", "pages": [[document id, key], ...]}
STORE_EVERY = 128  # pages per transaction


def _namespace() -> str:
    return "docpage/" + page_fingerprint()


def count_pages(doc_pages: Path) -> int:
    return len(orjson.loads((doc_pages / MANIFEST).read_bytes())["pages"])


def page_keys(doc_pages: Path, part: int = 0, parts: int = 1) -> list[tuple[str, str]]:
    """(document id, key in the page store) of each document page of the last write(), in id
    order (those of ``part`` of ``parts``: every parts-th from the part-th)."""
    return [tuple(p) for p in orjson.loads((doc_pages / MANIFEST).read_bytes())["pages"][part::parts]]


def load_page(doc_pages: Path, doc_id: str, key: str) -> dict:
    """A stored document page: {"title", "jsonld", "body", "description"}."""
    page = cache_at(page_store(doc_pages)).get(_namespace(), key)
    if page is None:
        raise RuntimeError(f"{page_store(doc_pages)}: the page of {doc_id} is missing")
    return page


def stored_pages(doc_pages: Path, part: int = 0, parts: int = 1):
    """(document id, page) for each document page of the last write() (see page_keys)."""
    for doc_id, key in page_keys(doc_pages, part, parts):
        yield doc_id, load_page(doc_pages, doc_id, key)


def _inputs_key(ctx: SiteContext, d: dict) -> str:
    """Hash of everything a document page shows: its record, its row, its neighbours in the
    province (the previous/next links), its provenance, the taxonomy, the package's title and
    version, and the addresses the environment gives (repository, site)."""
    siblings = ctx.a.docs_by_province.get(d["province_code"], []) if d["province_code"] else []
    pos = next((i for i, s in enumerate(siblings) if s["id"] == d["id"]), None)
    around = [ctx.label(s) + s["id"] for s in siblings[max(0, (pos or 0) - 1):(pos or 0) + 2]] if pos is not None else []
    inputs = [d, around, ctx.a.provenance(d["id"]), ctx.a.taxonomy, ctx.a.province_by_code.get(d["province_code"] or ""),
              ctx.a.descriptor["title"], ctx.version,
              ctx.a.source_bytes.get(d["source_file"]), repository_url(), os.environ.get("GITHUB_SHA"),
              os.environ.get("CHIDAO_SITE_URL")]
    h = hashlib.sha256(orjson.dumps(inputs, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
    h.update((ctx.a.dp / "json" / f"{d['id']}.json").read_bytes())
    return h.hexdigest()


def _render(ctx: SiteContext, docs: list[dict]) -> list[tuple[str, str]]:
    """(document id, key) of each document's page, rendered and stored unless the store has
    it (in transactions of STORE_EVERY pages: writers in other processes wait their turn)."""
    store, ns = ctx.store(), _namespace()
    stored = store.keys(ns)  # (one query instead of one a page)
    keys, rows = [], []
    for d in docs:
        key = _inputs_key(ctx, d)
        keys.append((d["id"], key))
        if key not in stored:
            rows.append((ns, key, orjson.dumps(document(ctx, d))))
        if len(rows) >= STORE_EVERY:
            store.put(rows)
            rows = []
    store.put(rows)
    return keys


def document(ctx: SiteContext, d: dict) -> dict:
    """The document's page: {"title", "jsonld", "body", "description"}."""
    here = doc_url(d["id"])
    rec = ctx.a.record(d["id"])
    numbers = {it["number"] for it in rec["items"]}
    by_item: dict[str | None, list[dict]] = defaultdict(list)
    for m in rec["measures"]:  # a measure of an item the record does not list is the document's
        by_item[m["item"] if m["item"] in numbers else None].append(m)

    def measures_of(ms: list[dict]) -> list[dict]:
        out, seen = [], set()
        for m in ms:
            if m["code"] in seen or m["code"] not in ctx.a.measure_by_code:
                continue
            seen.add(m["code"])
            t = ctx.a.measure_by_code[m["code"]]
            out.append({"code": m["code"], "name_vi": t["name_vi"], "name_en": t["name_en"],
                        "link": rel(here, measure_url(m["code"]))})
        return out

    blocks = _blocks(ctx, rec, measures_of, by_item)
    refs = []
    for r in rec["references"]:
        refs.append({**r, "link": rel(here, doc_url(r["resolved_id"])) if r.get("resolved_id") else None})
    rec = {**rec, "references": refs}
    siblings = ctx.a.docs_by_province.get(d["province_code"], []) if d["province_code"] else []
    pos = next((i for i, s in enumerate(siblings) if s["id"] == d["id"]), None)
    nav = lambda s: {"link": rel(here, doc_url(s["id"])), "label": ctx.label(s)}  # noqa: E731
    prov = ctx.a.province_by_code.get(d["province_code"] or "")
    return ctx.document_page(f"{ctx.label(d)} — {d['issuer'] or d['province'] or ''}",
               jsonld=legislation_jsonld(d, here, ctx.a.descriptor["title"]),
               d=d, rec=rec, p=ctx.a.provenance(d["id"]), blocks=blocks,
               items=[b for b in blocks if b["item"]],
               doc_measures=measures_of(by_item.get(None, [])),
               kind_label=dict(KINDS).get(d["issuer_kind"], "—"),
               province_link=rel(here, province_url(prov["code_2021"], prov["name_2021"])) if prov else None,
               reading=_reading(d, rec),
               record_link=record_url(d["id"]), data_link=rel(here, PAGES["data"]),
               source_link=_original_link(ctx, d, here),
               citation=ctx.citation(d),
               prev=nav(siblings[pos - 1]) if pos else None,
               next=nav(siblings[pos + 1]) if pos is not None and pos + 1 < len(siblings) else None)


def _blocks(ctx: SiteContext, rec: dict, measures_of, by_item: dict) -> list[dict]:
    """The text once, in reading order: the text between items, and each item with the
    bodies it tasks and its measures (their evidence marked in its text)."""
    def name_of(code: str) -> str:
        return ctx.a.measure_by_code.get(code, {}).get("name_vi", code)

    text = rec["text"]
    evidence = doctext.evidence_marks(text, rec["measures"], name_of)
    uncertain = doctext.uncertain_marks(text, _uncertain(rec))
    out = []
    for b in doctext.blocks(text, rec["items"], evidence, uncertain):
        if b.item is None:
            out.append({"item": False, "html": b.html})
            continue
        n = b.item["number"]
        out.append({"item": True, "html": b.html, "number": n, "anchor": n if n.isdigit() else b.index + 1,
                    "addressees": b.item["addressees"], "measures": measures_of(by_item.get(n, [])),
                    "missing": b.missing})
    return out


def record_url(doc_id: str) -> str | None:
    """The document's JSON record in the repository (the site does not copy it), when the
    repository is known."""
    repo = repository_url()
    return f"{repo}/blob/main/datapackage/json/{quote(doc_id)}.json" if repo else None


METHODS = {"text": ("tệp văn bản", "a text file"), "html": ("trang web (HTML)", "a web page"),
           "docx": ("tệp Word (.docx)", "a Word file"), "doc": ("tệp Word cũ (.doc), chuyển đổi bằng LibreOffice",
                                                               "a legacy Word file, converted with LibreOffice"),
           "text_layer": ("lớp chữ của tệp PDF", "the PDF's text layer"),
           "ocr": ("nhận dạng ký tự (OCR) từ ảnh quét", "OCR of the scanned pages"),
           "mixed": ("lớp chữ của PDF và OCR (một số trang)", "the PDF's text layer and OCR of some pages"),
           "image_ocr": ("nhận dạng ký tự (OCR) từ ảnh", "OCR of an image")}


def _original_link(ctx: SiteContext, d: dict, here: str) -> str | None:
    """The original where the repository keeps it; in a local build its copy in the site, or,
    for one too large to copy, its source URL."""
    if not originals_in_site():
        return repository_file(f"datapackage/sources/{quote(d['source_file'])}")
    if ctx.a.source_bytes.get(d["source_file"], 0) <= SITE_ORIGINAL_MAX:
        return rel(here, f"{DOWNLOADS}sources/{quote(d['source_file'])}")
    return d["source_url"] if (d["source_url"] or "").startswith(("https://", "http://")) else None


def _uncertain(rec: dict) -> list[str]:
    return [w for p in rec.get("source_pages", []) for w in (p["uncertain_words"] or "").split(" | ") if w]


def _reading(d: dict, rec: dict) -> dict:
    """How the text was obtained, for the metadata card."""
    vi, en = METHODS.get(d["text_method"], (d["text_method"], d["text_method"]))
    ocr_pages = [p["page"] for p in rec.get("source_pages", []) if p["method"] == "ocr"]
    return {"vi": vi, "en": en, "media_type": d["media_type"], "pages": int(d["page_count"] or 0),
            "ocr_pages": ocr_pages, "confidence": float(d["ocr_confidence"]) if d["ocr_confidence"] else None, "n_uncertain": len(_uncertain(rec)),
            # only a web address becomes a link: a source text cannot inject a javascript: URL
            "source_url": d["source_url"] if (d["source_url"] or "").startswith(("https://", "http://")) else None}

