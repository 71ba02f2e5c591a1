import json
from functools import cache
from pathlib import Path

import pytest
import yaml

from chidao.extract import extract_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
SHARED = ROOT.parent / "shared"


@cache
def seed_record(name: str) -> dict:
    return extract_file(FIXTURES / "seeds" / name)


def seed_expected(name: str) -> dict:
    return yaml.safe_load((FIXTURES / "seeds" / "expected" / name.replace(".txt", ".yaml")).read_text("utf-8"))


@pytest.fixture(params=[p.name for p in SEEDS], ids=lambda n: n[:3])
def seed(request):
    name = request.param
    return seed_record(name), seed_expected(name)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
