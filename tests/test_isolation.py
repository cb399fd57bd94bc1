"""Nothing from the checkout runs: a reports repository that plants its own `lii_check/`, `json.py` or
`durable/` cannot run code in the durable_rules child or forge the verdict (issue 8).

The real console script is run from the test's own environment, in a hostile folder, on deliberately
mis-scored reports (fixtures/shifted: the text supports a higher score than the one awarded).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("lii-check")

# Each planted module writes a marker file when imported and, if it is the engine, answers every request
# with "nothing fired": the forged verdict would be "consistent" with exit 0.
FORGED_ENGINE = '''
import sys
for line in sys.stdin:
    request = __import__("json").loads(line)
    batches = request.get("batches")
    reply = {{"ok": True, "results": [[] for _ in batches]}} if batches is not None else {{"ok": True}}
    sys.stdout.write(__import__("json").dumps(reply) + "\\n")
    sys.stdout.flush()
'''
MARK = 'open({marker!r}, "a").write({name!r} + "\\n")\n'
# A json.py that keeps working (so nothing crashes and hides the import) while leaving its mark.
STAND_IN_JSON = '''
import importlib.util, sysconfig, os, sys
_spec = importlib.util.spec_from_file_location("json", os.path.join(sysconfig.get_paths()["stdlib"], "json", "__init__.py"),
                                               submodule_search_locations=[os.path.join(sysconfig.get_paths()["stdlib"], "json")])
_real = importlib.util.module_from_spec(_spec)
sys.modules["json"] = _real
_spec.loader.exec_module(_real)
globals().update({{k: v for k, v in vars(_real).items() if not k.startswith("__")}})
'''


def _plant(folder: Path, marker: Path, modules: dict[str, str]) -> None:
    for relative, body in modules.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        name = f"{folder.name}/{relative}"
        path.write_text(MARK.format(marker=str(marker), name=name) + body.format(), encoding="utf-8")


def _hostile_checkout(tmp_path: Path) -> tuple[Path, Path, Path, dict]:
    marker = tmp_path / "MARKER"
    checkout = tmp_path / "checkout"  # the working directory: a reports repository under review
    corpus = checkout / "reports"
    pythonpath = tmp_path / "pythonpath"
    corpus.mkdir(parents=True)
    for report in sorted((REPO / "fixtures" / "shifted").glob("*.txt")):
        shutil.copy(report, corpus / report.name)
    ours = {"lii_check/__init__.py": "", "lii_check/inference_durable.py": FORGED_ENGINE, "json.py": STAND_IN_JSON}
    _plant(checkout, marker, ours)
    _plant(corpus, marker, ours)
    # PYTHONPATH gets what only the engine child imports. (A `json.py` or `lii_check/` there would take over
    # lii-check's own interpreter: PYTHONPATH is the user's to trust, as for any Python program.)
    _plant(pythonpath, marker, {"durable/__init__.py": "", "durable/engine.py": "", "durable_rules_engine.py": ""})
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(pythonpath)
    return checkout, corpus, marker, env


@pytest.mark.parametrize("engine", ["auto", "durable"])
def test_planted_modules_never_run_and_the_verdict_stands(tmp_path, engine):
    pytest.importorskip("durable")
    assert SCRIPT.is_file(), f"the lii-check console script is not installed next to {sys.executable}"
    checkout, corpus, marker, env = _hostile_checkout(tmp_path)
    done = subprocess.run([str(SCRIPT), "check", "--engine", engine, "--format", "json", "reports"], cwd=checkout,
                          env=env, capture_output=True, text=True, timeout=120)
    assert not marker.exists(), f"planted code ran: {marker.read_text()}"
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert document["engine"] == "durable" and done.stderr == ""  # the real engine answered, no fallback
    assert [r["verdict"] for r in document["reports"]] == ["inconsistent", "inconsistent"]
    assert all("consistency.score-below-evidence" in {f["rule"] for f in r["findings"]} for r in document["reports"])


def test_the_planted_modules_would_run_where_imported(tmp_path):
    # The plants are live: a plain `python -m` from the checkout (what lii-check used to run) imports them.
    checkout, _, marker, env = _hostile_checkout(tmp_path)
    subprocess.run([sys.executable, "-c", "import json, lii_check.inference_durable, durable"], cwd=checkout, env=env,
                   capture_output=True, timeout=60)
    assert set(marker.read_text().split()) == {"checkout/json.py", "checkout/lii_check/__init__.py",
                                               "checkout/lii_check/inference_durable.py", "pythonpath/durable/__init__.py"}


def test_the_child_is_started_isolated_from_this_installation():
    from lii_check import inference

    command = inference.child_command()
    assert command[:2] == [sys.executable, "-I"]
    assert Path(command[2]) == Path(inference.__file__).resolve().with_name("inference_durable.py")
