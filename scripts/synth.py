"""Synthetic corpora for the benchmark: directives made by recombining the structure and the
vocabulary of the archive's real sources (the seeds in datapackage/sources/), for all 63
provinces, both formats (Party and state), varied types, dates 2020-2022, with cross-references
among them. Deterministic for a given N and seed. Never written into the repository."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPPER = str.upper

PARTY_TYPES = [("CV", "Công văn"), ("CĐ", "Công điện"), ("TB", "Thông báo"), ("KL", "Kết luận"), ("CT", "Chỉ thị")]
STATE_TYPES = [(None, "Công văn"), ("CĐ", "Công điện"), ("TB", "Thông báo"), ("CT", "Chỉ thị"), ("KH", "Kế hoạch"),
               ("QĐ", "Quyết định")]
URGENCY = [None, None, None, "KHẨN", "HỎA TỐC", "THƯỢNG KHẨN"]
SUBJECTS = ["tăng cường công tác phòng, chống dịch Covid-19", "thực hiện giãn cách xã hội theo Chỉ thị 16/CT-TTg",
            "chấn chỉnh hoạt động của Tổ Covid cộng đồng", "triển khai tiêm vắc xin phòng Covid-19",
            "áp dụng cấp độ dịch theo Nghị quyết 128/NQ-CP", "hỗ trợ người lao động gặp khó khăn do đại dịch",
            "kiểm soát người về từ vùng dịch", "tổ chức xét nghiệm sàng lọc trên diện rộng"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Lan", "Long", "Nam", "Phúc", "Sơn", "Tâm", "Thảo", "Tuấn"]
FIGURES = ["Đến nay, toàn tỉnh đã ghi nhận trên {a}.{b:03d} F0, trong đó có hơn {c} F0 cộng đồng.",
           "Từ ngày {d}/{m} đến nay cả nước ghi nhận {a}{b:03d} ca bệnh; trên địa bàn tỉnh có {c} ca mắc.",
           "Trên địa bàn tỉnh đã xuất hiện {c} ổ dịch ở các huyện: {p1} ({e}), {p2} ({f})."]


def _seed_parts() -> dict:
    """Numbered items, preamble paragraphs, recipients and distribution lines of the seeds."""
    items, preambles, recipients, distribution = [], [], [], []
    for path in sorted((ROOT / "datapackage" / "sources").glob("*.txt")):
        text = path.read_text("utf-8")
        body = text.split("Nơi nhận:")[0]
        for m in re.finditer(r"(?ms)^\d\. (.+?)(?=^\d\. |\Z)", body):
            items.append(m.group(1).strip())
        for para in body.split("\n\n"):
            para = para.strip()
            if len(para) > 200 and not re.match(r"^\d\.", para) and "Kính gửi" not in para:
                preambles.append(para)
        recipients += [ln.strip(" -,.;*") for ln in re.findall(r"(?m)^\s*- (.+)$", body)[:6]]
        distribution += [ln.strip() for ln in re.findall(r"(?m)^- (.+)$", text.split("Nơi nhận:")[-1])]
    return {"items": items, "preambles": preambles, "recipients": sorted(set(recipients)),
            "distribution": sorted(set(distribution))}


def _provinces() -> list[dict]:
    with (ROOT / "scripts" / "chidao" / "vocab" / "provinces.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def generate(n: int, out: Path, seed: int = 2021) -> list[Path]:
    rnd = random.Random(seed)
    parts, provinces = _seed_parts(), _provinces()
    out.mkdir(parents=True, exist_ok=True)
    issued: list[tuple[str, str, str, str]] = []  # (symbol, date, issuer, doc type) for cross-references
    counters: dict[tuple[str, str], int] = {}
    paths = []
    for k in range(n):
        p = provinces[k % 63] if k < 63 else rnd.choice(provinces)
        party = rnd.random() < 0.5
        code, dtype = rnd.choice(PARTY_TYPES if party else STATE_TYPES)
        y, mo, d = rnd.choice([2020, 2021, 2021, 2022]), rnd.randint(1, 12), rnd.randint(1, 28)
        counters[(p["code_2021"], str(y))] = num = counters.get((p["code_2021"], str(y)), 0) + rnd.randint(1, 9)
        city = p["unit_type_2021"] == "thanh_pho_tw"
        committee = "THÀNH ỦY" if city else "TỈNH ỦY"
        place = rnd.choice([p["name_2021"], p["tinh_ly_2021"] or p["name_2021"]])
        if party:
            symbol = f"{num}-{code}/TU"
            issuer = f"{committee} {UPPER(p['name_2021'])}"
            head = [issuer, "*", f"Số {symbol}", "ĐẢNG CỘNG SẢN VIỆT NAM"]
            issuer_name = f"{'Thành ủy' if city else 'Tỉnh ủy'} {p['name_2021']}"
        else:
            symbol = f"{num}/UBND-VX" if code is None else f"{num}/{code}-UBND"
            head = ["ỦY BAN NHÂN DÂN", f"{'THÀNH PHỐ' if city else 'TỈNH'} {UPPER(p['name_2021'])}",
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", f"Số: {symbol}"]
            issuer_name = f"Ủy ban nhân dân {'thành phố' if city else 'tỉnh'} {p['name_2021']}"
        head.append(f"{place}, ngày {d:02d} tháng {mo:02d} năm {y}")
        subject = rnd.choice(SUBJECTS)
        if dtype == "Công văn":
            head.append(f"V/v {subject}")
        else:
            head += [UPPER(dtype), f"Về việc {subject}"]
        urgency = rnd.choice(URGENCY)
        if urgency:
            head.append(urgency)
        recips = rnd.sample(parts["recipients"], k=min(len(parts["recipients"]), rnd.randint(2, 5)))
        head += ["", "Kính gửi:"] + [f"- {r}," for r in recips[:-1]] + [f"- {recips[-1]}."]
        body = [rnd.choice(parts["preambles"])]
        fig = rnd.choice(FIGURES).format(a=rnd.randint(1, 9), b=rnd.randint(0, 999), c=rnd.randint(2, 400),
                                         d=rnd.randint(1, 28), m=rnd.randint(1, 12), e=rnd.randint(1, 30),
                                         f=rnd.randint(1, 30), p1="Sông Lô", p2="Yên Lạc")
        body.append(fig)
        if issued and rnd.random() < 0.7:
            ref = rnd.choice(issued)
            body.append(f"Thực hiện {ref[3]} số {ref[0]} ngày {ref[1]} của {ref[2]}, "
                        f"{'Thường trực Tỉnh ủy' if party else 'Chủ tịch UBND tỉnh'} yêu cầu:")
        else:
            body.append(f"{'Thường trực Tỉnh ủy' if party else 'Chủ tịch UBND tỉnh'} yêu cầu các cơ quan thực hiện:")
        for i, item in enumerate(rnd.sample(parts["items"], k=rnd.randint(3, min(8, len(parts["items"])))), 1):
            body.append(f"{i}. {item}")
        dist = rnd.sample(parts["distribution"], k=min(len(parts["distribution"]), 3))
        name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        sign = (["T/M BAN THƯỜNG VỤ", rnd.choice(["BÍ THƯ", "PHÓ BÍ THƯ"])] if party else
                ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"])
        text = "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n\nNơi nhận:\n" + "\n".join(
            f"- {x}" for x in dist) + "\n\n" + "\n".join(sign) + f"\n\n{name}\n"
        path = out / f"{k:05d}_{p['code_2021']}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        issued.append((symbol, f"{d:02d}/{mo:02d}/{y}", issuer_name, dtype))
    return paths
