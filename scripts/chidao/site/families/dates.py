"""The date pages: each month's documents (van-ban/thang/2021-08/, paginated), and those
without a month of issue (van-ban/thang/khong-ngay/), each linking to the months beside it."""

from __future__ import annotations

from ..pages import PAGES, SiteContext
from ..sitedata import month_url
from . import _lists


def month_name(month: str | None) -> str:
    return f"tháng {int(month[5:7])}/{month[:4]}" if month else "không rõ ngày"


def write(ctx: SiteContext) -> None:
    by_month = ctx.a.docs_by_month
    months = sorted(m for m in by_month if m)
    for k, month in enumerate(months):
        prev, nxt = months[k - 1] if k else None, months[k + 1] if k + 1 < len(months) else None
        links = {**({"prev_list": month_url(prev)} if prev else {}), **({"next_list": month_url(nxt)} if nxt else {})}
        _lists.paginate_docs(ctx, month_url(month), by_month[month], f"Văn bản {month_name(month)}",
                             description=f"Văn bản chỉ đạo phòng, chống dịch COVID-19 ban hành {month_name(month)}",
                             trail=[("Danh mục văn bản", PAGES["catalogue"])], links=links,
                             prev_label=month_name(prev) if prev else "", next_label=month_name(nxt) if nxt else "",
                             intro=f"Mọi tỉnh, theo ngày ban hành. Documents of every province issued in {month}.")
    # always written, so that its address holds even while every document has a date
    _lists.paginate_docs(ctx, month_url(None), by_month.get(None, []), "Văn bản không rõ ngày ban hành",
                         trail=[("Danh mục văn bản", PAGES["catalogue"])],
                         intro="Văn bản không ghi ngày, hoặc chỉ ghi năm. Documents with no date of issue (or only a year).")
