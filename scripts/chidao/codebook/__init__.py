"""Stage 3 of 5, codebook: extracted records -> coded measures (indicator, polarity, level,
scope, dates, evidence span) clause by clause, and the stringency series built from them.
Reads the codebook as data (vocab/codebook.yaml); imports only ingest and extract."""

from .coder import code_clause, code_record, code_records

__all__ = ["code_clause", "code_record", "code_records"]
