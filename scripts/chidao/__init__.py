"""chidao: an open-data archive of Vietnam's provincial COVID-19 directives.

One subpackage per stage, each reading only what the one before it wrote:

    ingest/   a source file's bytes -> normalized text, and how it was obtained
    extract/  normalized text -> a record
    package/  records + curation -> the validated Frictionless package, release files
    site/     the published package only -> pages -> the static site

``vocab`` (vocabularies as data) and ``vntext`` (Vietnamese matching keys) serve every
stage; ``cli`` ties them together. ``tests/test_stages.py`` fails on a wrong-way import.
"""

__version__ = "0.1.0"
