import functools
import http.server
import json
import os
import threading
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


# --- the built site, served on localhost, and Chromium (shared by the site tests) ---

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DOC_002 = "vinh-phuc-2021-11-08-907-cv-tu"
DOC_003 = "lai-chau-2021-09-tb-ubnd-4b0e1b"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    from chidao.site.build import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    return build_site(ROOT, ROOT / "datapackage", out)


@pytest.fixture(scope="session")
def base_url(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)  # screenshots of any browser test (gitignored: absent in a fresh clone)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    """A page that records every request, so tests can check nothing leaves localhost."""
    ARTIFACTS.mkdir(exist_ok=True)
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    outside = [u for u in pg.requests if not u.startswith(base_url) and not u.startswith("data:")]
    pg.close()
    assert outside == [], f"requests left localhost: {outside}"


