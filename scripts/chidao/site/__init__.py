"""Stage 4, site: the published data package (and nothing upstream of it) -> pages -> the
static site and its search index."""
