"""The error every reader raises for a file it cannot or must not read."""


class SourceError(ValueError):
    """A source file that cannot be read.

    ``reason`` names the problem, ``hint`` tells the person who supplied the file what to do, ``kind`` is a short
    machine-readable category: "empty", "binary", "encoding", "too_large", "not_directive", "unreadable",
    "unsupported", "encrypted", "damaged", "too_many_pages", "page_too_large", "no_text".
    """

    def __init__(self, reason: str, hint: str | None = None, kind: str = "unreadable"):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
        self.kind = kind
