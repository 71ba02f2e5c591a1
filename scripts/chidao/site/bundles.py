"""Where the site's downloads live. The site serves the package's tables once, as CSV, with
its descriptor; the originals are linked where the repository keeps them (copied into the site
only by a local build, which knows no repository). The bundles made from them (the zip of the whole
package, the SQLite database, the Parquet files) are release assets on GitHub, linked from
the downloads page: served by the site too, they would hold the same data three more times,
and a site of 10,000 directives would pass the host's size limit. The one exception is a small
archive's SQLite database, kept in the site so that Datasette Lite (which must fetch the file
from a server that allows it, as GitHub's release downloads do not) can open it."""

from __future__ import annotations

import os
import re

from ..package.release import DATASETTE_METADATA, SQLITE_NAME

# The SQLite database is copied into the site while the tables it holds (CSV bytes) stay under
# this; it is then a few MB, and the site keeps room for growth.
SITE_SQLITE_MAX_TABLE_BYTES = 20_000_000
SITE_ONLY_RESOURCES = ("data/",)  # what of the package the site serves, besides datapackage.json
VERSIONED_SQLITE = {"0.1.0"}  # releases whose database was still named chidao-<version>.sqlite


def repository_url() -> str | None:
    """The repository on GitHub (its releases hold every version's files): CHIDAO_REPO_URL, or
    what GitHub Actions says; None when unknown (a local build)."""
    url = os.environ.get("CHIDAO_REPO_URL", "").strip()
    if not url and os.environ.get("GITHUB_REPOSITORY"):
        url = os.environ.get("GITHUB_SERVER_URL", "https://github.com") + "/" + os.environ["GITHUB_REPOSITORY"]
    return url.rstrip("/") or None


def repository_file(path: str) -> str | None:
    """A file of the repository, at the commit being built (GITHUB_SHA in Actions, else main)."""
    repo = repository_url()
    return f"{repo}/raw/{os.environ.get('GITHUB_SHA') or 'main'}/{path}" if repo else None


def originals_in_site() -> bool:
    """Are the originals copied into the site? Only when the repository that holds them is not
    known (a local build): a real archive's scans run to gigabytes, past any host's limit for a
    site, while the repository keeps them anyway (datapackage/sources/ is committed)."""
    return repository_url() is None


def released_versions(changelog: str) -> list[str]:
    """Every version CHANGELOG.md names as released ("## [x.y.z]"), newest first."""
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.M)


def release_assets(version: str) -> dict[str, str] | None:
    """Addresses of a release's files, or None when the repository is unknown."""
    repo = repository_url()
    if not repo:
        return None
    base = f"{repo}/releases/download/v{version}/"
    return {"release": f"{repo}/releases/tag/v{version}", "zip": f"{base}chidao-datapackage-{version}.zip",
            "sqlite": base + (f"chidao-{version}.sqlite" if version in VERSIONED_SQLITE else SQLITE_NAME),
            "metadata": base + DATASETTE_METADATA, "parquet": base, "sums": f"{base}SHA256SUMS"}


def sqlite_in_site(resources: list[dict]) -> bool:
    """Is the archive small enough for its SQLite database to be served by the site too?"""
    return sum(int(r.get("bytes") or 0) for r in resources if r.get("format") == "csv") <= SITE_SQLITE_MAX_TABLE_BYTES


def site_descriptor(descriptor: dict) -> dict:
    """The descriptor the site serves: the package's, with only the resources the site holds
    (the tables); the nested JSON records are in the release zip and the repository."""
    kept = [r for r in descriptor["resources"] if r["path"].startswith(SITE_ONLY_RESOURCES)]
    left = [r["path"] for r in descriptor["resources"] if r not in kept]
    out = {**descriptor, "resources": kept}
    if left:
        out["description"] = (descriptor.get("description", "") + " This copy of the descriptor, served by "
                              "the website, lists the tables it serves; " + ", ".join(left)
                              + " are in the release zip.").strip()
    return out

