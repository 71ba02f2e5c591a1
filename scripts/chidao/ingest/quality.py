"""How much of a text is made of valid Vietnamese syllables: a cheap detector of garbage PDF text layers.

A text layer produced with a legacy font encoding (TCVN3/VNI rendered through a Unicode cmap), a broken ToUnicode
map or an earlier bad OCR gives tokens like "Tá»‰nh", "HUY~N", "S6": they fail the syllable pattern below.
"""

import re
import unicodedata

# Combining tone marks (grave, acute, tilde, hook above, dot below); at most one per syllable.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"  # onset
    r"[aăâeêioôơuưy]{1,3}"  # vowel nucleus (with glides)
    r"(ch|nh|ng|[cmnpt])?"  # coda
)
# Loan words and names common in the corpus that are not Vietnamese syllables but are not garbage either.
_KNOWN = {"covid", "sars", "cov", "ncov", "vaccine", "test", "online", "email", "website", "zalo", "karaoke", "massage"}
_SPLIT = re.compile(r"[\s/\-–—.,;:()\[\]{}“”\"'‘’!?…*+=%&<>|_#@$]+")


def is_syllable(word: str) -> bool:
    """True if ``word`` (one token, any case, NFC or not) is a well-formed Vietnamese syllable."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in _TONES)
    if tones > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return _SYLLABLE.fullmatch(base) is not None


def _is_abbreviation(token: str) -> bool:
    # UBND, CV, TU, MTTQ, BCĐ ...: all-capital letters, no digits. Mojibake tokens contain symbols or digits.
    return len(token) >= 2 and token.isalpha() and token.isupper()


def syllable_score(text: str) -> tuple[int, int]:
    """(valid, counted) tokens; digits, single letters and capital abbreviations are not counted."""
    valid = counted = 0
    for token in _SPLIT.split(text):
        if not token or token.isdigit() or len(token) == 1:
            continue
        if token.lower() in _KNOWN or is_syllable(token):
            valid += 1
            counted += 1
        elif _is_abbreviation(token):
            continue
        else:
            counted += 1
    return valid, counted


def text_quality(text: str) -> float:
    """Share (0-1) of counted tokens that are valid Vietnamese syllables; 0.0 when nothing can be counted.

    A layer whose diacritics were lost ("Tinh uy Lai Chau") is made of valid-looking syllables, but about 70 % of
    real Vietnamese syllables carry a mark or a special letter: when fewer than 20 % do, the score is scaled down.
    """
    valid, counted = syllable_score(text)
    if not counted:
        return 0.0
    score = valid / counted
    if counted >= 10:
        marked = sum(1 for token in _SPLIT.split(text) if any(ch.isalpha() and not ch.isascii() for ch in token))
        share = marked / counted
        if share < 0.2:
            score *= share / 0.2
    return score
