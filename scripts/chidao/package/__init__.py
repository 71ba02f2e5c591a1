"""Stage 3, package: records + curation -> the validated Frictionless data package and its
release files."""
