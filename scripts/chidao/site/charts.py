"""Charts drawn at build time as inline SVG: they need no JavaScript and fetch nothing.

Every chart is bounded by the vocabulary (provinces, measures, months, weeks), never by the
number of documents: a heatmap draws all cells of one colour as one <path> of horizontal
strokes, so a cell costs a few bytes. Heatmaps carry their values in data- attributes, from
which docs/static/catalogue.js shows a cell's value on hover and opens its list on click."""

from __future__ import annotations

import math
from collections.abc import Callable

from markupsafe import Markup, escape

KIND_COLOURS = {"party": "#c62828", "government": "#1565c0", "other": "#6a1b9a", None: "#757575"}
KIND_LABELS = {"party": "Đảng", "government": "Chính quyền", "other": "Khác", None: "Không rõ"}
NO_DATA = "#e4e4e4"  # a row with nothing to count (a province without documents), a week with no coded source
COUNT_BINS = 6


def heat_colour(count: int, top: int) -> str:
    """White for zero, deepening blue as more documents order the measure."""
    if count <= 0:
        return "#ffffff"
    t = 0.25 + 0.75 * count / max(top, 1)
    r, g, b = (int(255 - t * (255 - c)) for c in (21, 101, 192))
    return f"#{r:02x}{g:02x}{b:02x}"


# --- colour scales: value -> colour (None: nothing drawn), and their legends ---------------------

def count_scale(top: int, bins: int = COUNT_BINS) -> tuple[Callable, list[tuple[str, str]]]:
    """Counts in ``bins`` logarithmic steps up to ``top``: (colour_of, legend [(colour, label)])."""
    top = max(top, 1)
    bounds = sorted({max(1, math.ceil((top + 1) ** (k / bins) - 1)) for k in range(bins)} | {1})
    colours = [heat_colour(k + 1, len(bounds)) for k in range(len(bounds))]

    def colour_of(v):
        if not v:
            return None
        k = max(i for i, b in enumerate(bounds) if v >= b)
        return colours[k]

    highs = [b - 1 for b in bounds[1:]] + [top]
    legend = [(c, f"{lo}–{hi}" if hi > lo else f"{lo}") for lo, hi, c in zip(bounds, highs, colours, strict=True)]
    return colour_of, legend


def index_colour(v: float | None) -> str:
    """The stringency index (0–100) in steps of 10; grey: no coded source (not zero)."""
    if v is None:
        return NO_DATA
    return heat_colour(min(int(v // 10), 9) * 10 + 6, 101)


INDEX_LEGEND = [(index_colour(v), f"{v}") for v in (0, 20, 40, 60, 80, 100)] + [(NO_DATA, "không có nguồn")]


# --- heatmaps ------------------------------------------------------------------------------------

def _runs(grid: list[list], colour_of: Callable) -> dict[str, list[tuple[int, int, int]]]:
    """colour -> (row, first column, length) of each run of cells of that colour."""
    runs: dict[str, list[tuple[int, int, int]]] = {}
    for r, row in enumerate(grid):
        c = 0
        while c < len(row):
            colour = colour_of(row[c])
            start = c
            while c + 1 < len(row) and colour_of(row[c + 1]) == colour:
                c += 1
            if colour:
                runs.setdefault(colour, []).append((r, start, c - start + 1))
            c += 1
    return runs


def _path(runs: list[tuple[int, int, int]]) -> str:
    """Horizontal strokes, one per run: absolute at a row's first run, relative after it."""
    out, row, end = [], None, 0
    for r, start, length in runs:
        out.append(f"m{start - end} 0h{length}" if r == row else f"M{start} {r}h{length}")
        row, end = r, start + length
    return "".join(out)


def _fmt(v) -> str:
    return "" if v is None else f"{v:.0f}" if isinstance(v, float) else str(v)


def _values(row: list) -> str:
    """A row's values for the hover, comma-separated, a run of one value as "value*count"."""
    out, k = [], 0
    while k < len(row):
        n = 1
        while k + n < len(row) and _fmt(row[k + n]) == _fmt(row[k]):
            n += 1
        out.append(_fmt(row[k]) + (f"*{n}" if n > 1 else ""))
        k += n
    return ",".join(out)


def heatmap(rows: list[tuple[str, str | None, bool]], cols: list[str], grid: list[list], colour_of: Callable, *,
            label: str, col_labels: list[tuple[int, str, str | None]], rotate: bool = False,
            label_width: int = 130, cell_w: int = 12, row_h: int = 14, head: int = 24,
            drill: tuple[str, list[str], list[str]] | None = None, unit: str = "") -> Markup:
    """A table of values as colours. ``rows``: (label, link or None, has data: else drawn grey);
    ``cols``: each column's name (for the hover); ``grid[r][c]``: the value (None or 0: blank;
    the hover reads the values from data-v, the row names from the labels);
    ``col_labels``: (column, text, link or None) drawn above; ``drill``: (address template with
    {r} and {c}, row keys, column keys) that a click on a cell opens."""
    n_rows, n_cols = len(rows), len(cols)
    width, height = label_width + cell_w * n_cols + 10, head + row_h * n_rows + 4
    attrs = {"data-cols": "|".join(cols), "data-unit": unit, "data-v": ";".join(_values(row) for row in grid),
             "data-geom": f"{label_width} {head} {cell_w} {row_h}"}
    if drill:
        attrs.update({"data-open": drill[0], "data-rk": " ".join(drill[1]), "data-ck": " ".join(drill[2])})
    parts = [f'<svg class="cd-chart cd-heat" viewBox="0 0 {width} {height}" style="max-width:{width}px" role="img" '
             f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg"'
             + "".join(f' {k}="{escape(v)}"' for k, v in attrs.items()) + ">"]
    parts.append('<g class="cd-label" text-anchor="end">')
    for r, (text, link, _) in enumerate(rows):
        t = f'<text x="{label_width - 5}" y="{head + r * row_h + row_h * 0.75:.0f}">{escape(text)}</text>'
        parts.append(f'<a href="{escape(link)}">{t}</a>' if link else t)
    parts.append("</g>")
    parts.append(_col_labels(col_labels, label_width, cell_w, head, rotate))
    stroke = f"{(row_h - 2) / row_h:.2f}"
    parts.append(f'<g transform="translate({label_width} {head + row_h / 2:g}) scale({cell_w} {row_h})" '
                 f'fill="none" stroke-width="{stroke}">')
    blank = [(r, 0, n_cols) for r, row in enumerate(rows) if not row[2]]
    if blank:
        parts.append(f'<path stroke="{NO_DATA}" d="{_path(blank)}"/>')
    for colour, runs in sorted(_runs(grid, colour_of).items()):
        parts.append(f'<path stroke="{colour}" d="{_path(runs)}"/>')
    if rotate:  # categorical columns: a thin white line between cells
        parts.append('<path stroke="#fff" stroke-width=".1" d="'
                     + "".join(f"M{c} -.5v{n_rows}" for c in range(1, n_cols)) + '"/>')
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _col_labels(labels: list[tuple[int, str, str | None]], x0: int, cell_w: int, head: int, rotate: bool) -> str:
    out = ['<g class="cd-axis">']
    for c, text, link in labels:
        x = x0 + c * cell_w + (cell_w / 2 + 3 if rotate else 1)
        y = head - 4
        t = (f'<text transform="translate({x:.0f} {y}) rotate(-60)">{escape(text)}</text>' if rotate
             else f'<text x="{x:.0f}" y="{y}">{escape(text)}</text>')
        out.append(f'<a href="{escape(link)}">{t}</a>' if link else t)
    out.append("</g>")
    return "".join(out)


def month_labels(months: list[str]) -> list[tuple[int, str, str | None]]:
    """A label at each year's first month shown (and at the first column)."""
    return [(k, m[:4] if k == 0 or m[5:7] == "01" else "", None) for k, m in enumerate(months)
            if k == 0 or m[5:7] == "01"]


def month_span(isos: list[str]) -> list[str]:
    """Every month ("YYYY-MM") of the whole calendar years that hold ``isos``."""
    years = sorted({i[:4] for i in isos if i}) or ["2021"]
    return [f"{y}-{m:02d}" for y in range(int(years[0]), int(years[-1]) + 1) for m in range(1, 13)]


# --- bars ----------------------------------------------------------------------------------------

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


def month_bars(months: list[str], counts: dict[str, int], label: str, link: Callable[[str], str | None] | None = None,
               height: int = 110) -> Markup:
    """Documents per month, one bar per month (a link to its list when ``link`` gives one)."""
    width, left, top, bottom = 760, 30, 8, 18
    bar_w = (width - left - 10) / max(len(months), 1)
    peak = max(counts.values(), default=0) or 1
    plot_h = height - top - bottom
    parts = [f'<svg class="cd-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="cd-axis">{peak}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" class="cd-grid"/>']
    for k, m in enumerate(months):
        x = left + k * bar_w
        if m[5:7] == "01" or k == 0:
            parts.append(f'<text x="{x + 1:.0f}" y="{height - 5}" class="cd-axis">{m[:4]}</text>')
        n = counts.get(m, 0)
        if not n:
            continue
        h = max(1.0, plot_h * n / peak)
        bar = (f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
               f'class="cd-bar"><title>{m}: {n}</title></rect>')
        href = link(m) if link else None
        parts.append(f'<a href="{escape(href)}">{bar}</a>' if href else bar)
    parts.append("</svg>")
    return Markup("".join(parts))


# --- one province's weekly stringency ------------------------------------------------------------

def stringency_strip(cells: list[dict], weeks: list[str], label: str, label_width: int = 110) -> Markup:
    """One province's weekly stringency index: weeks in a row with the same value and the same
    source are one rect, with a short tooltip (the weeks, the value, the indicators) and a link
    to the item of the document that set it. ``cells``: {"week", "value", "tip", "link"}."""
    cell_w = max(3.0, min(14.0, 620 / max(len(weeks), 1)))
    row_h, top = 16, 22
    width = label_width + cell_w * len(weeks) + 10
    height = top + row_h + 6
    at = {w: k for k, w in enumerate(weeks)}
    parts = [f'<svg class="cd-chart" viewBox="0 0 {width:.0f} {height}" style="max-width:{width:.0f}px" role="img" '
             f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">']
    last = -100.0
    for k, w in enumerate(weeks):
        x = label_width + k * cell_w
        if (k == 0 or w[5:7] != weeks[k - 1][5:7] and w[5:7] in ("01", "07")) and x - last > 45:
            parts.append(f'<text x="{x:.1f}" y="{top - 8}" class="cd-axis">{w[:7]}</text>')
            last = x
    for run in _week_runs(sorted(cells, key=lambda c: c["week"]), at):
        x = label_width + at[run[0]["week"]] * cell_w
        w = cell_w * (at[run[-1]["week"]] - at[run[0]["week"]] + 1) - 0.5
        first = run[0]
        span = first["week"] if len(run) == 1 else f"{first['week']} – {run[-1]['week']}"
        rect = (f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{row_h - 2}" fill="{index_colour(first["value"])}">'
                f'<title>{escape(span)}: {escape(first["tip"])}</title></rect>')
        parts.append(f'<a href="{escape(first["link"])}">{rect}</a>' if first.get("link") else rect)
    parts.append("</svg>")
    return Markup("".join(parts))


def _week_runs(cells: list[dict], at: dict[str, int]) -> list[list[dict]]:
    runs: list[list[dict]] = []
    for c in cells:
        prev = runs[-1][-1] if runs else None
        if (prev and at[c["week"]] == at[prev["week"]] + 1 and c["value"] == prev["value"]
                and c.get("link") == prev.get("link") and c["tip"] == prev["tip"]):
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


__all__ = ["bars", "month_bars", "heatmap", "heat_colour", "count_scale", "index_colour", "stringency_strip",
           "month_labels", "month_span", "INDEX_LEGEND", "KIND_COLOURS", "KIND_LABELS"]
