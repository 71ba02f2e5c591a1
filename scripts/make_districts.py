"""Generate scripts/chidao/vocab/districts_2021.csv, the gazetteer of district-level units
(huyện, thị xã, thành phố thuộc tỉnh, quận) of the 63 provinces of 2020–2022.

Run once, by hand, when the gazetteer is to be regenerated; chidao never imports the source
package at run time:

    pip install --target /tmp/vau vietnamadminunits==1.0.4
    PYTHONPATH=/tmp/vau python scripts/make_districts.py

Source: ``vietnamadminunits`` 1.0.4 (MIT), its legacy (63-province) parser table
``data/parser_legacy.json`` / ``DICT_PROVINCE_DISTRICT``. That table is the state just before
1 July 2025, so units merged between 2021 and 2025 survive only as keywords of the unit that
absorbed them ("huyenyendung" under Thành phố Bắc Giang): those are kept in ``former_names``
(folded, as the source has them), so that a 2021 header naming them still finds its province.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent / "chidao" / "vocab" / "districts_2021.csv"
PROVINCES = OUT.parent / "provinces.csv"
TYPES = {"huyện": "huyen", "thị xã": "thi_xa", "thành phố": "thanh_pho", "quận": "quan"}
# Folded prefixes of the source's keywords that name a unit of a given type.
PREFIXES = (("thanhpho", "thanh_pho"), ("thixa", "thi_xa"), ("huyen", "huyen"), ("quan", "quan"))
# 2021 units the source no longer lists (it is a 2025 state): name, type, GSO code, province.
EXTRA = [
    # Thành phố Huế was a city of Thừa Thiên Huế until its split into quận Phú Xuân and
    # Thuận Hóa (NQ 1314/NQ-UBTVQH15, in force 1 January 2025)
    {"province_code": "46", "district_code": "474", "district_name": "Huế", "unit_type": "thanh_pho",
     "full_name": "Thành phố Huế", "former_names": ""},
]


# Former names the source's keywords carry only in a form _former cannot read: quận 2 and 9
# of Hồ Chí Minh City, merged into Thành phố Thủ Đức on 1 January 2021 (NQ 1111/NQ-UBTVQH14).
FORMER = {"769": ["2", "9"]}


def _source() -> dict:
    # find the package without importing it (its __init__ pulls in shapely and geopy)
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("vietnamadminunits is not installed (see this script's docstring)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "parser_legacy.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


def _former(keywords: list[str], own: str) -> list[str]:
    """Other names of the unit: the source lists a unit it absorbed (or a spelling) both as
    type + name ("huyenyendung") and as the name alone ("yendung"); "quanghoa" (Quảng Hòa) is
    not "quận" + "ghoa", since "ghoa" is not listed alone."""
    alone = set(keywords)
    out = []
    for k in keywords:
        for prefix, _ in PREFIXES:
            rest = k[len(prefix):]
            if k.startswith(prefix) and rest in alone and rest != own:
                out.append(rest)
                break
    return sorted(set(out))


def rows() -> list[dict]:
    data = _source()
    codes_2021 = {r["code_2021"] for r in csv.DictReader(PROVINCES.open(encoding="utf-8"))}
    out = []
    for pkey, districts in data["DICT_PROVINCE_DISTRICT"].items():
        pcode = data["DICT_PROVINCE"][pkey]["provinceCode"]
        assert pcode in codes_2021, pcode
        for d in districts.values():
            kind = d["districtType"].capitalize()
            # "Quận 1": the numbered quận of Hồ Chí Minh City carry the type in their short name
            name = re.sub(r"^" + kind + r"\s+", "", d["districtShort"], flags=re.IGNORECASE)
            own = _fold(name)
            out.append({"province_code": pcode, "district_code": d["districtCode"],
                        "district_name": name, "unit_type": TYPES[kind.lower()],
                        "full_name": f"{kind} {name}",
                        "former_names": "|".join(sorted({*_former(d["districtKeywords"], own),
                                                          *FORMER.get(d["districtCode"], [])}))})
    out += EXTRA
    return sorted(out, key=lambda r: (r["province_code"], r["district_code"]))


def main() -> None:
    fields = ["province_code", "district_code", "district_name", "unit_type", "full_name", "former_names"]
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
