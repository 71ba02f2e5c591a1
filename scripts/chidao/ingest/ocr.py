"""OCR of a page image with Tesseract's Vietnamese model, through pytesseract.

Route: pytesseract (a ``tesseract`` subprocess per call) rather than tesserocr (in-process, ~1.3 s/page faster on
this machine: 2.0 s vs 3.3 s for an A4 page at 300 dpi) because the subprocess can be killed on a timeout, a crash
in Leptonica/Tesseract on a hostile image cannot take the ingest process down, and it uses the Debian tesseract
and tessdata the project already depends on (the tesserocr wheel bundles its own tesseract 5.5).
"""

import io
import os
import re
import statistics
from dataclasses import dataclass, field

import numpy as np
import pytesseract
from PIL import Image

from .errors import SourceError

# One thread per tesseract process: files are OCR'd in parallel across processes, and OpenMP threads inside
# each process only fight for the same 2 cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

LANG = "vie"  # "vie+eng" lost an item number (7 of 8 kept) on the 003 fixture, at the same speed
# psm 6 (one uniform block) is the default: on a scan whose seal was NOT removed, psm 3 and 4 dropped the
# paragraph beside the seal (item "3." lost, 88 % of the characters kept) while psm 6 kept it (99 %). With the
# red removed all three keep every item; psm 4 misorders a 1.5° skewed page; psm 6 is also the fastest.
DEFAULT_PSM = 6
FALLBACK_PSM = 3  # full layout analysis, tried when the numbering of the psm 6 text has a gap
# Line pitch (median word top to median word top) over the page's median pitch that starts a new paragraph.
# Measured on the fixtures: 55-61 px within a paragraph, 73-77 px between paragraphs (300 dpi, 10.5 pt type).
PARAGRAPH_PITCH = 1.18
UNCERTAIN_CONF = 60  # words under this confidence are listed for review
MAX_UNCERTAIN = 50
ROTATE_BELOW_CONF = 70  # a page read under this mean confidence may be wrongly oriented: try all four
OSD_MIN_CONF = 2.0  # Tesseract's orientation confidence under which OSD's answer is ignored
TIMEOUT_S = 90  # per tesseract call; a page taking longer is pathological


@dataclass
class OcrResult:
    text: str
    confidence: float  # mean word confidence 0-100, 0 if no words
    uncertain_words: list[str] = field(default_factory=list)
    psm: int = DEFAULT_PSM
    rotation: int = 0
    words: int = 0
    notes: list[str] = field(default_factory=list)


def remove_red(img: Image.Image) -> Image.Image:
    """Grayscale with strongly red pixels (seal, stamp) mapped to white. Black text printed under a red seal is
    dark in every channel, so it is not "strongly red" and survives."""
    r, g, b = (np.asarray(c, dtype=np.int16) for c in img.convert("RGB").split())  # one channel at a time
    red = (r > 120) & (r - g > 60) & (r - b > 50)
    del r, g, b
    gray = np.asarray(img.convert("L")).copy()
    gray[red] = 255
    return Image.fromarray(gray)


def _run(img: Image.Image, psm: int) -> OcrResult:
    try:
        data = pytesseract.image_to_data(
            img, lang=LANG, config=f"--psm {psm}", output_type=pytesseract.Output.DICT, timeout=TIMEOUT_S
        )
    except pytesseract.TesseractError as exc:  # e.g. "Image too small to scale": nothing readable
        return OcrResult("", 0.0, [], psm, notes=[f"tesseract failed: {exc.message.strip()[:200]}"])
    except RuntimeError as exc:  # pytesseract raises a bare RuntimeError on timeout
        raise SourceError(
            f"OCR of a page took more than {TIMEOUT_S} s",
            "send a cleaner scan or a PDF with a text layer",
            "unreadable",
        ) from exc
    lines: dict[tuple[int, int, int], list[str]] = {}
    tops: dict[tuple[int, int, int], list[int]] = {}  # word tops of each line
    confs: list[float] = []
    uncertain: list[str] = []
    for i, word in enumerate(data["text"]):
        word = word.strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(word)
        tops.setdefault(key, []).append(data["top"][i])
        confs.append(conf)
        if conf < UNCERTAIN_CONF and word not in uncertain and len(uncertain) < MAX_UNCERTAIN:
            uncertain.append(word)
    # The median word top is robust to diacritics and capitals that raise single words.
    line_top = {key: statistics.median(t) for key, t in tops.items()}
    keys = list(lines)  # dict keeps tesseract's reading order
    pitches = [line_top[b] - line_top[a] for a, b in zip(keys, keys[1:], strict=False) if line_top[b] > line_top[a]]
    pitch = statistics.median(pitches) if pitches else 0
    out: list[str] = []
    for n, key in enumerate(keys):
        if n:
            last = keys[n - 1]
            # A new block/paragraph, or (psm 6 gives one block) a wider line pitch, is a paragraph break.
            if key[:2] != last[:2] or line_top[key] - line_top[last] > PARAGRAPH_PITCH * pitch:
                out.append("")
        out.append(" ".join(lines[key]))
    conf = sum(confs) / len(confs) if confs else 0.0
    return OcrResult("\n".join(out), round(conf, 1), uncertain, psm, 0, len(confs))


# "5," is a common OCR misreading of "5." and must not count as a lost item.
_ITEM = re.compile(r"^(\d{1,2})[.,]\s", re.M)


def item_gap(text: str) -> bool:
    """True if the numbered items ("1.", "2.", ...) at line starts skip a number: a sign a paragraph was lost."""
    nums = [int(n) for n in _ITEM.findall(text)]
    return any(b - a > 1 for a, b in zip(nums, nums[1:], strict=False) if b > a)


def _osd(img: Image.Image) -> int | None:
    """Degrees to rotate ``img`` counter-clockwise (PIL convention) to make it upright, per Tesseract's OSD on a
    half-size copy (0.4 s a page), or None when OSD is unsure or finds too little text."""
    try:
        osd = pytesseract.image_to_osd(_small(img), config="--psm 0 -c min_characters_to_try=10", timeout=TIMEOUT_S)
    except (pytesseract.TesseractError, RuntimeError):
        return None
    rotate = re.search(r"Rotate:\s*(\d+)", osd)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", osd)
    if not rotate or not conf or float(conf.group(1)) < OSD_MIN_CONF:
        return None
    return (360 - int(rotate.group(1))) % 360


def _small(img: Image.Image) -> Image.Image:
    return img.reduce(2) if min(img.size) > 1600 else img


def _trial_orientation(img: Image.Image) -> int:
    """The orientation whose OCR of a half-size copy has the best mean confidence."""
    small = _small(img)
    scores = {angle: _run(small.rotate(angle, expand=True), DEFAULT_PSM).confidence for angle in (0, 90, 180, 270)}
    return max(scores, key=scores.get)


def ocr_image(img: Image.Image, psm: int = DEFAULT_PSM) -> OcrResult:
    prepared = remove_red(img)
    # Orientation first: OCR of a page lying on its side costs ~5 s for garbage, OSD costs 0.4 s.
    angle = _osd(prepared) or 0
    result = _run(prepared.rotate(angle, expand=True) if angle else prepared, psm)
    result.rotation = angle
    if result.confidence < ROTATE_BELOW_CONF or result.words < 20:
        # OSD unsure or wrong (little text, noise): try the four orientations the slow way.
        best = _trial_orientation(prepared)
        if best != angle:
            again = _run(prepared.rotate(best, expand=True), psm)
            if again.confidence > result.confidence:
                result, angle = again, best
                result.rotation = angle
    if angle:
        prepared = prepared.rotate(angle, expand=True)
        result.notes.append(f"rotated {angle}° before OCR")
    if item_gap(result.text):
        other = _run(prepared, FALLBACK_PSM)
        count = len(_ITEM.findall(other.text)), len(other.text)
        if count > (len(_ITEM.findall(result.text)), len(result.text)):
            other.rotation = result.rotation
            other.notes = result.notes + [f"psm {psm} skipped an item number, psm {FALLBACK_PSM} kept"]
            result = other
    return result


def ocr_png(data: bytes, psm: int = DEFAULT_PSM) -> OcrResult:
    with Image.open(io.BytesIO(data)) as img:
        return ocr_image(img, psm)
