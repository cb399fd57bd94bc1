"""Issue 8, the input half: every case here failed on the code before it (wrong answer, hang, memory
blow-up, silent pass or exit 3) and must now give a clear, located answer with the right exit code.

Report texts built here are synthetic (the findings sentence is invented); the seed copies are real.
"""
import codecs
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lii_check.baseline import BaselineError, canonical_path, load_baseline
from lii_check.cli import main
from lii_check.config import ConfigError, load_config
from lii_check.discovery import DEFAULT_EXCLUDES, NoReports, excluded_by, find_reports, shown_path
from lii_check.parser import DEFAULT_MAX_BYTES, ReportError, decode_report, parse_report, read_limited, read_report
from lii_check.rulebook import RulebookInvalid, load_rulebook
from lii_check.safe_yaml import MAX_EXPANDED_NODES, YamlProblem, load_yaml

from in_memory import invoke


REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "001_be58087aa61b4f94.txt"  # a real report, consistent at 3
SHIFTED = REPO / "fixtures" / "shifted"
TITLE = "# Learning, improvement and innovation (synthetic)\n\n"
BODY = "Staff told us supervision was regular and effective. Leaders acted on complaints.\n"
# Nine aliases per level, nine levels: 9^9 (387 million) values once expanded.
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
RECURSIVE = "a: &a\n  - *a\n"




def real(args, cwd, memory_limit=None):
    """A real process, for the cases that hung or ate memory: a timeout guards the hang, an address-space
    limit the memory (an old build that reads /dev/zero dies with MemoryError instead of the machine)."""
    def limit():
        if memory_limit:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd,
                          preexec_fn=limit if memory_limit and os.name == "posix" else None)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    return done


def reports_by_path(stdout: str) -> dict:
    return {r["path"]: r for r in json.loads(stdout)["reports"]}


def corpus_with(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    shutil.copy(SEED, corpus / "good.txt")
    for name, content in files.items():
        target = corpus / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
    return corpus


# ---- reports: never silently wrong ---------------------------------------------------------------

def test_two_score_lines_that_disagree_are_unreadable_naming_both(tmp_path, monkeypatch):
    text = f"{TITLE}Score: 3\n\n3 - Evidence shows a good standard\n\n{BODY}\nScore: 1\n"
    with pytest.raises(ReportError) as info:
        parse_report(text, "two.md")
    message = info.value.message
    assert "line 3 'Score: 3'" in message and "line 9 'Score: 1'" in message, message
    assert info.value.line == 9
    corpus = corpus_with(tmp_path, {"two.md": text})
    result = invoke([corpus.name, "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    bad = reports_by_path(result.stdout)["corpus/two.md"]
    assert bad["verdict"] == "unreadable" and bad["error"]["line"] == 9
    assert reports_by_path(result.stdout)["corpus/good.txt"]["verdict"] == "consistent"  # the run went on


def test_the_same_score_line_twice_is_harmless():
    report = parse_report(f"{TITLE}Score: 3\n\n{BODY}\nScore: 3\n", "same.md")
    assert (report.awarded_score, report.score_line) == (3, 3)


def test_a_label_line_that_disagrees_with_the_score_is_unreadable_naming_both():
    text = f"{TITLE}Score: 3\n\n1 - Evidence shows significant shortfalls\n\n{BODY}"
    with pytest.raises(ReportError) as info:
        parse_report(text, "label.md")
    message = info.value.message
    assert "score line and the label line disagree" in message
    assert "line 3 'Score: 3'" in message and "line 5 '1 - Evidence shows significant shortfalls'" in message


def test_label_disagreement_on_a_real_seed_is_unreadable_in_the_cli(tmp_path, monkeypatch):
    text = SEED.read_text("utf-8")
    lines = text.split("\n")
    label = next(i for i, line in enumerate(lines) if "Evidence shows a good standard" in line)
    lines[label] = "1 – Evidence shows significant shortfalls"
    corpus = corpus_with(tmp_path, {"relabelled.txt": "\n".join(lines)})
    result = invoke([corpus.name, "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    bad = reports_by_path(result.stdout)["corpus/relabelled.txt"]
    assert bad["verdict"] == "unreadable"  # not a finding a comment or a severity override could hide
    assert bad["error"]["line"] == label + 1 and f"line {label + 1} '1 – Evidence shows" in bad["error"]["message"]


@pytest.mark.parametrize("digit, name", [("४", "DEVANAGARI DIGIT FOUR"), ("３", "FULLWIDTH DIGIT THREE"),
                                         ("٣", "ARABIC-INDIC DIGIT THREE")])
def test_only_ascii_digits_are_scores(digit, name):
    with pytest.raises(ReportError) as info:
        parse_report(f"{TITLE}Score: {digit}\n\n{BODY}", "digit.md")
    assert name in info.value.message and "ASCII digits 1, 2, 3 or 4" in info.value.message
    assert info.value.line == 3
    with pytest.raises(ReportError) as info:
        parse_report(f"{TITLE}Score: 3\n\n{digit} - Evidence shows a good standard\n\n{BODY}", "label-digit.md")
    assert name in info.value.message and "write the label with the ASCII digits" in info.value.message
    assert info.value.line == 5


def test_a_score_between_rules_is_not_swallowed_as_front_matter():
    report = parse_report(f"---\nScore: 3\n---\n\n{TITLE}{BODY}", "rules.md")
    assert (report.awarded_score, report.score_line) == (3, 2)
    # Real front matter (a mapping without a score line) is still front matter.
    real_fm = parse_report(f"---\nsynthetic: true\nscore_source: panel\n---\n{TITLE}Score: 2\n\n{BODY}", "fm.md")
    assert real_fm.score_line == 7 and not any("panel" in s.text for sec in real_fm.sections for p in sec.paragraphs
                                               for s in p.sentences)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom_are_read(codec, tmp_path):
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
            "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
    text = SEED.read_text("utf-8").replace("\n", "\r\n")
    data = boms.get(codec, b"") + text.encode(codec)  # "utf-16"/"utf-32" write their own BOM
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    wide, plain = read_report(path), read_report(SEED)
    assert (wide.awarded_score, wide.score_line, wide.label_line) == (plain.awarded_score, plain.score_line, plain.label_line)
    assert [p.sentences for s in wide.sections for p in s.paragraphs] == \
        [p.sentences for s in plain.sections for p in s.paragraphs]


@pytest.mark.parametrize("data, phrase", [
    ("Score: 3\n\nStaff were trained.\n".encode("utf-16-le"), "UTF-16 (little-endian) without a byte-order mark"),
    ("Score: 3\n\nStaff were trained.\n".encode("utf-16-be"), "UTF-16 (big-endian) without a byte-order mark"),
    ("Score: 3\n\nStaff at the café were trained.\n".encode("cp1252"), "Windows-1252 or Latin-1"),
    (codecs.BOM_UTF16_LE + b"S\x00c\x00\x00\xd8", "UTF-16 byte-order mark but is not valid UTF-16"),
])
def test_other_encodings_are_named(data, phrase):
    with pytest.raises(ReportError) as info:
        decode_report(data)
    assert phrase in info.value.message and "re-save it as UTF-8" in info.value.message


@pytest.mark.parametrize("label", ["1 -Inadequate: Evidence shows significant shortfalls",
                                   "1 - Inadequate: Evidence shows significant shortfalls",
                                   "1 – Inadequate - Evidence shows significant shortfalls",
                                   "**1 - Evidence shows significant shortfalls**"])
def test_label_variants_are_the_label_not_findings_text(label):
    report = parse_report(f"{TITLE}Score: 1\n\n{label}\n\n{BODY}", "variant.md")
    assert (report.label_score, report.label_line) == (1, 5)
    assert "Evidence shows significant shortfalls" in report.label_text
    text = " ".join(s.text for sec in report.sections for p in sec.paragraphs for s in p.sentences)
    assert "Evidence shows" not in text and "Inadequate" not in text


# ---- files: regular files only, bounded ----------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_is_unreadable_and_never_hangs(tmp_path):
    corpus = corpus_with(tmp_path, {})
    os.mkfifo(corpus / "p.txt")
    done = real(["corpus", "--engine", "pure", "--format", "json"], tmp_path)  # the old code waited forever
    assert done.returncode == 1, done.stderr
    reports = reports_by_path(done.stdout)
    assert reports["corpus/p.txt"]["error"]["message"] == \
        "this is a named pipe (FIFO), not a regular file: only regular files are read"
    assert reports["corpus/good.txt"]["verdict"] == "consistent"


@pytest.mark.skipif(not Path("/dev/zero").exists() or os.name != "posix", reason="needs /dev/zero and symlinks")
def test_a_link_to_dev_zero_is_unreadable_and_reads_nothing(tmp_path):
    corpus = corpus_with(tmp_path, {})
    (corpus / "z.txt").symlink_to("/dev/zero")
    # Named: a folder's walk does not read links leading out of the checkout (tests/test_discovery_links.py).
    done = real(["corpus/z.txt", "corpus", "--engine", "pure", "--format", "json"], tmp_path,
                memory_limit=2 * 1024 ** 3)
    assert done.returncode == 1, done.stderr
    reports = reports_by_path(done.stdout)
    assert reports["corpus/z.txt"]["error"]["message"] == \
        "this is a character device, not a regular file: only regular files are read"
    assert reports["corpus/good.txt"]["verdict"] == "consistent"


def test_a_file_over_the_size_limit_is_unreadable_and_the_limit_can_be_raised(tmp_path, monkeypatch):
    # About 1.2 MB, nearly all of it a comment: the limit is on bytes, and once it is raised the comment
    # costs nothing to read, so the test stays quick.
    big = SEED.read_text("utf-8") + "\n<!-- " + "Staff were trained. " * 60_000 + "-->\n"
    corpus = corpus_with(tmp_path, {"big.txt": big})
    assert len(big.encode()) > DEFAULT_MAX_BYTES
    result = invoke([corpus.name, "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    message = reports_by_path(result.stdout)["corpus/big.txt"]["error"]["message"]
    assert f"larger than the limit of {DEFAULT_MAX_BYTES:,} bytes" in message and "--max-bytes" in message
    raised = invoke([corpus.name, "--engine", "pure", "--format", "json", "--max-bytes", "5000000"], tmp_path, monkeypatch)
    assert reports_by_path(raised.stdout)["corpus/big.txt"]["error"] is None
    lowered = invoke([corpus.name, "--engine", "pure", "--format", "json", "--max-bytes", "1000"], tmp_path, monkeypatch)
    assert reports_by_path(lowered.stdout)["corpus/good.txt"]["error"]["message"].startswith(
        "the file is larger than the limit of 1,000 bytes")
    (tmp_path / ".lii-check.yaml").write_text("max-bytes: 5000000\n")
    configured = invoke([corpus.name, "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert reports_by_path(configured.stdout)["corpus/big.txt"]["error"] is None


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs a Linux /proc file (size 0, content not)")
def test_a_file_whose_size_lies_is_read_only_to_the_limit():
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(ReportError, match="larger than the limit of 10 bytes"):
        read_limited(Path("/proc/self/maps"), max_bytes=10)


def test_a_directory_named_as_a_report_is_refused(tmp_path):
    with pytest.raises(ReportError, match="this is a folder, not a regular file"):
        read_limited(tmp_path)


# ---- folders -------------------------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinked_folders_are_followed_once_even_in_a_loop(tmp_path, monkeypatch):
    corpus = corpus_with(tmp_path, {"sub/a.txt": SEED.read_bytes()})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SEED, elsewhere / "linked.txt")
    (corpus / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "sub" / "up").symlink_to("..", target_is_directory=True)  # a loop
    monkeypatch.chdir(tmp_path)  # the checkout: elsewhere/ is inside it
    found = find_reports(["corpus"])
    assert [f.display for f in found.files] == ["corpus/good.txt", "corpus/linked/linked.txt", "corpus/sub/a.txt"]
    assert found.repeated_folders == ["corpus/sub/up"]  # the old walk never entered linked/
    assert found.notes() == ["symlinked folder(s) already searched, not searched again: corpus/sub/up"]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_symlinked_folder_leading_out_of_the_checkout_is_not_followed(tmp_path, monkeypatch):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    corpus = corpus_with(checkout, {})
    outside = tmp_path / "runner-home"
    outside.mkdir()
    (outside / "notes.txt").write_text("Score: 3\n\nA private note (synthetic).\n")
    (corpus / "planted").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(checkout)
    found = find_reports(["corpus"])
    assert [f.display for f in found.files] == ["corpus/good.txt"]
    assert found.outside_links == ["corpus/planted"]
    assert "not followed: corpus/planted" in found.notes()[0]
    assert [f.display for f in find_reports([str(outside.parent)]).files][-1].endswith("runner-home/notes.txt")


def _deny(monkeypatch, folder: Path):
    """Make one folder unlistable, as chmod 000 does for anyone but root (tests may run as root)."""
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_an_error_not_skipped(tmp_path, monkeypatch):
    corpus = corpus_with(tmp_path, {"locked/a.txt": SEED.read_bytes()})
    _deny(monkeypatch, Path("corpus/locked"))
    result = invoke(["corpus", "--engine", "pure"], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "corpus/locked: cannot read this folder (Permission denied)" in result.stderr
    assert "nothing was checked" in result.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_for_real(tmp_path, monkeypatch):
    corpus = corpus_with(tmp_path, {"locked/a.txt": SEED.read_bytes()})
    (corpus / "locked").chmod(0)
    try:
        result = invoke(["corpus", "--engine", "pure"], tmp_path, monkeypatch)
    finally:
        (corpus / "locked").chmod(0o755)
    assert result.exit_code == 2 and "corpus/locked: cannot read this folder" in result.stderr


def test_hidden_folders_are_counted(tmp_path):
    corpus = corpus_with(tmp_path, {".git/a.txt": "x", ".drafts/b.md": "x", "sub/.cache/c.txt": "x"})
    found = find_reports([str(corpus)])
    assert [Path(f.display).name for f in found.files] == ["good.txt"]
    assert found.hidden_folders == 3
    assert found.notes() == ["3 hidden folder(s) not searched"]


# ---- discovery: excludes -------------------------------------------------------------------------

NON_REPORTS = {"README.md": "# About these reports\n", "requirements.txt": "pyyaml\n", "LICENSE.txt": "MIT\n",
               "CHANGELOG.md": "## 1.0\n", "CONTRIBUTING.md": "Be kind.\n", "docs/README.md": "x\n",
               "venv/lib/site-packages/pkg.dist-info/top_level.txt": "pkg\n"}


def test_non_report_files_are_excluded_by_default(tmp_path, monkeypatch):
    corpus = corpus_with(tmp_path, {**NON_REPORTS, "support_for_carers.md": SEED.read_bytes()})
    result = invoke(["corpus", "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.stdout
    assert sorted(reports_by_path(result.stdout)) == ["corpus/good.txt", "corpus/support_for_carers.md"]
    assert find_reports(["corpus"]).excluded == 7  # six files, and venv/ counts as one folder


def test_exclude_flag_is_repeatable_and_adds_to_the_defaults(tmp_path, monkeypatch):
    corpus = corpus_with(tmp_path, {**NON_REPORTS, "drafts/d.txt": "not a report", "old.md": "nor this"})
    result = invoke(["corpus", "--engine", "pure", "--format", "json", "--exclude", "drafts",
                     "--exclude", "old.*"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.stdout
    assert list(reports_by_path(result.stdout)) == ["corpus/good.txt"]


def test_exclude_in_configuration_replaces_and_extend_exclude_adds(tmp_path, monkeypatch):
    corpus = corpus_with(tmp_path, {"README.md": "# About\n", "drafts/d.txt": "not a report"})
    (tmp_path / ".lii-check.yaml").write_text("exclude: ['drafts/*']\n")
    replaced = invoke(["corpus", "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert sorted(reports_by_path(replaced.stdout)) == ["corpus/README.md", "corpus/good.txt"]  # defaults replaced
    assert replaced.exit_code == 1
    (tmp_path / ".lii-check.yaml").write_text("extend-exclude: [drafts]\n")
    extended = invoke(["corpus", "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert list(reports_by_path(extended.stdout)) == ["corpus/good.txt"] and extended.exit_code == 0
    (tmp_path / ".lii-check.yaml").write_text("exclude: drafts\n")
    bad = invoke(["corpus"], tmp_path, monkeypatch)
    assert bad.exit_code == 2 and ".lii-check.yaml:1: 'exclude' must be a list of file patterns" in bad.stderr


def test_a_named_file_is_excluded_too_as_pre_commit_passes_them(tmp_path, monkeypatch):
    corpus_with(tmp_path, {"README.md": "# About\n"})
    both = invoke(["corpus/README.md", "corpus/good.txt", "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert list(reports_by_path(both.stdout)) == ["corpus/good.txt"] and both.exit_code == 0
    alone = invoke(["corpus/README.md"], tmp_path, monkeypatch)
    assert alone.exit_code == 2 and "corpus/README.md (by 'README.*') excluded as not a report" in alone.stderr


def test_the_pre_commit_hook_pattern_agrees_with_the_default_excludes():
    hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))[0]
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    paths = ["README.md", "docs/readme.md", "README.es.md", "reports/a.txt", "requirements-dev.txt",
             ".github/x.md", "reports/news_2024.txt", "reports/venv/x.txt", "reports/license.md", "LICENSE-MIT.txt",
             "reports/supervision.md", "reports/securityreport.md", "x/pkg.dist-info/LICENSE.txt", "CMakeLists.txt",
             "CHANGES.md", "reports/node_modules/a/b.md", "CODE_OF_CONDUCT.md", "reports/SUPPORT.txt"]
    for path in paths:
        parts = path.split("/")
        by_discovery = not any(parts[i].startswith(".") or excluded_by("/".join(parts[: i + 1]), DEFAULT_EXCLUDES)
                               for i in range(len(parts)))
        by_hook = bool(files.search(path)) and not exclude.search(path)
        assert by_hook == by_discovery, path
    assert not exclude.search("reports/a.txt") and exclude.search("README.md")


# ---- YAML: bounded, located ----------------------------------------------------------------------

def test_billion_laughs_and_recursive_aliases_are_located_errors():
    with pytest.raises(YamlProblem) as info:
        load_yaml(BILLION_LAUGHS)
    assert 2 <= info.value.line <= 9 and f"beyond {MAX_EXPANDED_NODES:,} values" in info.value.message
    with pytest.raises(YamlProblem) as info:
        load_yaml(RECURSIVE)
    assert (info.value.line, info.value.col) == (2, 5) and "recursive alias" in info.value.message
    data, node = load_yaml("base: &b {x: 1}\nuse: *b\n")  # a modest alias is still fine
    assert data == {"base": {"x": 1}, "use": {"x": 1}} and node.start_mark.line == 0


@pytest.mark.parametrize("content, where", [(BILLION_LAUGHS, "bomb.yaml:"), (RECURSIVE, "bomb.yaml:2:5:")])
def test_hostile_rule_files_give_located_problems(tmp_path, monkeypatch, content, where):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("tests", "*.md"))
    (rules / "bomb.yaml").write_text(content)
    with pytest.raises(RulebookInvalid) as info:
        load_rulebook(rules)
    [problem] = [p for p in info.value.problems if p.file.endswith("bomb.yaml")]
    assert "alias" in problem.message
    result = invoke(["rules", "validate", rules], tmp_path, monkeypatch)
    assert result.exit_code == 2 and where in result.stdout


@pytest.mark.parametrize("content", [BILLION_LAUGHS, RECURSIVE])
def test_hostile_configuration_is_a_usage_error(tmp_path, monkeypatch, content):
    (tmp_path / ".lii-check.yaml").write_text(content)
    with pytest.raises(ConfigError, match=r"\.lii-check\.yaml:\d+: this is not valid YAML \(.*alias"):
        load_config(start=tmp_path)
    result = invoke([SHIFTED], tmp_path, monkeypatch)
    assert result.exit_code == 2


@pytest.mark.parametrize("content", [BILLION_LAUGHS, RECURSIVE])
def test_hostile_front_matter_makes_one_report_unreadable(tmp_path, monkeypatch, content):
    corpus = corpus_with(tmp_path, {"bomb.md": f"---\n{content}---\n{TITLE}Score: 3\n\n{BODY}"})
    result = invoke([corpus.name, "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    bad = reports_by_path(result.stdout)["corpus/bomb.md"]
    assert bad["verdict"] == "unreadable" and "front matter" in bad["error"]["message"]
    assert "alias" in bad["error"]["message"] and bad["error"]["line"] >= 2


# ---- configuration and baseline ------------------------------------------------------------------

@pytest.mark.parametrize("toml, message", [
    ('tool = "x"\n', "pyproject.toml:1: 'tool' must be a table"),
    ('[project]\nname = "x"\n\n[tool]\nlii-check = 3\n', "pyproject.toml:5: 'lii-check' must be the table"),
])
def test_a_pyproject_with_a_scalar_tool_is_a_located_usage_error(tmp_path, monkeypatch, toml, message):
    (tmp_path / "pyproject.toml").write_text(toml)
    result = invoke([SHIFTED], tmp_path, monkeypatch)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("content, message", [
    ('{"tool": "x", "reports": []}', "not a lii-check JSON document"),
    ('["a list"]', "not a lii-check JSON document"),
    ('{"tool": {"name": "lii-check"}, "schema_version": 1, "reports": [3]}', "reports[0] needs a \"path\""),
    ('{"tool": {"name": "lii-check"}, "schema_version": 1, "reports": [{"path": "a.txt", "findings": {}}]}',
     "reports[0].findings must be a list"),
    ('{"tool": {"name": "lii-check"}, "schema_version": 1, "reports": [{"path": "a.txt", "findings": [{"rule": "r", '
     '"evidence": ["text"]}]}]}', "reports[0].findings[0] needs a \"rule\" and an \"evidence\" list"),
    ('{"tool": {"name": "lii-check"}, "schema_version": 1,\n "reports": [}', "b.json:2:14: the baseline is not JSON"),
    ("[" * 100_000, "b.json"),
])
def test_malformed_baselines_are_located_usage_errors(tmp_path, monkeypatch, content, message):
    (tmp_path / "b.json").write_text(content)
    with pytest.raises(BaselineError, match=re.escape(message)):
        load_baseline(tmp_path / "b.json")
    result = invoke([SHIFTED, "--baseline", "b.json", "--engine", "pure"], tmp_path, monkeypatch)
    assert result.exit_code == 2 and message in result.stderr


def test_baseline_entries_do_not_depend_on_how_the_path_is_spelled(tmp_path, monkeypatch):
    shutil.copytree(SHIFTED, tmp_path / "fixtures")
    made = invoke(["fixtures/", "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert made.exit_code == 1
    (tmp_path / "baseline.json").write_text(made.stdout)  # the documented way: the JSON output
    for spelling in ["./fixtures/", "fixtures", str(tmp_path / "fixtures"), "fixtures/../fixtures",
                     "./fixtures/seed000_relabelled_2.txt"]:
        again = invoke([spelling, "--engine", "pure", "--baseline", "baseline.json"], tmp_path, monkeypatch)
        assert again.exit_code == 0, (spelling, again.stdout)
    assert canonical_path("./fixtures/a.txt") == canonical_path(str(tmp_path / "fixtures" / "a.txt")) == "fixtures/a.txt"


def test_update_baseline_writes_it_atomically_from_this_run(tmp_path, monkeypatch):
    shutil.copytree(SHIFTED, tmp_path / "fixtures")
    result = invoke(["fixtures", "--engine", "pure", "--baseline", "b.json", "--update-baseline"], tmp_path, monkeypatch)
    assert result.exit_code == 0 and "wrote the baseline b.json" in result.stderr
    written = (tmp_path / "b.json").read_text("utf-8")
    doc = json.loads(written)
    assert [r["path"] for r in doc["reports"]] == ["fixtures/seed000_relabelled_2.txt", "fixtures/seed002_relabelled_1.txt"]
    assert all(f["rule"] and f["evidence"] for r in doc["reports"] for f in r["findings"])
    assert invoke(["./fixtures/", "--engine", "pure", "--baseline", "b.json"], tmp_path, monkeypatch).exit_code == 0
    before = os.stat(tmp_path / "b.json").st_ino
    again = invoke(["fixtures", "--engine", "pure", "--baseline", "b.json", "--update-baseline"], tmp_path, monkeypatch)
    assert again.exit_code == 0
    assert (tmp_path / "b.json").read_text("utf-8") == written  # deterministic
    assert os.stat(tmp_path / "b.json").st_ino != before  # replaced, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json", "fixtures"]  # no temporary file left
    missing = invoke(["fixtures", "--update-baseline"], tmp_path, monkeypatch)
    assert missing.exit_code == 2 and "--update-baseline needs --baseline FILE" in missing.stderr


def test_no_such_path_is_still_a_usage_error(tmp_path):
    with pytest.raises(NoReports, match="nope: no such file or folder"):
        find_reports([str(tmp_path / "nope")])


def test_every_test_the_bad_input_table_names_exists():
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Bad input", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| input")
            and not line.startswith("| ---")]
    assert len(rows) >= 20
    sources = {p.name: p.read_text("utf-8") for p in (REPO / "tests").glob("test_*.py")}
    for row in rows:
        named = re.findall(r"`(?:tests/(test_\w+\.py)(?:::)?)?(test_\w+)?`", row.rsplit("|", 2)[1])
        assert named, row
        for file, test in named:
            if test:
                text = sources[file] if file else sources["test_hostile_inputs.py"]
                assert f"def {test}(" in text, (row, test)
            else:
                assert file in sources, row


OLD_LABEL_RULE = """
  - id: label-disagrees
    description: The score line and the descriptor line under it give different scores.
    applies_to: [1, 2, 3, 4]
    when:
      label_disagrees: true
    severity: error
    message: The score line says {awarded} but the descriptor line under it says {label}.
    examples:
      fires:
        - awarded: 4
          text: |
            Score: 4

            3 - Evidence shows a good standard

            Staff told us supervision was regular and effective.
      quiet:
        - awarded: 3
          text: Staff told us supervision was regular and effective.
"""


def test_a_rulebook_copied_before_the_label_change_still_tests_cleanly(tmp_path, monkeypatch):
    """The former rule's example is now an unreadable report: a failed example, not an internal error."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("tests", "*.md"))
    scoring = (rules / "scoring.yaml").read_text("utf-8")
    (rules / "scoring.yaml").write_text(scoring.rstrip("\n") + "\n" + OLD_LABEL_RULE, "utf-8")
    result = invoke(["rules", "test", rules, "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    [outcome] = [r for r in json.loads(result.stdout)["rules"] if r["rule"] == "consistency.label-disagrees"]
    assert outcome["misses"] and outcome["misses"][0].startswith(
        "unreadable example: the score line and the label line disagree: line 1 'Score: 4' and line 3")


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes are a POSIX file-system feature")
def test_a_file_name_that_is_not_utf8_is_shown_with_its_bytes_and_checked(tmp_path):
    seed = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "seeds").glob("*.txt"))[0]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / os.fsdecode(b"bad\xff name.txt")).write_bytes(seed.read_bytes())
    for fmt in ("json", "table", "sarif", "junit", "github", "markdown"):
        done = CliRunner().invoke(main, ["check", str(corpus), "--engine", "pure", "--format", fmt])
        assert done.exit_code == 0, (fmt, done.output)  # was an internal error (exit 3) in every format
        if fmt == "json":  # the byte shown as the four characters \xff, distinct from any other byte
            assert [r["path"] for r in json.loads(done.stdout)["reports"]] == [f"{corpus}/bad\\xff name.txt"]
        elif fmt in ("table", "junit"):  # SARIF, GitHub and Markdown name only reports with findings
            assert "bad\\xff name.txt" in done.stdout, fmt
    assert sorted(p.name for p in corpus.iterdir()) == [os.fsdecode(b"bad\xff name.txt")]  # read, not renamed


def _baselined_latin1_report(tmp_path: Path, monkeypatch) -> tuple[CliRunner, Path]:
    """nb/lat<0xE9>.txt, a mis-scored report, with a baseline b.json accepting its findings; cwd is tmp_path."""
    shifted = Path(__file__).resolve().parents[1] / "fixtures" / "shifted" / "seed000_relabelled_2.txt"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / os.fsdecode(b"lat\xe9.txt")).write_bytes(shifted.read_bytes())
    runner = CliRunner()
    assert runner.invoke(main, ["check", "nb", "--engine", "pure", "--baseline", "b.json", "--update-baseline"]).exit_code == 0
    return runner, shifted


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes are a POSIX file-system feature")
def test_two_names_that_differ_only_in_a_byte_that_is_not_utf8_stay_two_reports_for_the_baseline(tmp_path, monkeypatch):
    # Shown with U+FFFD, "lat\xe9" and "lat\xe8" were the same path: a baseline entry for one accepted the other.
    runner, shifted = _baselined_latin1_report(tmp_path, monkeypatch)
    assert json.loads((tmp_path / "b.json").read_text("utf-8"))["reports"][0]["path"] == "nb/lat\\xe9.txt"
    assert runner.invoke(main, ["check", "nb", "--engine", "pure", "--baseline", "b.json"]).exit_code == 0
    (tmp_path / "nb" / os.fsdecode(b"lat\xe8.txt")).write_bytes(shifted.read_bytes())  # a new report
    done = runner.invoke(main, ["check", "nb", "--engine", "pure", "--baseline", "b.json", "--format", "concise"])
    assert done.exit_code == 1 and "nb/lat\\xe8.txt" in done.stdout and "nb/lat\\xe9.txt" not in done.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="file names of arbitrary bytes are a POSIX file-system feature")
def test_a_name_holding_the_escape_as_text_is_not_shown_as_the_byte_it_spells(tmp_path, monkeypatch):
    # A file literally named "lat\xe9.txt" was shown exactly as the Latin-1 "lat<0xE9>.txt": a baseline entry for
    # one accepted the other, a new and different report (hostile16 12).
    runner, shifted = _baselined_latin1_report(tmp_path, monkeypatch)
    (tmp_path / "nb" / "lat\\xe9.txt").write_bytes(shifted.read_bytes())  # backslash, x, e, 9
    done = runner.invoke(main, ["check", "nb", "--engine", "pure", "--baseline", "b.json", "--format", "json"])
    assert done.exit_code == 1
    shown = {r["path"]: r["verdict"] for r in json.loads(done.stdout)["reports"]}
    assert shown == {"nb/lat\\xe9.txt": "consistent", "nb/lat\\\\xe9.txt": "inconsistent"}
    # A backslash no escape could be read into stays single: "c/back\slash.md" is shown as it is.
    assert shown_path("c/back\\slash.md") == "c/back\\slash.md"
    assert shown_path("a\\\x1b.md") == "a\\\\\\x1b.md"  # a backslash before an escaped character is doubled
    # A no-break space (U+00A0) is not shown as the byte 0xA0 of a name that is not UTF-8 (review9 03).
    assert (shown_path("a\xa0.md"), shown_path(os.fsdecode(b"a\xa0.md"))) == ("a\\u00a0.md", "a\\xa0.md")


@pytest.mark.parametrize("change, words", [
    (lambda r: r.update(path="c/a\ud800.md"), "not valid Unicode"),  # valid JSON ("\\ud800"); was an internal error
    (lambda r: r.update(awarded_score="3"), "awarded_score must be the score"),  # was read as "no score recorded"
    (lambda r: r.update(awarded_score=[3]), "awarded_score must be the score"),
    (lambda r: r.update(awarded_score=7), "awarded_score must be the score"),
])
def test_a_baseline_with_a_value_lii_check_never_writes_is_refused_by_name(tmp_path, change, words):
    doc = {"schema_version": 1, "tool": {"name": "lii-check"},
           "reports": [{"path": "c/a.md", "awarded_score": 3, "findings": [{"rule": "r", "evidence": [{"text": "t"}]}]}]}
    assert load_baseline(_write_json(tmp_path / "ok.json", doc)).scores == {"c/a.md": 3}
    change(doc["reports"][0])
    with pytest.raises(BaselineError, match=words):
        load_baseline(_write_json(tmp_path / "b.json", doc))


def test_a_baseline_holding_nan_is_not_json(tmp_path):
    (tmp_path / "b.json").write_text('{"schema_version": NaN, "tool": {"name": "lii-check"}, "reports": []}', "utf-8")
    with pytest.raises(BaselineError, match="NaN is not a JSON value"):
        load_baseline(tmp_path / "b.json")


def _write_json(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), "utf-8")  # ensure_ascii: a lone surrogate is written as its escape, as JSON allows
    return path


@pytest.mark.parametrize("encoding, where", [("latin-1", ":3: the file is not UTF-8 text (byte 0xE9"),
                                              ("utf-16", ":1: the file is UTF-16 text")])
def test_configuration_baseline_and_rule_files_that_are_not_utf8_are_named_at_their_line(tmp_path, encoding, where):
    # They got Python's codec message ("'utf-8' codec can't decode byte 0xe9 in position 29"), no line, no advice;
    # a rule file was placed at 1:1 whatever the line (hostile16 09).
    config = tmp_path / "c.yaml"
    config.write_bytes("# settings\nfail-on: error\n# café\n".encode(encoding))
    with pytest.raises(ConfigError) as got:
        load_config(config)
    assert str(got.value).startswith(f"{config}{where}") and str(got.value).endswith("re-save it as UTF-8")
    baseline = tmp_path / "b.json"
    baseline.write_bytes('{\n "tool": {"name": "lii-check"},\n "note": "café"}\n'.encode(encoding))
    with pytest.raises(BaselineError) as got:
        load_baseline(baseline)
    assert str(got.value).startswith(f"{baseline}{where}") and str(got.value).endswith("re-save it as UTF-8")
    rules = tmp_path / "o"
    rules.mkdir()
    (rules / "t.yaml").write_bytes("kind: overlay\nextends: bundled\n# café\n".encode(encoding))
    with pytest.raises(RulebookInvalid) as got:
        load_rulebook(rules)
    [problem] = got.value.problems
    assert f"t.yaml:{problem.line}: {problem.message}".startswith(f"t.yaml{where}")


def test_a_hidden_file_that_would_be_a_report_is_named_in_the_notes(tmp_path, monkeypatch):
    # Hidden folders were counted in the summary, hidden files skipped without a word: ".draft.md" may be a report
    # someone meant to check.
    seed = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "seeds").glob("*.txt"))[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c").mkdir()
    shutil.copy(seed, tmp_path / "c" / "r.txt")
    shutil.copy(seed, tmp_path / "c" / ".draft.md")
    (tmp_path / "c" / ".notes").write_text("not a report\n", "utf-8")  # not a report's suffix: not named
    found = find_reports(["c"])
    assert [f.display for f in found.files] == ["c/r.txt"]
    assert found.notes() == ["1 hidden file(s) not read as reports (rename one without its leading dot to check it): "
                             "c/.draft.md"]


def test_a_clause_of_thousands_of_negated_cues_is_read_in_linear_work(compiled, monkeypatch):
    """Counted work, not time: each negated cue looked back over every masked cue before it, so 100 KB of
    "not embedded" took 25 s and `explain` (no time budget) never finished. Doubling the clause must about double
    the masked-span checks, not quadruple them."""
    from lii_check import reading
    from lii_check.parser import parse_report

    checks = []
    real = reading._Index.overlaps
    monkeypatch.setattr(reading._Index, "overlaps", lambda self, *a: checks.append(1) or real(self, *a))

    def work(repeats: int) -> int:
        checks.clear()
        text = "Learning, improvement and innovation\nScore: 4\n\nLearning was " + "not embedded " * repeats + "\n"
        evidence = reading.find_evidence(parse_report(text, "r.md"), compiled, keep_set_aside=False).evidence
        assert evidence and {e.level for e in evidence} == {"shortfall"}  # read, and read as negated
        return len(checks)

    small, large = work(400), work(1600)
    assert large < 5 * small, (small, large)  # 4x the text: ~4x the work (quadratic was ~16x)



@pytest.mark.parametrize("data, line, column, words", [
    (b"\xef\xbb\xbfa: 1\nb: caf\xe9\n", 2, 7, "byte 0xE9"),  # after a UTF-8 byte-order mark: counted from the file's start
    (b"a: 1\x00\nb: 2\nc: \xe9\n", 3, 4, "byte 0xE9"),  # a stray NUL does not make UTF-8 text UTF-16
    ("é".encode() + b"\xff\n", 1, 2, "byte 0xFF"),  # columns in characters, as editors count them
    ("café: 1\n".encode("utf-16-le"), 1, 1, "UTF-16"),  # UTF-16 without a byte-order mark
])
def test_text_that_is_not_utf8_is_placed_where_an_editor_shows_it(data, line, column, words):
    from lii_check.textfile import NotUtf8, decode

    with pytest.raises(NotUtf8) as got:
        decode(data)
    assert (got.value.line, got.value.column) == (line, column) and words in got.value.message
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
