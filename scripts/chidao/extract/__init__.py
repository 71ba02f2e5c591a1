"""Stage 2, extract: normalized text -> one record per directive (header, body, closing,
mentions, measures), every derived value listed with its clue."""

from .record import extract_bytes, extract_file, extract_text, make_id

__all__ = ["extract_bytes", "extract_file", "extract_text", "make_id"]
