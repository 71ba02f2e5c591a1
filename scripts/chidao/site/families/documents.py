"""A page per document: metadata card, items with their measures, cited documents, figures,
full text, downloads and citation. Rendered straight into the page shell MkDocs builds once."""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import quote

from ..discover import legislation_jsonld
from ..pages import DOWNLOADS, KINDS, SITE_ORIGINAL_MAX, SiteContext, paragraphs
from ..sitedata import doc_url, measure_url, province_url, rel

PARALLEL_PAGES_FROM = 200  # fewer document pages are rendered in this process
_CTX: SiteContext | None = None  # the context a forked worker renders with


def _render_documents(k: int, of: int) -> None:
    for d in _CTX.a.documents[k::of]:
        document(_CTX, d)



def write(ctx: SiteContext) -> None:
    """Document pages, rendered on every core: they are independent of each other."""
    ctx.write_shell()
    docs = ctx.a.documents
    workers = min(os.cpu_count() or 1, len(docs) // PARALLEL_PAGES_FROM + 1)
    ctx.a.children("provenance")  # load shared tables once, before the workers fork
    if workers == 1 or multiprocessing.get_start_method() != "fork":
        for d in docs:
            document(ctx, d)
        return
    global _CTX
    _CTX = ctx
    chunks = [docs[k::workers] for k in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_render_documents, range(len(chunks)), [len(chunks)] * len(chunks)))
    _CTX = None


def document(ctx: SiteContext, d: dict) -> None:
    here = doc_url(d["id"])
    rec = ctx.a.record(d["id"])
    by_item: dict[str | None, list[dict]] = defaultdict(list)
    for m in rec["measures"]:
        by_item[m["item"]].append(m)

    def measures_of(ms: list[dict]) -> list[dict]:
        out, seen = [], set()
        for m in ms:
            if m["code"] in seen or m["code"] not in ctx.a.measure_by_code:
                continue
            seen.add(m["code"])
            t = ctx.a.measure_by_code[m["code"]]
            out.append({"code": m["code"], "name_vi": t["name_vi"], "name_en": t["name_en"],
                        "evidence": m["evidence"], "link": rel(here, measure_url(m["code"]))})
        return out

    items = []
    for k, it in enumerate(rec["items"], 1):
        ms = measures_of(by_item.get(it["number"], []))
        items.append({"number": it["number"], "anchor": it["number"] if it["number"].isdigit() else k,
                      "addressees": it["addressees"], "measures": ms,
                      "html": paragraphs(it["text"], [m["evidence"] for m in ms])})
    refs = []
    for r in rec["references"]:
        refs.append({**r, "link": rel(here, doc_url(r["resolved_id"])) if r.get("resolved_id") else None})
    rec = {**rec, "references": refs}
    siblings = ctx.a.docs_by_province.get(d["province_code"], []) if d["province_code"] else []
    pos = next((i for i, s in enumerate(siblings) if s["id"] == d["id"]), None)
    nav = lambda s: {"link": rel(here, doc_url(s["id"])), "label": ctx.label(s)}  # noqa: E731
    prov = ctx.a.province_by_code.get(d["province_code"] or "")
    ctx.write_document(d["id"], f"{ctx.label(d)} — {d['issuer'] or d['province'] or ''}",
               jsonld=legislation_jsonld(d, here, ctx.a.descriptor["title"]),
               d=d, rec=rec, p=ctx.a.provenance(d["id"]), items=items,
               doc_measures=measures_of(by_item.get(None, [])),
               kind_label=dict(KINDS).get(d["issuer_kind"], "—"),
               province_link=rel(here, province_url(prov["code_2021"], prov["name_2021"])) if prov else None,
               fulltext=paragraphs(rec["text"], _uncertain(rec), "cd-uncertain"),
               reading=_reading(d, rec),
               json_link=rel(here, f"{DOWNLOADS}json/{d['id']}.json"),
               source_link=_original_link(ctx, d, here),
               citation=ctx.citation(d),
               prev=nav(siblings[pos - 1]) if pos else None,
               next=nav(siblings[pos + 1]) if pos is not None and pos + 1 < len(siblings) else None)


METHODS = {"text": ("tệp văn bản", "a text file"), "html": ("trang web (HTML)", "a web page"),
           "docx": ("tệp Word (.docx)", "a Word file"), "doc": ("tệp Word cũ (.doc), chuyển đổi bằng LibreOffice",
                                                               "a legacy Word file, converted with LibreOffice"),
           "text_layer": ("lớp chữ của tệp PDF", "the PDF's text layer"),
           "ocr": ("nhận dạng ký tự (OCR) từ ảnh quét", "OCR of the scanned pages"),
           "mixed": ("lớp chữ của PDF và OCR (một số trang)", "the PDF's text layer and OCR of some pages"),
           "image_ocr": ("nhận dạng ký tự (OCR) từ ảnh", "OCR of an image")}


def _original_link(ctx: SiteContext, d: dict, here: str) -> str | None:
    """The original's copy in the site, or, for one too large to copy, its source URL."""
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

