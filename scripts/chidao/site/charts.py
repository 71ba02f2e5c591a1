"""Charts drawn at build time as inline SVG: they need no JavaScript and fetch nothing."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

KIND_COLOURS = {"party": "#c62828", "government": "#1565c0", "other": "#6a1b9a", None: "#757575"}
KIND_LABELS = {"party": "Đảng", "government": "Chính quyền", "other": "Khác", None: "Không rõ"}


def _month_index(iso: str) -> int:
    y, m = int(iso[:4]), int(iso[5:7]) if len(iso) >= 7 else 6
    return y * 12 + m - 1


def _span(isos: list[str]) -> tuple[int, int]:
    months = [_month_index(i) for i in isos] or [_month_index(date(2021, 1, 1).isoformat())]
    lo, hi = min(months), max(months)
    return (lo - lo % 12, hi - hi % 12 + 11)  # whole calendar years


def timeline(rows: list[tuple[str, str, list[dict]]], link, label_width: int = 150) -> Markup:
    """Directives over time, one row per (label, url, documents); one dot per document,
    coloured by issuer kind, each a link with a tooltip."""
    dated = [d["date_issued"] for _, _, docs in rows for d in docs if d["date_issued"]]
    lo, hi = _span(dated)
    months = hi - lo + 1
    width, row_h, top = 760, 18, 24
    plot_w = width - label_width - 10
    x = lambda iso: label_width + (_month_index(iso) - lo + 0.5) * plot_w / months  # noqa: E731
    height = top + row_h * len(rows) + 10
    parts = [f'<svg class="cd-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Dòng thời gian văn bản / timeline of directives" xmlns="http://www.w3.org/2000/svg">']
    for k in range(0, months, 12):
        year = (lo + k) // 12
        xx = label_width + k * plot_w / months
        parts.append(f'<line x1="{xx:.1f}" y1="{top - 6}" x2="{xx:.1f}" y2="{height - 6}" class="cd-grid"/>'
                     f'<text x="{xx + 3:.1f}" y="{top - 10}" class="cd-axis">{year}</text>')
    for r, (label, url, docs) in enumerate(rows):
        y = top + r * row_h + row_h / 2
        parts.append(f'<a href="{escape(url)}"><text x="{label_width - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'class="cd-label">{escape(label)}</text></a>')
        parts.append(f'<line x1="{label_width}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="cd-row"/>')
        for d in docs:
            if not d["date_issued"]:
                continue
            tip = f"{d['date_issued']} · {d['doc_type'] or ''} {d['symbol'] or ''} · {d['issuer'] or ''}"
            parts.append(f'<a href="{escape(link(d))}"><circle cx="{x(d["date_issued"]):.1f}" cy="{y:.1f}" r="5" '
                         f'fill="{KIND_COLOURS.get(d["issuer_kind"], "#757575")}" fill-opacity="0.8">'
                         f'<title>{escape(tip)}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(items: list[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars for a breakdown (label, count)."""
    if not items:
        return Markup("")
    width, row_h, label_w = 640, 22, 220
    top = max(v for _, v in items) or 1
    height = row_h * len(items) + 6
    parts = [f'<svg class="cd-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for k, (label, value) in enumerate(items):
        y = k * row_h + 3
        w = (width - label_w - 50) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="cd-label">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" class="cd-bar"/>'
                     f'<text x="{label_w + w + 5:.1f}" y="{y + 15}" class="cd-axis">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_colour(count: int, top: int) -> str:
    """White for zero, deepening blue as more documents order the measure."""
    if count <= 0:
        return "#ffffff"
    t = 0.25 + 0.75 * count / max(top, 1)
    r, g, b = (int(255 - t * (255 - c)) for c in (21, 101, 192))
    return f"#{r:02x}{g:02x}{b:02x}"


def stringency_heatmap(rows: list[tuple[str, str, list[dict]]], weeks: list[str], label_width: int = 130) -> Markup:
    """Weekly stringency, one row per (label, url, cells); a cell per week: {"week", "value"
    (0–100 or None: no coded source), "tip", "link"}. Bounded: 63 rows x ~150 weeks."""
    cell_w = max(3.0, min(14.0, 620 / max(len(weeks), 1)))
    row_h, top = 16, 22
    width = label_width + cell_w * len(weeks) + 10
    height = top + row_h * len(rows) + 6
    parts = [f'<svg class="cd-chart" viewBox="0 0 {width:.0f} {height}" style="max-width: {width:.0f}px" role="img" '
             f'aria-label="Chỉ số nghiêm ngặt theo tuần / weekly stringency index" xmlns="http://www.w3.org/2000/svg">']
    for k, w in enumerate(weeks):
        if k == 0 or w[5:7] != weeks[k - 1][5:7] and w[5:7] in ("01", "04", "07", "10"):
            xx = label_width + k * cell_w
            parts.append(f'<text x="{xx:.1f}" y="{top - 8}" class="cd-axis">{w[:7]}</text>')
    for r, (label, url, cells) in enumerate(rows):
        y = top + r * row_h
        parts.append(f'<a href="{escape(url)}"><text x="{label_width - 6}" y="{y + 12}" text-anchor="end" '
                     f'class="cd-label">{escape(label)}</text></a>')
        for c in cells:
            x = label_width + weeks.index(c["week"]) * cell_w
            fill = "#eeeeee" if c["value"] is None else heat_colour(int(round(c["value"])) + 1, 101)
            rect = (f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 0.5:.1f}" height="{row_h - 2}" fill="{fill}">'
                    f'<title>{escape(c["tip"])}</title></rect>')
            parts.append(f'<a href="{escape(c["link"])}">{rect}</a>' if c.get("link") else rect)
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["timeline", "bars", "heat_colour", "stringency_heatmap", "KIND_COLOURS", "KIND_LABELS"]
