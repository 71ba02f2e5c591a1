"""The package's folders are the pipeline's stages, and data flows one way through them:
ingest -> extract -> package -> site. No stage imports a later one, and the site, a view of
the published package, imports nothing of the parser (ingest, extract)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "scripts" / "chidao"
STAGES = ["ingest", "extract", "codebook", "package", "site"]
SHARED = {"vocab", "vntext", "fingerprint", "__init__"}  # serve every stage
# What each stage may import besides itself and the shared modules.
ALLOWED = {
    "ingest": set(),
    "extract": {"ingest"},
    "codebook": {"ingest", "extract"},
    "package": {"ingest", "extract", "codebook"},
    "site": {"package"},
}


def _target(module: list[str], node: ast.ImportFrom | ast.Import, alias: str | None) -> str | None:
    """The top-level part of chidao that an import statement in ``module`` reaches."""
    if isinstance(node, ast.Import):
        parts = alias.split(".")
        return parts[1] if parts[0] == "chidao" and len(parts) > 1 else None
    if node.level == 0:
        parts = (node.module or "").split(".")
        if parts[0] != "chidao":
            return None
        rest = parts[1:] or [alias]
        return rest[0]
    base = module[: len(module) - node.level]  # the package the relative import starts from
    if not base or base[0] != "chidao":
        return None
    rest = base[1:] + ((node.module or "").split(".") if node.module else [alias])
    return rest[0] if rest else alias


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, top-level chidao module or stage) for every import of ``path``, at any depth."""
    rel = path.relative_to(root.parent).with_suffix("")
    module = list(rel.parts)  # e.g. ["chidao", "extract", "record"] or [..., "__init__"]
    tree = ast.parse(path.read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, t) for a in node.names if (t := _target(module, node, a.name))]
        elif isinstance(node, ast.ImportFrom):
            out += [(node.lineno, t) for a in node.names if (t := _target(module, node, a.name))]
    # a name that is no module of chidao ("from .. import __version__") is an attribute of its __init__
    return [(line, t if (root / t).is_dir() or (root / f"{t}.py").is_file() else "__init__") for line, t in out]


def violations(root: Path) -> list[str]:
    """Every wrong-way import in the package tree at ``root`` (scripts/chidao)."""
    found = []
    for stage in STAGES:
        for path in sorted((root / stage).rglob("*.py")):
            for line, target in imports_of(path, root):
                if target == stage or target in SHARED:
                    continue
                if target in STAGES and target not in ALLOWED[stage]:
                    found.append(f"{path.relative_to(root)}:{line}: {stage} imports {target}")
                elif target not in STAGES:
                    found.append(f"{path.relative_to(root)}:{line}: {stage} imports chidao.{target}, "
                                 "which is no stage and not shared")
    for name in SHARED - {"__init__"}:
        for line, target in imports_of(root / f"{name}.py", root):
            if target in STAGES[1:] or target == "cli":
                found.append(f"{name}.py:{line}: shared module imports {target}")
    return found


def test_stage_folders_exist():
    for stage in STAGES:
        assert (PKG / stage / "__init__.py").is_file(), stage
    flat = sorted(p.name for p in PKG.glob("*.py"))
    assert flat == ["__init__.py", "cli.py", "fingerprint.py", "vntext.py", "vocab.py"], "modules belong in a stage's folder"


def test_no_stage_imports_a_later_one():
    assert violations(PKG) == []


@pytest.mark.parametrize("where, line, expected", [
    ("extract/header.py", "from ..site import pages\n", "extract imports site"),
    ("extract/body.py", "from chidao.package import write\n", "extract imports package"),
    ("site/charts.py", "from ..extract.record import make_id\n", "site imports extract"),
    ("site/sitedata.py", "import chidao.ingest.textnorm\n", "site imports ingest"),
    ("ingest/textnorm.py", "    from ..extract import record\n", "ingest imports extract"),
    ("package/release.py", "from chidao.site.build import build_site\n", "package imports site"),
    ("extract/record.py", "from .. import cli\n", "extract imports chidao.cli"),
])
def test_a_wrong_way_import_is_caught(tmp_path, where, line, expected):
    root = tmp_path / "chidao"
    shutil.copytree(PKG, root, ignore=shutil.ignore_patterns("__pycache__", "*.j2", "vocab"))
    target = root / where
    target.write_text(target.read_text("utf-8") + "\n\ndef _late():\n" + ("" if line.startswith(" ") else "    ")
                      + line, encoding="utf-8")
    found = violations(root)
    assert len(found) == 1 and found[0].startswith(where) and expected in found[0], found
