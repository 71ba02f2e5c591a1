"""Stage 1, ingest: a source file's bytes -> normalized text, and how it was obtained."""

from .textnorm import SourceError, decode, normalize

__all__ = ["SourceError", "decode", "normalize"]
