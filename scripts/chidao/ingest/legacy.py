"""Vietnamese text in legacy encodings and mis-decoded UTF-8: detect, and convert only
when the detection is confident.

* TCVN3 (ABC, ".VnTime" fonts): one byte per Vietnamese letter, in Latin-1 code points
  ("Uû ban nh©n d©n" = "Uỷ ban nhân dân").
* VNI (VNI-Times): a base letter followed by a mark byte ("Uûy ban nhaân daân").
* Mojibake: UTF-8 bytes read as Windows-1252/1258 or Latin-1 ("Tá»‰nh á»§y" = "Tỉnh ủy").
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 (ABC) code point -> Unicode letter. The font family stores capitals as lower-case
# codes (".VnTimeH"), so a converted header may read in lower case.
_TCVN3 = dict(zip(
    "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦",
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ", strict=True))
# Code points that TCVN3 uses and Vietnamese Unicode text never does: their presence is the clue.
_TCVN3_MARKERS = set("µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßäåæçëîïñö÷øûüþ\xad¡¢§£¤¥¦") - set(
    "ÇÊÈÉÌÐÎÒÕÓÔÝ")  # keep only those that are not Vietnamese capitals either

_TCVN3_RE = re.compile("[" + re.escape("".join(sorted(_TCVN3_MARKERS))) + "]")

_TONES = {"ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
          "Ø": "\u0300", "Ù": "\u0301", "Û": "\u0309", "Õ": "\u0303", "Ï": "\u0323"}
_CIRC_TONES = {"â": "", "à": "\u0300", "á": "\u0301", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE_TONES = {"ê": "", "è": "\u0300", "é": "\u0301", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}


def _vni_table() -> dict[str, str]:
    nfc = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731
    t: dict[str, str] = {}
    for base in "aeouyAEOUY":  # the mark's case need not follow the letter's ("Uûy", "UÛY")
        for mark, tone in _TONES.items():
            t[base + mark] = nfc(base + tone)
    for base in "aeoAEO":
        for mark, tone in _CIRC_TONES.items():
            for m in (mark, mark.upper()):
                t[base + m] = nfc(base + "\u0302" + tone)
    for base in "aA":
        for mark, tone in _BREVE_TONES.items():
            for m in (mark, mark.upper()):
                t[base + m] = nfc(base + "\u0306" + tone)
    for vni, uni in (("ô", "ơ"), ("ö", "ư"), ("Ô", "Ơ"), ("Ö", "Ư")):
        t[vni] = uni
        for mark, tone in _TONES.items():
            t[vni + mark] = nfc(uni + tone)
    t.update({"ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "Ì": "Ì", "Í": "Í", "Æ": "Ỉ", "Ó": "Ĩ",
              "Ò": "Ị", "î": "ỵ", "Î": "Ỵ", "ñ": "đ", "Ñ": "Đ"})
    return t


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI, key=len, reverse=True)))
# Letter pairs that VNI writes and Vietnamese Unicode never does.
_VNI_MARKERS = re.compile(r"[aeoAEO][âÂ]|[aA][êÊ]|[aeouyAEOUY][øûïØÛÏ]|[a-zA-Z][ñæö]|[ñÑ][a-zA-Z]")
_MOJIBAKE = re.compile(r"[ÃÂÄÆá][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|á»|áº|Æ°|Æ¡|Ä‘|Ä\u0090")
# Words of any Vietnamese directive; a conversion must make them appear.
_COMMON = re.compile(r"(?<!\w)(của|và|các|phòng|chống|dịch|tỉnh|thực hiện|ủy|ban|nhân dân|được|trên|theo)(?!\w)",
                     re.IGNORECASE)


class LegacyText(ValueError):
    """Text that looks legacy-encoded but cannot be converted with confidence."""


def _common_words(text: str) -> int:
    return len(_COMMON.findall(unicodedata.normalize("NFC", text)))


_LETTER = re.compile(r"[^\W\d_]")


def _letters(text: str) -> int:
    return len(_LETTER.findall(text)) or 1


# Characters that Vietnamese Unicode text never uses and every TCVN3, VNI or mojibake text
# does: a text without any of them is plain Unicode, and needs no closer look.
_SUSPECT = re.compile("[" + re.escape("".join(sorted(_TCVN3_MARKERS | set("øûïØÛÏñæöÑÆÖÃÄ"))))
                      + "\u0080-\u009f]")


def detect(text: str) -> str | None:
    """'mojibake', 'legacy' (TCVN3 or VNI) or None, from the text's tell-tale characters."""
    if not _SUSPECT.search(text):
        return None
    if len(_MOJIBAKE.findall(text)) >= 3:
        return "mojibake"
    clues = max(len(_TCVN3_RE.findall(text)), len(_VNI_MARKERS.findall(text)))
    return "legacy" if clues >= 3 and clues >= 0.005 * _letters(text) else None


def _unmojibake(text: str) -> str:
    for codec in ("cp1252", "cp1258", "latin-1"):
        try:
            raw = bytes(_byte(c, codec) for c in text)
            return raw.decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError, ValueError):
            continue
    raise LegacyText("looks like UTF-8 read as Windows-1252/1258 (e.g. 'á»'), but re-reading it as UTF-8 failed")


def _byte(ch: str, codec: str) -> int:
    try:
        return ch.encode(codec)[0]
    except UnicodeEncodeError:
        if ord(ch) < 256:
            return ord(ch)
        raise


def _candidates(text: str, kind: str) -> list[tuple[str, str]]:
    if kind == "mojibake":
        return [(_unmojibake(text), "UTF-8 text that had been read as Windows-1252")]
    return [("".join(_TCVN3.get(c, c) for c in text), "TCVN3 (ABC)"),
            (_VNI_RE.sub(lambda m: _VNI[m.group(0)], text), "VNI")]


def convert(text: str) -> tuple[str, str | None]:
    """(text, note): the text converted to Unicode when a legacy encoding is detected with
    confidence; raises LegacyText when it is detected but no conversion is convincing."""
    kind = detect(text)
    if kind is None:
        return text, None
    before = _common_words(text)
    # TCVN3 and VNI share many code points: the right table is the one that yields Vietnamese.
    fixed, label = max(_candidates(text, kind), key=lambda c: _common_words(c[0]))
    after = _common_words(fixed)
    if after <= before and before >= 5:
        # Already Unicode Vietnamese with stray characters (OCR noise): converting would harm it.
        return text, None
    if after < 3 or after <= before:
        raise LegacyText(f"looks like {label} but the conversion does not yield Vietnamese text "
                         f"({after} common words after, {before} before)")
    if detect(fixed) is not None:
        raise LegacyText(f"looks like {label} mixed with other encodings: converting it would corrupt it")
    return fixed, f"converted from {label}"
