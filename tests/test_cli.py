import json
import re
import subprocess
import sys

from conftest import FIXTURES, ROOT

CHIDAO = [sys.executable, "-m", "chidao.cli"]


def run(*args, **kw):
    return subprocess.run([*CHIDAO, *args], capture_output=True, text=True, cwd=ROOT, **kw)


def test_extract_prints_one_json_line_per_file_in_order():
    files = sorted(str(p) for p in (FIXTURES / "seeds").glob("*.txt"))
    out = run("extract", *files)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["source_file"] for r in records] == [p.rsplit("/", 1)[-1] for p in files]
    assert "text" not in records[0]


def test_bad_files_exit_non_zero_with_one_line_each(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("Xin chào", encoding="utf-8")
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    seed = next((FIXTURES / "seeds").glob("*.txt"))
    out = run("extract", str(short), str(binary), str(tmp_path / "missing.txt"), str(seed))
    assert out.returncode != 0
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 3
    assert "short.txt" in errors[0] and "too short" in errors[0]
    assert "scan.pdf" in errors[1] and "damaged" in errors[1]
    assert "missing.txt" in errors[2] and "cannot read" in errors[2]
    assert len(out.stdout.splitlines()) == 1  # the good file is still extracted


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    commands = [line for b in blocks for line in b.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2, "the README gives exactly two commands"
    assert commands[1] in ci.splitlines()
