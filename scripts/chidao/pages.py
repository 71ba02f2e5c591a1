"""Stage 4: the published data package -> Markdown pages for the site (from templates).

Reads only ``datapackage/`` (and the hand-written ``docs/`` sources); every value is HTML-
escaped by the templates, so nothing in a source text can inject markup into a page."""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import charts
from .discover import dataset_jsonld, legislation_jsonld
from .release import package_sqlite, package_zip
from .sitedata import Archive, doc_url, md_path, measure_url, province_url, rel
from .textnorm import fold

DOWNLOADS = "du-lieu/files/"  # where the package's files are served
PAGES = {"home": "", "catalogue": "van-ban/", "provinces": "tinh/", "measures": "bien-phap/",
         "compare": "so-sanh/", "data": "du-lieu/", "method": "phuong-phap/", "search": "tim-kiem/"}
KINDS = [("party", "Đảng"), ("government", "Chính quyền"), ("other", "Khác")]


def _env() -> Environment:
    env = Environment(loader=PackageLoader("chidao", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


SHELL_URL = "van-ban/chidao-shell/"  # the page MkDocs renders once as the frame of every document page
SHELL_TITLE = "CHIDAOSHELLTITLE"
SHELL_JSONLD = "CHIDAOSHELLJSONLD"
SHELL_BODY = "<h1 class=\"cd-shell\">CHIDAO-SHELL-CONTENT</h1>"  # an h1, so that the theme adds none


def _clean_title(title: str) -> str:
    # Titles are labels built from symbols and names; strip characters that mean markup.
    return re.sub(r"[<>{}\[\]`*|#]", "", title).strip()


def _front_matter(title: str, hide: tuple[str, ...] = ("toc",), jsonld: dict | None = None,
                  feed: str | None = None) -> str:
    lines = ["---", f"title: {json.dumps(_clean_title(title), ensure_ascii=False)}"]
    if hide:
        lines += ["hide:"] + [f"  - {h}" for h in hide]
    if jsonld:  # JSON is YAML; the theme writes it with |tojson, which escapes <, > and &
        lines.append(f"jsonld: {json.dumps(jsonld, ensure_ascii=False)}")
    if feed:
        lines.append(f"feed: {json.dumps(feed)}")
    return "\n".join(lines + ["---", "", ""])


def paragraphs(text: str, marks: list[str] | None = None) -> Markup:
    """Text as escaped HTML paragraphs, evidence phrases wrapped in <mark>."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        out.append("<p>" + _highlight(para, marks or []).replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(out))


def _highlight(text: str, marks: list[str]) -> str:
    """HTML-escaped ``text`` with the first occurrence of each phrase in <mark>."""
    spans: list[tuple[int, int]] = []
    for phrase in sorted(set(m for m in marks if m), key=len, reverse=True):
        i = text.find(phrase)
        while i >= 0 and not all(i + len(phrase) <= s or i >= e for s, e in spans):
            i = text.find(phrase, i + 1)
        if i >= 0:
            spans.append((i, i + len(phrase)))
    out, pos = [], 0
    for s, e in sorted(spans):
        out += [html.escape(text[pos:s], quote=False), '<mark class="cd-evidence">',
                html.escape(text[s:e], quote=False), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _folded_d(html: str) -> str:
    """A hidden, indexed copy of the page's words that hold "đ", without diacritics: Pagefind
    ignores diacritics when matching, but "đ" is a letter of its own, so "d" would miss it."""
    text = re.sub(r"<[^>]+>", " ", html)
    words = sorted({fold(w) for w in re.findall(r"\w*[đĐ]\w*", text)})
    if not words:
        return ""
    return f'\n<div hidden class="cd-fold" data-pagefind-body>{" ".join(words)}</div>\n'


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


PARALLEL_PAGES_FROM = 200  # fewer document pages are rendered in this process
_WRITER: SiteWriter | None = None  # the writer a forked worker renders for


def _render_documents(k: int, of: int) -> None:
    for d in _WRITER.a.documents[k::of]:
        _WRITER.document(d)


class SiteWriter:
    def __init__(self, archive: Archive, out: Path, docs_src: Path, downloads: Path, doc_pages: Path):
        self.a, self.out, self.docs_src, self.downloads, self.doc_pages = archive, out, docs_src, downloads, doc_pages
        self.bodies = doc_pages.parent / "page-bodies"
        self.env = _env()
        self.version = archive.descriptor["version"]

    # -- helpers ---------------------------------------------------------------------
    def write(self, url: str, title: str, template: str, hide: tuple[str, ...] = ("toc",),
              jsonld: dict | None = None, feed: str | None = None, **ctx) -> None:
        """A page: MkDocs gets a shell (front matter and a marker); the body, HTML rendered from
        the template, is put into the built page afterwards (site.inject_bodies). MkDocs thus
        never parses large generated pages as Markdown."""
        path = self.out / md_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front_matter(title, hide, jsonld, feed) + SHELL_BODY + "\n", encoding="utf-8")
        body = self.env.get_template(template).render(**ctx)
        target = self.bodies / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body + _folded_d(body), encoding="utf-8")

    def write_document(self, doc_id: str, title: str, jsonld: dict, **ctx) -> None:
        """Document pages skip MkDocs: their body is HTML already, so it goes straight into the
        page shell MkDocs renders once (see SHELL_URL and site.inject_documents). One MkDocs
        page instead of thousands keeps the build linear and light."""
        body = self.env.get_template("document.html.j2").render(**ctx)
        page = {"title": _clean_title(title), "jsonld": jsonld, "body": body + _folded_d(ctx["rec"]["text"])}
        (self.doc_pages / f"{doc_id}.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")

    def write_shell(self) -> None:
        path = self.out / md_path(SHELL_URL)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front_matter(SHELL_TITLE, ("toc",), {"@context": SHELL_JSONLD}) + SHELL_BODY + "\n",
                        encoding="utf-8")

    def link_fn(self, here: str):
        return lambda d: rel(here, doc_url(d["id"]))

    def label(self, d: dict) -> str:
        return f"{d['doc_type'] or 'Văn bản'} {d['symbol'] or '(không số)'}"

    def citation(self, d: dict) -> str:
        parts = [d["issuer"] or "(không rõ cơ quan ban hành)",
                 f"{d['doc_type'] or 'Văn bản'} {d['symbol'] or '(không số)'}"
                 + (f", {d['place']}" if d["place"] else "") + (f", {d['date_issued']}" if d["date_issued"] else "")]
        if d["subject"]:
            parts.append(d["subject"])
        return (". ".join(parts) + f". Trong: chidao — Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh, "
                f"gói dữ liệu phiên bản {self.version}, mã văn bản {d['id']}. CC0-1.0.")

    # -- pages -----------------------------------------------------------------------
    def run(self) -> None:
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        shutil.copytree(self.docs_src / "static", self.out / "assets")
        self.copy_downloads()
        for folder in (self.doc_pages, self.bodies):
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
        self.home()
        self.catalogue()
        self.write_shell()
        self.documents()
        self.provinces()
        self.measures()
        self.compare()
        self.data_page()
        self.method()
        self.search()

    def documents(self) -> None:
        """Document pages, rendered on every core: they are independent of each other."""
        docs = self.a.documents
        workers = min(os.cpu_count() or 1, len(docs) // PARALLEL_PAGES_FROM + 1)
        self.a.children("provenance")  # load shared tables once, before the workers fork
        if workers == 1 or multiprocessing.get_start_method() != "fork":
            for d in docs:
                self.document(d)
            return
        global _WRITER
        _WRITER = self
        chunks = [docs[k::workers] for k in range(workers)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_render_documents, range(len(chunks)), [len(chunks)] * len(chunks)))
        _WRITER = None

    def copy_downloads(self) -> None:
        """Stage the package's files for download; the site step copies them in after MkDocs
        (which need not process thousands of data files, and skips names starting with '.')."""
        dest = self.downloads
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        shutil.copy2(self.a.dp / "datapackage.json", dest / "datapackage.json")
        for part in ("data", "json", "sources"):
            shutil.copytree(self.a.dp / part, dest / part)
        self.zip_path = package_zip(self.a.dp, dest / f"chidao-datapackage-{self.version}.zip")
        self.sqlite_path = package_sqlite(self.a.dp, dest / f"chidao-{self.version}.sqlite")

    def home(self) -> None:
        here = PAGES["home"]
        docs = self.a.documents
        dated = [d["date_issued"] for d in docs if d["date_issued"]]
        latest = sorted(docs, key=lambda d: d["date_issued"] or "", reverse=True)[:10]
        self.write(here, "Trang chủ", "home.html.j2", hide=("toc", "navigation"),
                   jsonld=dataset_jsonld(self.a, here), feed="feed.xml",
                   n_docs=len(docs), n_provinces=len(self.a.docs_by_province),
                   span_start=min(dated) if dated else None, span_end=max(dated) if dated else None,
                   n_measures=len(self.a.taxonomy), latest=latest, link=self.link_fn(here),
                   links={k: rel(here, v) for k, v in PAGES.items()})

    def catalogue(self) -> None:
        here = PAGES["catalogue"]
        docs = self.a.documents
        provs = sorted({(d["province_code"], d["province"]) for d in docs if d["province_code"]})
        self.write(here, "Danh mục văn bản", "catalogue.html.j2", hide=("toc", "navigation"), docs=docs,
                   link=self.link_fn(here), provinces=[{"code": c, "name": n} for c, n in provs],
                   types=sorted({d["doc_type"] for d in docs if d["doc_type"]}), kinds=KINDS,
                   years=sorted({d["date_issued"][:4] for d in docs if d["date_issued"]}),
                   measures=self.a.taxonomy)

    def document(self, d: dict) -> None:
        here = doc_url(d["id"])
        rec = self.a.record(d["id"])
        by_item: dict[str | None, list[dict]] = defaultdict(list)
        for m in rec["measures"]:
            by_item[m["item"]].append(m)

        def measures_of(ms: list[dict]) -> list[dict]:
            out, seen = [], set()
            for m in ms:
                if m["code"] in seen or m["code"] not in self.a.measure_by_code:
                    continue
                seen.add(m["code"])
                t = self.a.measure_by_code[m["code"]]
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
        siblings = self.a.docs_by_province.get(d["province_code"], []) if d["province_code"] else []
        pos = next((i for i, s in enumerate(siblings) if s["id"] == d["id"]), None)
        nav = lambda s: {"link": rel(here, doc_url(s["id"])), "label": self.label(s)}  # noqa: E731
        prov = self.a.province_by_code.get(d["province_code"] or "")
        self.write_document(d["id"], f"{self.label(d)} — {d['issuer'] or d['province'] or ''}",
                   jsonld=legislation_jsonld(d, here, self.a.descriptor["title"]),
                   d=d, rec=rec, p=self.a.provenance(d["id"]), items=items,
                   doc_measures=measures_of(by_item.get(None, [])),
                   kind_label=dict(KINDS).get(d["issuer_kind"], "—"),
                   province_link=rel(here, province_url(prov["code_2021"], prov["name_2021"])) if prov else None,
                   fulltext=paragraphs(rec["text"]),
                   json_link=rel(here, f"{DOWNLOADS}json/{d['id']}.json"),
                   source_link=rel(here, f"{DOWNLOADS}sources/{quote(d['source_file'])}"),
                   citation=self.citation(d),
                   prev=nav(siblings[pos - 1]) if pos else None,
                   next=nav(siblings[pos + 1]) if pos is not None and pos + 1 < len(siblings) else None)

    def provinces(self) -> None:
        here = PAGES["provinces"]
        rows = [{"code": p["code_2021"], "name": p["name_2021"], "region": p["region6_name"],
                 "count": len(self.a.docs_by_province.get(p["code_2021"], [])),
                 "name_2025": p["name_2025"], "code_2025": p["code_2025"],
                 "link": rel(here, province_url(p["code_2021"], p["name_2021"]))} for p in self.a.provinces]
        self.write(here, "Theo tỉnh, thành phố", "provinces.html.j2", provinces=rows)
        for p in self.a.provinces:
            self.province(p)

    def province(self, p: dict) -> None:
        here = province_url(p["code_2021"], p["name_2021"])
        docs = self.a.docs_by_province.get(p["code_2021"], [])
        counts: Counter = Counter()
        first: dict[str, str] = {}
        for d in docs:
            for code in self.a.doc_measure_codes(d):
                counts[code] += 1
                if d["date_issued"] and (code not in first or d["date_issued"] < first[code]):
                    first[code] = d["date_issued"]
        measures = [{**self.a.measure_by_code[c], "count": n, "first": first.get(c),
                     "link": rel(here, measure_url(c))} for c, n in counts.most_common() if c in self.a.measure_by_code]
        issuers = Counter((d["issuer"] or "(không rõ)", dict(KINDS).get(d["issuer_kind"], "—")) for d in docs)
        chart = charts.timeline([(p["name_2021"], "#", docs)], self.link_fn(here), label_width=110) if docs else ""
        self.write(here, p["full_name_2021"], "province.html.j2", feed="feed.xml", p=p, docs=docs, link=self.link_fn(here),
                   chart=chart, measures=measures,
                   issuers=[{"name": n, "kind": k, "count": c} for (n, k), c in issuers.most_common()])

    def measures(self) -> None:
        here = PAGES["measures"]
        rows = []
        for m in self.a.taxonomy:
            uses = self.a.measures_by_code.get(m["code"], [])
            docs = {u["document_id"] for u in uses}
            provs = {self.a.by_id[i]["province_code"] for i in docs if i in self.a.by_id}
            rows.append({**m, "n_docs": len(docs), "n_provinces": len(provs - {None}),
                         "link": rel(here, measure_url(m["code"]))})
            self.measure(m)
        self.write(here, "Theo biện pháp", "measures.html.j2", measures=rows)

    def measure(self, m: dict) -> None:
        here = measure_url(m["code"])
        groups: dict[str | None, list[dict]] = defaultdict(list)
        for u in self.a.measures_by_code.get(m["code"], []):
            d = self.a.by_id.get(u["document_id"])
            if not d:
                continue
            anchor = f"#muc-{u['item']}" if u["item"] and u["item"].isdigit() else "#nhiem-vu"
            groups[d["province_code"]].append({
                "date": d["date_issued"], "doc_link": rel(here, doc_url(d["id"])), "label": self.label(d),
                "item": u["item"], "item_link": rel(here, doc_url(d["id"])) + anchor, "evidence": u["evidence"]})
        out = []
        for code, rows in sorted(groups.items(), key=lambda kv: kv[0] or "99"):
            p = self.a.province_by_code.get(code or "")
            out.append({"code": code, "name": p["name_2021"] if p else "Trung ương / không rõ tỉnh",
                        "link": rel(here, province_url(code, p["name_2021"])) if p else "#",
                        "rows": sorted(rows, key=lambda r: r["date"] or "")})
        self.write(here, f"{m['name_vi']} ({m['code']})", "measure.html.j2", m=m,
                   patterns=(m["patterns"] or "").split(" | "), groups=out)

    def compare(self) -> None:
        here = PAGES["compare"]
        counts: Counter = Counter()
        for d in self.a.documents:
            for code in self.a.doc_measure_codes(d):
                counts[(d["province_code"], code)] += 1
        top = max(counts.values(), default=1)
        matrix = []
        for p in self.a.provinces:
            code = p["code_2021"]
            n_docs = len(self.a.docs_by_province.get(code, []))
            cells = [{"count": counts[(code, m["code"])], "name": m["name_vi"],
                      "colour": charts.heat_colour(counts[(code, m["code"])], top),
                      "link": rel(here, measure_url(m["code"])) + f"#tinh-{code}"} for m in self.a.taxonomy]
            matrix.append({"name": p["name_2021"], "link": rel(here, province_url(code, p["name_2021"])),
                           "has_docs": bool(n_docs), "n_docs": n_docs, "cells": cells})
        rows = [(p["name_2021"], rel(here, province_url(p["code_2021"], p["name_2021"])),
                 self.a.docs_by_province[p["code_2021"]]) for p in self.a.provinces
                if p["code_2021"] in self.a.docs_by_province]
        types = sorted({d["doc_type"] or "—" for d in self.a.documents})
        breakdown = []
        for p in self.a.provinces:
            docs = self.a.docs_by_province.get(p["code_2021"], [])
            if docs:
                breakdown.append({"name": p["name_2021"], "link": rel(here, province_url(p["code_2021"], p["name_2021"])),
                                  "kinds": [sum(d["issuer_kind"] == k for d in docs) for k, _ in KINDS],
                                  "types": [sum((d["doc_type"] or "—") == t for d in docs) for t in types]})
        kind_counts = Counter(dict(KINDS).get(d["issuer_kind"], "Không rõ") for d in self.a.documents)
        type_counts = Counter(d["doc_type"] or "—" for d in self.a.documents)
        self.write(here, "So sánh giữa các tỉnh", "compare.html.j2", hide=("toc", "navigation"),
                   measures=[{**m, "link": rel(here, measure_url(m["code"]))} for m in self.a.taxonomy],
                   matrix=matrix, n_with_docs=len(self.a.docs_by_province),
                   heat_hi=charts.heat_colour(top, top),
                   timeline=charts.timeline(rows, self.link_fn(here)) if rows else "",
                   kinds=KINDS, types=types, breakdown=breakdown,
                   kinds_chart=charts.bars(kind_counts.most_common(), "Theo khối"),
                   types_chart=charts.bars(type_counts.most_common(), "Theo loại"),
                   national=self._national(here), figures=self._figures(here))

    def _national(self, here: str) -> list[dict]:
        cited: dict[str, dict] = {}
        for r in self.a.table("references"):
            d = self.a.by_id.get(r["document_id"])
            if not d or r["issuer_level"] != "national":
                continue
            key = r["symbol"] or r["text"]
            entry = cited.setdefault(key, {"label": r["symbol"] and f"{r['doc_type'] or ''} {r['symbol']}".strip()
                                           or r["text"], "issuer": r["issuer"], "citing": []})
            entry["issuer"] = entry["issuer"] or r["issuer"]
            entry["citing"].append({"province": d["province"] or "—", "date": d["date_issued"] or "",
                                    "link": rel(here, doc_url(d["id"]))})
        return sorted(cited.values(), key=lambda e: (-len(e["citing"]), e["label"]))

    def _figures(self, here: str) -> list[dict]:
        out = []
        for f in self.a.table("figures"):
            d = self.a.by_id.get(f["document_id"])
            if d:
                out.append({**f, "date": d["date_issued"], "province": d["province"], "label": self.label(d),
                            "link": rel(here, doc_url(d["id"]))})
        return sorted(out, key=lambda f: (f["date"] or "", f["province"] or ""))

    def data_page(self) -> None:
        here = PAGES["data"]
        desc_bytes = (self.a.dp / "datapackage.json").read_bytes()
        zip_bytes = self.zip_path.read_bytes()
        resources = [{**r, "size": _size(r["bytes"]), "sha256": r["hash"].split(":", 1)[1]} for r in self.a.resources]
        self.write(here, "Tải dữ liệu", "data.html.j2", jsonld=dataset_jsonld(self.a, here), files=rel(here, DOWNLOADS), version=self.version,
                   n_docs=len(self.a.documents), resources=resources,
                   descriptor_size=_size(len(desc_bytes)), descriptor_sha=hashlib.sha256(desc_bytes).hexdigest(),
                   zip={"name": self.zip_path.name, "size": _size(len(zip_bytes)),
                        "sha256": hashlib.sha256(zip_bytes).hexdigest()},
                   sqlite={"name": self.sqlite_path.name, "size": _size(self.sqlite_path.stat().st_size),
                           "sha256": hashlib.sha256(self.sqlite_path.read_bytes()).hexdigest()},
                   assets=rel(here, "assets/"),
                   citation=(f"chidao contributors. chidao — Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh "
                             f"(Vietnam's provincial COVID-19 directives), data package version {self.version}. "
                             "CC0-1.0."))

    def method(self) -> None:
        here = PAGES["method"]
        acc = json.loads((self.docs_src / "accuracy.json").read_text("utf-8"))
        rejections = self.a.table("rejections") if (self.a.dp / "data" / "rejections.csv").exists() else []
        self.write(here, "Phương pháp", "method.html.j2", accuracy=acc, rejections=rejections,
                   measures=[{**m, "link": rel(here, measure_url(m["code"]))} for m in self.a.taxonomy])

    def search(self) -> None:
        here = PAGES["search"]
        self.write(here, "Tìm kiếm", "search.html.j2", pagefind=rel(here, "pagefind/"),
                   assets=rel(here, "assets/"), catalogue=rel(here, PAGES["catalogue"]))


def write_pages(dp: Path, out: Path, docs_src: Path, downloads: Path, doc_pages: Path) -> None:
    """Markdown pages into ``out``; document pages (HTML bodies) into ``doc_pages``; the files
    to download into ``downloads`` (served at du-lieu/files/)."""
    SiteWriter(Archive(dp), out, docs_src, downloads, doc_pages).run()
