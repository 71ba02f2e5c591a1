"""What a reader returns: the text as obtained plus how it was obtained, page by page."""

from dataclasses import asdict, dataclass, field


@dataclass
class PageReading:
    number: int  # 1-based
    method: str  # "text_layer" | "ocr"
    chars: int
    text_quality: float | None  # share of valid Vietnamese syllables in the text layer, None if no layer
    ocr_confidence: float | None  # mean word confidence 0-100 (OCR pages only)
    uncertain_words: list[str] = field(default_factory=list)  # low-confidence OCR words, reading order, deduplicated
    psm: int | None = None  # tesseract page segmentation mode kept
    rotation: int = 0  # degrees the page was rotated (counter-clockwise) before OCR, 0 if none

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Reading:
    text: str  # raw document text, pages joined with "\n\n", not normalized
    media_type: str
    method: str  # "text" | "html" | "docx" | "doc" | "text_layer" | "ocr" | "mixed" | "image_ocr"
    pages: list[PageReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "media_type": self.media_type,
            "method": self.method,
            "pages": [p.to_dict() for p in self.pages],
            "notes": list(self.notes),
        }
