"""A build killed at any point leaves a whole package and site: the previous ones until the
swap, the new package after it; the next command recovers, and the next build finishes
as if nothing had happened. Builds are killed (SIGKILL) at the named points of
chidao.package.faults.fault_point."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
# where the build is killed -> which package is whole afterwards
PACKAGE_POINTS = [("package:staged", "previous"), ("swap:aside:data", "previous"),
                  ("swap:in:datapackage.json", "previous"), ("swap:in:data", "previous"),
                  ("swap:in:json", "new")]  # every new part is in: the new package is whole


def _chidao(root: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHIDAO_KILL_AT": kill_at or ""}
    where = [] if args[0] == "validate" else ["--root", str(root)]
    return subprocess.run([sys.executable, "-m", "chidao.cli", *args, *where], capture_output=True,
                          text=True, env=env, cwd=root, timeout=600)


def _digest(folder: Path, parts=("datapackage.json", "data", "json")) -> dict[str, str]:
    out = {}
    for part in parts:
        path = folder / part
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        out.update({str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files})
    return out


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project with two seeds built (package and site), and a third seed added since."""
    root = tmp_path / "project"
    for name in ("schemas", "docs"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("mkdocs.yml", "README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff"):
        shutil.copy(ROOT / name, root / name)
    (root / "datapackage" / "sources").mkdir(parents=True)
    for seed in SEEDS[:2]:
        shutil.copy(seed, root / "datapackage" / "sources" / seed.name)
    assert _chidao(root, "build").returncode == 0
    shutil.copy(SEEDS[2], root / "datapackage" / "sources" / SEEDS[2].name)
    return root


@pytest.mark.parametrize("point, whole", PACKAGE_POINTS)
def test_a_killed_build_leaves_one_whole_package(project, point, whole):
    dp = project / "datapackage"
    before, site_before = _digest(dp), _digest(project, ("site",))
    killed = _chidao(project, "build", kill_at=point)
    assert killed.returncode == -9, killed.stderr
    assert _chidao(project, "validate", str(dp)).returncode == 0  # recovers, then validates
    count = 2 if whole == "previous" else 3
    assert f'"document_count": {count}' in (dp / "datapackage.json").read_text("utf-8")
    if whole == "previous":
        assert _digest(dp) == before, "the previous package, whole"
    assert not (dp / ".build").exists() and not list(dp.glob(".old-*"))
    assert _digest(project, ("site",)) == site_before
    assert _chidao(project, "build").returncode == 0  # the next build finishes
    assert _chidao(project, "check-fresh").returncode == 0
    assert '"document_count": 3' in (dp / "datapackage.json").read_text("utf-8")


def test_a_build_killed_while_swapping_the_site_keeps_the_previous_site(project):
    dp = project / "datapackage"
    site_before = _digest(project, ("site",))
    killed = _chidao(project, "build", kill_at="site:swap")
    assert killed.returncode == -9, killed.stderr
    assert '"document_count": 3' in (dp / "datapackage.json").read_text("utf-8")  # the package was swapped in
    assert _digest(project, ("site.old",)) == {k.replace("site/", "site.old/", 1): v for k, v in site_before.items()}
    assert _chidao(project, "site").returncode == 0  # recovers the previous site, then builds the new one
    assert not (project / "site.old").exists() and not (project / "site.new").exists()
    assert "3" in (project / "site" / "index.html").read_text("utf-8")


def test_an_invalid_package_stops_the_site_built_beside_its_validation(project, monkeypatch, capsys):
    """`chidao build` builds the site from the staged package while it validates it: when the
    package is invalid, neither is put in place and the site's process is stopped."""
    from chidao import cli

    dp = project / "datapackage"
    before, site_before = _digest(dp), _digest(project, ("site",))
    started = []
    start = cli._start_site

    def recorded(*args):
        proc, ready = start(*args)
        started.append(proc)
        return proc, ready

    monkeypatch.setattr(cli, "_start_site", recorded)
    monkeypatch.setattr(cli, "_in_fresh_process", lambda fn, *a, **kw: ["data/documents.csv, 2, id: broken"])
    assert cli.main(["build", "--root", str(project)]) == 1
    assert "1 problem(s); the previous package is left as it was" in capsys.readouterr().err
    assert len(started) == 1 and started[0].returncode is not None  # started, then stopped
    assert _digest(dp) == before and _digest(project, ("site",)) == site_before
    assert not (project / "site.new").exists()
    assert _chidao(project, "build").returncode == 0  # the next build recovers and finishes
    assert '"document_count": 3' in (dp / "datapackage.json").read_text("utf-8")
