"""Discoverability, drawn from the package: schema.org JSON-LD (a Dataset on the home and
downloads pages, a Legislation on each document page), Atom feeds (the whole archive and
one per province) and sitemap.xml. Absolute addresses use CHIDAO_SITE_URL when it is set
(CI sets it to the GitHub Pages address); otherwise links stay relative."""

from __future__ import annotations

import os
from pathlib import Path
from xml.etree import ElementTree as ET

from ..package.release import SQLITE_NAME
from .bundles import SITE_ONLY_RESOURCES, release_assets, sqlite_in_site
from .sitedata import Archive, doc_url, province_url

ATOM = "http://www.w3.org/2005/Atom"
LOCAL_URL = "http://127.0.0.1:8000/"  # what `chidao serve` serves, when no address is set


def site_url() -> str | None:
    url = os.environ.get("CHIDAO_SITE_URL", "").strip()
    return (url.rstrip("/") + "/") if url else None


def _abs(url: str, here: str) -> str:
    base = site_url()
    if base:
        return base + url
    depth = len([p for p in here.split("/") if p])
    return "../" * depth + url or "./"


def dataset_jsonld(a: Archive, here: str) -> dict:
    d = a.descriptor
    dates = [x["date_issued"] for x in a.documents if x["date_issued"]]
    files = "du-lieu/files/"
    dist = [{"@type": "DataDownload", "name": r["name"], "encodingFormat": r.get("mediatype", "text/csv"),
             "contentUrl": _abs(files + r["path"], here), "contentSize": str(r["bytes"]),
             "sha256": r["hash"].split(":", 1)[1]} for r in d["resources"] if r["path"].startswith(SITE_ONLY_RESOURCES)]
    dist.append({"@type": "DataDownload", "name": "datapackage.json", "encodingFormat": "application/json",
                 "contentUrl": _abs(files + "datapackage.json", here)})
    assets = release_assets(d["version"])
    if assets:  # the bundles are release assets (site.bundles); the site may serve a small SQLite too
        dist.append({"@type": "DataDownload", "name": "zip", "encodingFormat": "application/zip",
                     "contentUrl": assets["zip"]})
    sqlite = _abs(f"{files}{SQLITE_NAME}", here) if sqlite_in_site(d["resources"]) else assets and assets["sqlite"]
    if sqlite:
        dist.append({"@type": "DataDownload", "name": "sqlite", "encodingFormat": "application/vnd.sqlite3",
                     "contentUrl": sqlite})
    return {
        "@context": "https://schema.org", "@type": "Dataset", "name": d["title"], "alternateName": "chidao",
        "description": d["description"], "version": d["version"], "inLanguage": ["vi", "en"],
        "license": "https://creativecommons.org/publicdomain/zero/1.0/", "isAccessibleForFree": True,
        "keywords": d["keywords"], "creator": {"@type": "Organization", "name": "chidao contributors"},
        "temporalCoverage": f"{min(dates)}/{max(dates)}" if dates else None,
        "spatialCoverage": {"@type": "Place", "name": "Việt Nam",
                            "containsPlace": [{"@type": "AdministrativeArea", "name": p["name"]}
                                              for p in d["spatial_coverage"]["provinces"]]},
        "url": _abs("", here), "distribution": dist,
    }


def legislation_jsonld(d: dict, here: str, dataset_name: str) -> dict:
    org = "GovernmentOrganization" if d["issuer_kind"] == "government" else "Organization"
    out = {
        "@context": "https://schema.org", "@type": "Legislation",
        "name": f"{d['doc_type'] or 'Văn bản'} {d['symbol'] or ''}".strip() + (f" — {d['subject']}" if d["subject"] else ""),
        "identifier": d["id"], "legislationIdentifier": d["symbol"] or d["id"],
        "legislationDate": d["date_issued"], "legislationType": d["doc_type"], "inLanguage": "vi",
        "legislationPassedBy": {"@type": org, "name": d["issuer"]} if d["issuer"] else None,
        "legislationJurisdiction": {"@type": "AdministrativeArea", "name": d["province"]} if d["province"] else
        {"@type": "Country", "name": "Việt Nam"},
        "url": _abs(here, here),
        "isPartOf": {"@type": "Dataset", "name": dataset_name},
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
    }
    return {k: v for k, v in out.items() if v is not None}


def _atom_date(iso: str | None) -> str:
    iso = iso or "2020-01-01"
    parts = (iso + "-01-01")[:10] if len(iso) < 10 else iso
    return f"{parts}T00:00:00Z"


FEED_ENTRIES = 100  # a feed reader wants what is new, not the archive: the newest entries only


def atom_feed(a: Archive, docs: list[dict], here: str, title: str, feed_id: str) -> bytes:
    """The newest FEED_ENTRIES documents, newest first (by date of issue: the package records
    no date of addition)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ordered = sorted(docs, key=lambda d: (d["date_issued"] or "", d["id"]), reverse=True)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _atom_date(ordered[0]["date_issued"] if ordered else None)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=_abs(here + "feed.xml", here), rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=_abs(here, here), rel="alternate")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "chidao contributors"
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = "CC0-1.0"
    for d in ordered[:FEED_ENTRIES]:
        e = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(e, f"{{{ATOM}}}title").text = (
            f"{d['doc_type'] or 'Văn bản'} {d['symbol'] or '(không số)'} — {d['issuer'] or d['province'] or ''}")
        ET.SubElement(e, f"{{{ATOM}}}id").text = f"urn:chidao:document:{d['id']}"
        ET.SubElement(e, f"{{{ATOM}}}updated").text = _atom_date(d["date_issued"])
        ET.SubElement(e, f"{{{ATOM}}}link", href=_abs(doc_url(d["id"]), here), rel="alternate")
        if d["subject"]:
            ET.SubElement(e, f"{{{ATOM}}}summary").text = d["subject"]
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feeds_and_sitemap(a: Archive, site: Path) -> None:
    (site / "feed.xml").write_bytes(atom_feed(a, a.documents, "", "chidao — văn bản mới", "urn:chidao:feed:all"))
    for p in a.provinces:
        docs = a.docs_by_province.get(p["code_2021"], [])
        here = province_url(p["code_2021"], p["name_2021"])
        (site / here).mkdir(parents=True, exist_ok=True)
        (site / here / "feed.xml").write_bytes(
            atom_feed(a, docs, here, f"chidao — {p['full_name_2021']}", f"urn:chidao:feed:province:{p['code_2021']}"))
    base = site_url() or LOCAL_URL
    pages = sorted(str(h.parent.relative_to(site)).replace(".", "", 1) if h.parent == site else
                   h.parent.relative_to(site).as_posix() + "/" for h in site.rglob("index.html"))
    urlset = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for url in pages:
        ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = base + url
    (site / "sitemap.xml").write_bytes(ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n")
    gz = site / "sitemap.xml.gz"
    if gz.exists():
        gz.unlink()  # MkDocs' own copy, without addresses
