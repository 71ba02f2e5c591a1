"""A scanned page sent as an image (PNG, JPEG, TIFF; a multi-page TIFF is one page per frame)."""

import io
import warnings
from collections.abc import Callable

from PIL import Image, ImageSequence, UnidentifiedImageError

from . import ocr as _ocr
from .errors import SourceError
from .model import PageReading, Reading
from .pdf import MAX_PAGES
from .sniff import sniff

# 3 x A3 at 300 dpi is ~52 Mpx; over this Pillow's bomb guard refuses the file before decoding it.
MAX_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _too_large() -> SourceError:
    return SourceError(
        f"an image of more than {MAX_PIXELS // 1_000_000} million pixels, far larger than a page scan",
        "scan the pages at 300 dpi",
        "page_too_large",
    )


def read_image(data: bytes, ocr: Callable[[Image.Image], _ocr.OcrResult] = _ocr.ocr_image) -> Reading:
    media_type = sniff(data)
    texts, pages, notes = [], [], []
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
            frames = getattr(img, "n_frames", 1)
            if frames > MAX_PAGES:
                raise SourceError(
                    f"an image file of {frames} pages, more than the {MAX_PAGES} a directive can have",
                    "send the directive alone",
                    "too_many_pages",
                )
            for number, frame in enumerate(ImageSequence.Iterator(img), 1):
                if frame.width * frame.height > MAX_PIXELS:  # Pillow checks only the first frame on open
                    raise _too_large()
                frame.load()
                result = ocr(frame.convert("RGB"))
                texts.append(result.text)
                notes += [f"page {number}: {n}" for n in result.notes]
                pages.append(
                    PageReading(
                        number,
                        "ocr",
                        len(result.text),
                        None,
                        result.confidence,
                        result.uncertain_words,
                        result.psm,
                        result.rotation,
                    )
                )
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large() from exc
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:  # truncated/corrupt image data
            raise SourceError("a damaged image that cannot be decoded", "scan the page again", "damaged") from exc
    if not any(t.strip() for t in texts):
        raise SourceError("an image with no readable text", "send a legible scan (300 dpi, black on white)", "no_text")
    return Reading("\n\n".join(texts), media_type, "image_ocr", pages, notes)
