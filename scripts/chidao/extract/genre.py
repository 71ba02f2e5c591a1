"""Texts that look like documents of the archive but are not directives: minutes of a
meeting (biên bản), forms (tờ khai, phiếu), newspaper pages. A "Thông báo kết luận" or a
"Báo cáo" issued by a committee is a document of the archive and is not refused here."""

from __future__ import annotations

import re

from ..vntext import fold

_MINUTES_OPENING = re.compile(r"hom nay,?\s*(?:vao\s*)?(?:luc|ngay)\b.{0,300}?(?:chung toi gom|gom co|thanh phan)",
                              re.DOTALL)
_FORM_TITLE = re.compile(r"^\s*(?:to khai|phieu (?:khai|dieu tra|dang ky)|mau so|don de nghi)\b")
_BLANK_RUN = re.compile(r"[.…_]{5,}")
_PRESS = re.compile(r"^\s*(?:tong bien tap|toa soan|(?:thu (?:hai|ba|tu|nam|sau|bay)|chu nhat),?\s*ngay \d)")
_TYPES_OF_THE_ARCHIVE = {"Công văn", "Công điện", "Thông báo", "Chỉ thị", "Nghị quyết", "Quyết định", "Kế hoạch",
                         "Báo cáo", "Kết luận", "Hướng dẫn", "Phương án", "Chương trình"}


def not_a_directive(record: dict) -> str | None:
    """What the text is instead, when it is plainly not a directive; else None."""
    lines = [fold(x) for x in record["text"].split("\n") if x.strip()]
    head = lines[:25]
    if record["doc_type"] == "Biên bản" or (
            record["doc_type"] not in _TYPES_OF_THE_ARCHIVE and _MINUTES_OPENING.search("\n".join(lines[:40]))):
        return "minutes of a meeting (biên bản), not a directive"
    blanks = sum(bool(_BLANK_RUN.search(x)) for x in lines)
    if any(_FORM_TITLE.match(x) for x in head) and blanks >= 3 or (lines and blanks >= max(6, len(lines) // 2)):
        return "a form to fill in (tờ khai, phiếu), not a directive"
    if not record["symbol"] and sum(bool(_PRESS.match(x)) for x in head):
        return "a newspaper page, not a directive"
    return None
