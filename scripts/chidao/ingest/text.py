"""Windows-1258 decoding. UTF-8/UTF-16/TCVN3/VNI are handled by the project's own text decoder."""

import re
import unicodedata

from .quality import text_quality

# Letters only Vietnamese uses (after NFC): a decoded text without any of them is not Vietnamese.
_VIET = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
MIN_QUALITY = 0.8


def decode_cp1258(data: bytes) -> str | None:
    """The text if ``data`` is Vietnamese in Windows-1258, else None.

    cp1258 writes tones as combining marks after the base letter, so the decoded text is NFC-normalized.
    """
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    if len(_VIET.findall(text)) < 3 or text_quality(text) < MIN_QUALITY:
        return None
    return text
