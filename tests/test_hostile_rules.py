"""Hostile or careless input to the rule-side of lii-check: its cache, large or odd rule folders, fixture
manifests, configuration. Each gets a located message and the right exit code, never a traceback."""
import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check import cache, matcher, safe_yaml
from lii_check.cli import main
from lii_check.matcher import Matcher, Pattern, available_engines
from lii_check.rulebook import BUNDLED, RulebookInvalid, bundled_rules_dir, load_rulebook
from lii_check.rulebook.model import Cue
from lii_check.safe_yaml import MAX_EXPANDED_NODES, YamlProblem, load_yaml

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt"
needs_hyperscan = pytest.mark.skipif("hyperscan" not in available_engines(), reason="needs hyperscan")

# Found in the bundled rulebook: hyperscan compiles it, but cannot report where its matches start.
NO_START = (r"\b(?:leaders|senior leaders|senior managers|the director)\b[^.;]{0,40}\b(?:listen\w*|visible|"
            r"accessible|approachable|invited|sought|asked for|acted on|responded to) (?:to |by |and accessible "
            r"to )?(?:staff|ideas|views|suggestions|concerns|frontline)\b")


def _patterns(regexes: list[tuple[str, str]]) -> list[Pattern]:
    return [Pattern(i, "topic", "t", i, 1, False, regex, Cue(regex, kind, regex, "t.yaml", i + 1))
            for i, (regex, kind) in enumerate(regexes)]


SMALL = _patterns([(r"\bsupervision\b", "phrase"), (r"\bstaff said\b", "phrase"), (NO_START, "regex")])
TEXT = "The senior managers listened to staff. Supervision was monthly and staff said so."


def invoke(args, monkeypatch, cwd):
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result


# ---------------------------------------------------------------------------------------------------------
# 1. A damaged cache entry is rebuilt, never an internal error


@needs_hyperscan
@pytest.mark.parametrize("damage", ["truncated", "garbage", "layout-keys", "layout-pids", "layout-not-json",
                                    "layout-plausible"])
def test_a_damaged_hyperscan_cache_entry_is_rebuilt_and_overwritten(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    expected = Matcher(SMALL, "hyperscan").scan(TEXT)
    [hsdb], [layout] = list(tmp_path.glob("hs-*.hsdb")), [p for p in tmp_path.glob("hs-*.json")
                                                          if "verdicts" not in p.name]
    good_db, good_layout = hsdb.read_bytes(), layout.read_bytes()
    if damage == "truncated":
        hsdb.write_bytes(good_db[: len(good_db) // 2])
    elif damage == "garbage":
        hsdb.write_bytes(b"\0" * 64)
    elif damage == "layout-keys":
        layout.write_text('{"by_start": []}')
    elif damage == "layout-pids":
        layout.write_text('{"by_end": ["x", 99], "left_out": []}')
    elif damage == "layout-plausible":  # parses, names valid patterns, and is not the layout stored with this database
        layout.write_text('{"by_end": [], "left_out": [0]}')
    else:
        layout.write_bytes(b"\xff not json")
    again = Matcher(SMALL, "hyperscan")
    assert again.scan(TEXT) == expected
    assert (hsdb.read_bytes(), layout.read_bytes()) == (good_db, good_layout)  # the bad entry was overwritten


@pytest.fixture
def built_once(compiled, monkeypatch):
    """The bundled cues' database as this process would hold it after building it once (matcher._BUILT),
    taken from the session's compiled rulebook: a run whose cache is empty, damaged or off then costs no
    5-second compile, and what it does with its cache is still what is tested. The key is made as
    matcher._HyperscanEngine makes it (of the scan forms); if that drifts, this fails rather than let every
    test using it compile the whole database again unnoticed."""
    import hyperscan

    if compiled.matcher.engine != "hyperscan":
        return
    engine = compiled.matcher._engine
    key = matcher.database_key([matcher.scan_form(p.regex) for p in compiled.patterns])
    layout = {"by_end": sorted(engine._by_end), "left_out": sorted(engine._left)}
    monkeypatch.setitem(matcher._BUILT, key, (hyperscan.dumpb(engine._db), layout))
    with pytest.MonkeyPatch.context() as check:
        check.setenv("LII_CHECK_NO_CACHE", "1")
        check.setattr(matcher, "_build_database", lambda *a: pytest.fail(
            "built_once: matcher._BUILT is keyed otherwise now; make the key here as _HyperscanEngine does"))
        Matcher(compiled.patterns, "hyperscan")


@needs_hyperscan
def test_a_truncated_hyperscan_cache_does_not_break_a_check_run(tmp_path, monkeypatch, built_once):
    """The tester's case, through the command line: `head -c 5000` of the .hsdb file."""
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "pc"))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    first = invoke(["--format", "json", str(SEED)], monkeypatch, tmp_path)
    [hsdb] = list((tmp_path / "pc").glob("hs-*.hsdb"))
    whole = hsdb.read_bytes()
    hsdb.write_bytes(whole[:5000])
    second = invoke(["--format", "json", str(SEED)], monkeypatch, tmp_path)
    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout)
    assert "internal error" not in second.stderr
    assert hsdb.read_bytes() == whole


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_cache_entry_that_is_a_named_pipe_is_rebuilt_not_waited_on(tmp_path, monkeypatch, built_once):
    """A cache restored from an archive (or a prank) with a named pipe under an entry's name: opening it blocked
    until something wrote to it, and every check hung before reading a report (hostile16 08)."""
    import threading

    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "pc"))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    first = invoke(["--format", "json", str(SEED)], monkeypatch, tmp_path)
    entries = sorted(p.name for p in (tmp_path / "pc").iterdir() if not p.name.startswith("."))
    assert any(n.startswith("rulebook-") for n in entries)
    for name in entries:
        (tmp_path / "pc" / name).rename(tmp_path / "saved")
        os.mkfifo(tmp_path / "pc" / name)
        got: list = []
        reader = threading.Thread(target=lambda: got.append(cache.read(name)), daemon=True)
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), f"reading the cache entry {name}, a named pipe, blocked"
        assert got == [None]  # not a regular file: not read, so it is rebuilt
        (tmp_path / "pc" / name).unlink()
        (tmp_path / "saved").rename(tmp_path / "pc" / name)
    assert invoke(["--format", "json", str(SEED)], monkeypatch, tmp_path).stdout == first.stdout


@needs_hyperscan
def test_the_hyperscan_cache_key_holds_the_platform_and_cpu(tmp_path, monkeypatch):
    """A CI cache restored on another kind of runner: a database tuned for another CPU is never loaded."""
    import hyperscan
    import platform

    identity = matcher._platform_identity()
    assert hyperscan.__version__ in identity and platform.machine() in identity
    if Path("/proc/cpuinfo").exists():
        assert any(f in identity.split() for f in ("sse2", "fpu", "neon", "asimd"))
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    Matcher(SMALL, "hyperscan")
    monkeypatch.setattr(matcher, "_platform_identity", lambda: identity + "|another cpu")
    Matcher(SMALL, "hyperscan")
    assert len(list(tmp_path.glob("hs-*.hsdb"))) == 2


# ---------------------------------------------------------------------------------------------------------
# 4. Many phrases: no trial compile per pattern; a long file is not called a 'billion laughs'


@needs_hyperscan
def test_patterns_are_compiled_together_not_tried_one_by_one(tmp_path, monkeypatch):
    import hyperscan as hs

    # NO_START's word gap would be compiled without starts by choice; here it stands for any cue hyperscan
    # refuses with starts, so the trials are what runs.
    monkeypatch.setattr(matcher, "_start_is_costly", lambda regex: False)
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    calls = []
    real, alone = matcher._compiles, matcher._hyperscan_flag.__wrapped__  # (not its per-process memo)
    monkeypatch.setattr(matcher, "_compiles", lambda h, ps, fl: calls.append(len(ps)) or real(h, ps, fl))
    monkeypatch.setattr(matcher, "_hyperscan_flag", lambda r, s, p: calls.append("alone") or alone(r, s, p))
    som = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_SOM_LEFTMOST
    plain = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
    phrases = _patterns([(rf"\bsynthetic phrase {i}\b", "phrase") for i in range(60)])
    db, flags = matcher._build_database(hs, phrases, som, plain)
    assert calls == [60] and set(flags.values()) == {som}  # one compile, the whole database

    # One regex cue hyperscan cannot give starts for, among 60 phrases: the phrases are never tried alone.
    calls.clear()
    mixed = _patterns([(rf"\bsynthetic phrase {i}\b", "phrase") for i in range(60)] + [(NO_START, "regex")])
    db, flags = matcher._build_database(hs, mixed, som, plain)
    assert flags[60] == plain and all(flags[i] == som for i in range(60))
    assert calls == [61, "alone", 61]  # all, the regex cue alone, all again
    # Its verdict is remembered: the next build (say, after more phrases were added) tries nothing alone.
    monkeypatch.delenv("LII_CHECK_NO_CACHE")
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    matcher._build_database(hs, mixed, som, plain)
    calls.clear()
    more = _patterns([(rf"\bsynthetic phrase {i}\b", "phrase") for i in range(80)] + [(NO_START, "regex")])
    db, flags = matcher._build_database(hs, more, som, plain)
    assert calls == [81, 81] and flags[80] == plain
    assert Matcher(mixed, "hyperscan").scan("the senior managers listened to staff")


@needs_hyperscan
def test_a_cue_with_a_word_gap_is_compiled_without_starts_and_still_gets_them(monkeypatch):
    # Starts of a ranged gap cost hyperscan most of a scan and of a compile: such a cue is compiled without
    # them at once (no trial compiles), and RE2 finds its starts on the lines where it ended.
    import hyperscan as hs

    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    gap = r"\b(?:staff|workers)\b[^.;\n]{0,40}?\bsaid\b"
    assert matcher._start_is_costly(gap) and not matcher._start_is_costly(r"\bstaff said\b")
    assert not matcher._start_is_costly(r"\bx\{0,4\}")  # an escaped brace is a literal, not a repeat
    calls = []
    real = matcher._compiles
    monkeypatch.setattr(matcher, "_compiles", lambda h, ps, fl: calls.append(len(ps)) or real(h, ps, fl))
    som = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_SOM_LEFTMOST
    plain = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
    patterns = _patterns([(r"\bsupervision\b", "phrase"), (gap, "regex")])
    _, flags = matcher._build_database(hs, patterns, som, plain)
    assert calls == [2] and flags == {0: som, 1: plain}
    text = "Supervision was monthly and staff, when asked, said so.\nWorkers said it; staff said it too."
    both = Matcher(patterns, "hyperscan").scan_lines(text, [text.index("\n"), len(text)])
    assert both == Matcher(patterns, "re2").scan_lines(text, [text.index("\n"), len(text)])
    assert [(text.split("\n")[i][a:b], pid) for i, line in enumerate(both) for a, b, pid in line] == [
        ("Supervision", 0), ("staff, when asked, said", 1), ("Workers said", 1), ("staff said", 1)]


@needs_hyperscan
def test_a_cached_verdict_that_is_wrong_costs_time_not_results(tmp_path, monkeypatch):
    import hyperscan as hs

    monkeypatch.setattr(matcher, "_start_is_costly", lambda regex: False)  # as in the test above
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    (tmp_path / matcher._verdicts_name()).write_text(json.dumps({NO_START: "som"}))
    som = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_SOM_LEFTMOST
    plain = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
    _, flags = matcher._build_database(hs, SMALL, som, plain)
    assert flags == {0: som, 1: som, 2: plain}
    assert json.loads((tmp_path / matcher._verdicts_name()).read_text()) == {NO_START: "plain"}


# The node limit's mechanism is tested at 2,000 nodes (PyYAML's pure-Python parser takes ~2 s for 100,000); the
# limit a user meets is the documented 100,000.
LIMIT = 2_000


def test_a_long_file_without_aliases_is_not_called_a_billion_laughs(monkeypatch):
    assert MAX_EXPANDED_NODES == 100_000
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_NODES", LIMIT)
    text = "kind: theme\nphrases:\n" + "".join(f"  - phrase {i}\n" for i in range(LIMIT + 10))
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert caught.value.message == (
        "the file holds more than 2,000 values (list items, keys and values), the most lii-check reads from "
        "one YAML file: shorten its lists or split it into several files")
    assert caught.value.line == LIMIT - 2  # the 2,001st node: 5 come before the list items
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcde", "bcdef"))
    with pytest.raises(YamlProblem, match="'billion laughs'"):
        load_yaml(laughs)


def test_a_rule_file_with_too_many_values_is_located_in_validate(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_NODES", LIMIT)
    rules = tmp_path / "big"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    path = rules / "research.yaml"
    extra = "".join(f"    - synthetic phrase {i}\n" for i in range(LIMIT))
    path.write_text(path.read_text("utf-8").replace("topic:\n  phrases:\n", "topic:\n  phrases:\n" + extra, 1),
                    "utf-8")
    result = invoke(["rules", "validate", str(rules)], monkeypatch, tmp_path)
    assert result.exit_code == 2
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:") and "unusable YAML: the file holds more than 2,000 values" in first


# ---------------------------------------------------------------------------------------------------------
# 2. The rulebook cache is JSON, and entries another account could have planted are not read


class _Planted:
    """What a hostile pickle does when loaded: here, make a folder (harmless, and easy to see)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def _rulebook_entry(folder: Path) -> Path:
    [entry] = list(folder.glob("rulebook-*"))
    return entry


def test_a_process_keeps_a_loaded_rulebook_only_while_its_cache_entry_is_unchanged(tmp_path, monkeypatch):
    """The second load in a process comes from memory, as its own copy; a cache entry replaced since (same
    key, other bytes) is read again."""
    from lii_check.rulebook import stored

    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    first = load_rulebook()
    entry = _rulebook_entry(tmp_path / "cache")
    decoded = []
    real_loads = stored.loads
    monkeypatch.setattr(stored, "loads", lambda blob: decoded.append(1) or real_loads(blob))
    second = load_rulebook()
    assert second == first and second is not first and decoded == []  # from memory, not the entry
    second.themes.clear()  # a caller changing its copy changes nobody else's
    assert load_rulebook() == first
    os.utime(entry, ns=(1, 1))  # the entry is not the one this process read
    assert load_rulebook() == first and decoded == [1]


def test_the_rulebook_cache_is_json_and_a_planted_pickle_runs_nothing(tmp_path, monkeypatch):
    import pickle

    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    first = load_rulebook()
    entry = _rulebook_entry(tmp_path / "cache")
    assert json.loads(entry.read_bytes())["$"] == "Rulebook"
    assert load_rulebook() == first  # read back from the entry, equal in every field
    marker = tmp_path / "code-ran"
    entry.write_bytes(pickle.dumps(_Planted(marker)))
    assert load_rulebook() == first
    assert not marker.exists()
    assert json.loads(entry.read_bytes())["$"] == "Rulebook"  # the planted entry was overwritten


def test_a_json_entry_naming_another_class_or_field_is_refused():
    from lii_check.rulebook import stored

    rulebook = load_rulebook()
    data = json.loads(stored.dumps(rulebook))
    for damage in ({"$": "Popen", "f": {"args": ["true"]}}, {"$": "Cue", "f": {"text": "x"}}, [1, 2], "x"):
        with pytest.raises(ValueError):
            stored.loads(json.dumps({**data, "f": {**data["f"], "language": damage}}).encode())
    with pytest.raises(ValueError):
        stored.loads(b"\x80\x04 a pickle")


def test_every_field_of_an_overlaid_rulebook_survives_the_json_form():

    from lii_check.rulebook import stored

    rulebook = load_rulebook()
    overlaid = dataclasses.replace(
        rulebook, base=BUNDLED, overlay_files=("team/team.yaml",), disabled=(("research:r1", "team/team.yaml:4"),),
        removed_cues=(("topic:research", "research*", r"\bresearch\w*", "team/team.yaml:9"),),
        builtin_overrides=(("lii-check.no-score", "off"),))
    back = stored.loads(stored.dumps(overlaid))
    assert back == overlaid
    assert isinstance(back.bundled_files, frozenset) and isinstance(back.disabled[0], tuple)
    assert back.scoring.bands == rulebook.scoring.bands and set(back.scoring.bands) == {2, 3, 4}


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_cache_entries_others_could_write_are_not_read(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(folder))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    cache.write("entry", b"data")
    assert (folder.stat().st_mode & 0o777, (folder / "entry").stat().st_mode & 0o777) == (0o700, 0o600)
    assert cache.read("entry") == b"data"
    (folder / "entry").chmod(0o620)  # group-writable entry
    assert cache.read("entry") is None
    (folder / "entry").chmod(0o600)
    folder.chmod(0o777)  # a folder anyone can write to: nothing in it is trusted, nothing written to it
    assert cache.read("entry") is None
    cache.write("other", b"x")
    assert not (folder / "other").exists()
    folder.chmod(0o700)
    (folder / "link").symlink_to(folder / "entry")
    assert cache.read("link") is None
    if os.geteuid() == 0:  # only root can give a file to another account
        os.chown(folder / "entry", os.geteuid() + 4242, -1)
        assert cache.read("entry") is None


# ---------------------------------------------------------------------------------------------------------
# 3. The cache is never in the corpus being read


@pytest.mark.parametrize("where, given, avoided", [
    ("corpus/lii-check", "corpus", True),  # XDG_CACHE_HOME=corpus
    ("corpus", "corpus", True),  # LII_CHECK_CACHE_DIR=corpus
    (".", ".", True),  # LII_CHECK_CACHE_DIR=. with `lii-check .`
    ("corpus/deep/er", "corpus/deep", True),
    ("corpus2/lii-check", "corpus", False),  # a sibling whose name starts the same
    ("cache", "corpus", False),
    ("corpus", "corpus/sub", False),  # the corpus inside the cache folder: nothing is written there
])
def test_the_cache_is_not_used_when_it_lies_in_a_path_being_read(tmp_path, monkeypatch, where, given, avoided):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", where)
    assert cache.avoid([str(SEED), given]) is avoided
    assert (cache.cache_dir() is None) is avoided
    before = sorted(p for p in tmp_path.rglob("*"))
    load_rulebook()
    if avoided:
        assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written anywhere
    else:
        assert list(Path(where).glob("rulebook-*"))


@pytest.mark.parametrize("command", [["rules", "list", "team"], ["rules", "validate", "team"],
                                     ["check", "--rules", "team", "--engine", "pure", "corpus/r.txt"],
                                     ["check", "--engine", "pure", "corpus/r.txt"]])
def test_the_cache_never_lands_in_the_rules_folder_or_beside_a_report_named(tmp_path, monkeypatch, command):
    # LII_CHECK_CACHE_DIR inside the rules folder, or inside the folder of a report named on its own: each is
    # a folder the command reads, and lii-check never writes where it reads (as --output may not).
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "t.yaml").write_text("kind: overlay\nextends: bundled\ndescription: a team's rules\n", "utf-8")
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / "r.txt")
    inside = "corpus/cache" if command[-1] == "corpus/r.txt" and "--rules" not in command else "team/cache"
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", inside)
    result = invoke(command, monkeypatch, tmp_path)
    assert result.exit_code in (0, 1), result.output
    assert not (tmp_path / inside).exists()
    # The next command, reading elsewhere, uses the cache again: the decision is per command.
    assert cache.avoid([str(tmp_path / "elsewhere")]) is False and cache.cache_dir() is not None


def test_the_cache_folder_through_a_symlink_is_still_in_the_corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "corpus")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "link"))
    monkeypatch.delenv("LII_CHECK_CACHE_DIR", raising=False)
    assert cache.avoid([str(tmp_path / "corpus")]) is True


# ---------------------------------------------------------------------------------------------------------
# 5. A fixture manifest that cannot be used is a located usage error, before anything is tested

NO_FILE = "'file' must be the report's path, relative to this manifest's folder, not"


@pytest.mark.parametrize("text, problems", [
    ("not: a list\n", ["1: the manifest must be a list of entries, each starting '- file: NAME'"]),
    ("- just a string\n", ["1: each entry must be a block of 'key: value' lines starting with 'file: NAME', "
                           "not 'just a string'"]),
    ("- verdict: consistent\n", ["1: this entry has no 'file:': add the report's path, relative to this "
                                 "manifest's folder"]),
    ("- file: 5\n  verdict: consistent\n", [f"1: {NO_FILE} 5"]),
    ("- file: /etc/passwd\n  verdict: consistent\n",
     ["1: 'file: /etc/passwd' is an absolute path: give the report's path relative to this manifest's folder"]),
    ("- file: ../r.txt\n  verdict: consistent\n",
     ["1: 'file: ../r.txt' leaves the fixtures folder: keep each report beside or below its manifest"]),
    ("# a comment\n- file: r.txt\n  must_fire: consistency.score-below-evidence\n",
     ["3: 'must_fire' must be a list of rule ids, one per line as '- rule.id' (or [rule.id]), not "
      "'consistency.score-below-evidence'"]),
    ("- file: r.txt\n  verdict: consistent\n  must_fir: [consistency.score-below-evidence]\n",
     ["3: unknown key 'must_fir': did you mean 'must_fire'?"]),
    ("- file: r.txt\n  must_not_fire: [consistency.score-belov-evidence]\n",
     ["2: no rule called 'consistency.score-belov-evidence': did you mean "
      "'consistency.score-below-evidence'?"]),
    ("- file: r.txt\n  why: no checks\n", ["1: this entry checks nothing: add 'verdict:', 'evidence_score:', "
                                           "'must_fire:' or 'must_not_fire:'"]),
    ("- file: r.txt\n  verdict: consistant\n  evidence_score: 5\n  verdict: consistent\n",
     ["3: 'evidence_score' must be a band from 1 to 4, not 5",
      "4: the key 'verdict' appears twice in this block (first on line 2); keep one of them"]),
    ("- file: r.txt\n  verdict: consistant\n",
     ["2: 'verdict' must be one of consistent, inconsistent, unreadable, not 'consistant'"]),
    ("", ["1: the manifest lists no reports: add an entry per report ('- file: NAME' with 'verdict:', "
          "'evidence_score:', 'must_fire:' or 'must_not_fire:'), or delete the file"]),
    ("[]\n", ["1: the manifest lists no reports: add an entry per report ('- file: NAME' with 'verdict:', "
              "'evidence_score:', 'must_fire:' or 'must_not_fire:'), or delete the file"]),
    ("- file: [r.txt\n", None),  # a YAML syntax error: located by the loader
])
def test_a_manifest_that_cannot_be_used_is_a_located_usage_error(tmp_path, monkeypatch, text, problems):
    folder = tmp_path / "fx"
    folder.mkdir()
    shutil.copy(SEED, folder / "r.txt")
    (folder / "expected.yaml").write_text(text, "utf-8")
    result = invoke(["rules", "test", "--engine", "pure", "--fixtures", "fx"], monkeypatch, tmp_path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    if problems is None:
        assert lines[0] == ("lii-check: fx/expected.yaml:1: this is not valid YAML (the file ends inside a list, a "
                            "block or a quotation: close the '[', '{' or quote left open on or before this line)")
        problems = [None]
    else:
        assert lines[:-1] == [f"lii-check: fx/expected.yaml:{p}" for p in problems]
    assert lines[-1] == f"lii-check: {len(problems)} problem(s) in the fixture manifests; nothing was tested"
    assert result.stdout == ""


def test_the_repository_manifests_are_valid_and_a_good_one_still_runs(tmp_path, monkeypatch):
    from lii_check.ruletest import check_manifests, run_fixture_tests
    from lii_check.compiled import compile_rulebook_once

    compiled = compile_rulebook_once(load_rulebook(), "re2")
    check_manifests([REPO / "fixtures"], compiled)  # raises on any problem
    folder = tmp_path / "fx"
    folder.mkdir()
    shutil.copy(SEED, folder / "r.txt")
    (folder / "expected.yaml").write_text(
        "- file: r.txt\n  evidence_score: 3\n  verdict: consistent\n  must_not_fire: [consistency.score-above-evidence]\n"
        "  todo: false\n  hard_case: null\n  why: a real seed\n", "utf-8")
    [outcome] = run_fixture_tests(folder, compiled, "pure")
    assert (outcome.rule, outcome.passed, outcome.misses, outcome.false_alarms) == ("fixture:r.txt", 3, [], [])


# ---------------------------------------------------------------------------------------------------------
# 6. A key written twice in .lii-check.yaml is refused, located


@pytest.mark.parametrize("text, message", [
    ("fail-on: error\nformat: json\nfail-on: never\n",
     "3: the key 'fail-on' appears twice in this block (first on line 1); keep one of them"),
    ("severity:\n  consistency.score-above-evidence: info\n  consistency.score-above-evidence: error\n",
     "3: the key 'consistency.score-above-evidence' appears twice in this block (first on line 2); keep one of them"),
])
def test_a_duplicate_key_in_the_yaml_configuration_is_a_located_error(tmp_path, monkeypatch, text, message):
    from lii_check.config import ConfigError, load_config

    (tmp_path / ".lii-check.yaml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(start=tmp_path)
    assert str(caught.value) == f"{tmp_path / '.lii-check.yaml'}:{message}"
    shutil.copy(SEED, tmp_path / "r.txt")
    result = invoke(["r.txt"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"lii-check: {tmp_path / '.lii-check.yaml'}:{message}\n"


# ---------------------------------------------------------------------------------------------------------
# 7. Rule files lii-check would not read are reported, not skipped


OVERLAY = "kind: overlay\nextends: bundled\n"


def test_a_rule_file_in_a_subfolder_is_a_located_problem(tmp_path, monkeypatch):
    (tmp_path / "ovq" / "sub").mkdir(parents=True)
    (tmp_path / "ovq" / "a.yaml").write_text(OVERLAY, "utf-8")
    (tmp_path / "ovq" / "sub" / "c.yml").write_text("kind: overlay\nthemes:\n  research:\n    weight: 0\n", "utf-8")
    (tmp_path / "ovq" / ".git").mkdir()
    (tmp_path / "ovq" / ".git" / "x.yaml").write_text("not: read\n", "utf-8")  # hidden folders are left alone
    (tmp_path / "ovq" / "notes").mkdir()
    (tmp_path / "ovq" / "notes" / "README.md").write_text("notes\n", "utf-8")
    result = invoke(["rules", "validate", "ovq"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ("ovq/sub/c.yml:1:1: rule files in a subfolder are not read (a rules folder is flat): "
                             "move it into ovq or out of the rules folder\n")


def test_an_upper_case_suffix_is_named_not_a_missing_language_file(tmp_path, monkeypatch):
    (tmp_path / "ovq").mkdir()
    (tmp_path / "ovq" / "overlay.YAML").write_text(OVERLAY, "utf-8")
    result = invoke(["rules", "validate", "ovq"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ("ovq/overlay.YAML:1:1: lii-check reads only files ending '.yaml' or '.yml' in lower "
                             "case, so this file is not read: rename it to 'overlay.yaml'\n")


def test_an_overlay_may_keep_its_base_in_a_subfolder(tmp_path):
    team = tmp_path / "team"
    shutil.copytree(bundled_rules_dir(), team / "base", ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    (team / "team.yaml").write_text("kind: overlay\nextends: base\n", "utf-8")
    rulebook = load_rulebook(str(team))
    assert rulebook.base == str(team / "base")
    (team / "base" / "extra").mkdir()
    (team / "base" / "extra" / "x.yaml").write_text("kind: theme\n", "utf-8")
    with pytest.raises(RulebookInvalid) as caught:  # the base's own subfolder is still the base's mistake
        load_rulebook(str(team))
    assert [str(p) for p in caught.value.problems] == [
        f"{team / 'base' / 'extra' / 'x.yaml'}:1:1: rule files in a subfolder are not read (a rules folder is flat): "
        f"move it into {team / 'base'} or out of the rules folder"]


def test_a_stray_file_added_after_a_cached_load_is_still_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    (tmp_path / "ovq").mkdir()
    (tmp_path / "ovq" / "a.yaml").write_text(OVERLAY, "utf-8")
    load_rulebook(str(tmp_path / "ovq"))
    (tmp_path / "ovq" / "b.Yml").write_text(OVERLAY, "utf-8")
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(str(tmp_path / "ovq"))
    assert [p.message for p in caught.value.problems] == [
        "lii-check reads only files ending '.yaml' or '.yml' in lower case, so this file is not read: rename it to "
        "'b.yml'"]


# ---------------------------------------------------------------------------------------------------------
# 8. File names in `rules validate` text are one line: no injected workflow commands or escapes


def test_rule_file_names_cannot_inject_lines_into_validate_text(tmp_path, monkeypatch):
    rules = tmp_path / "r"
    rules.mkdir()
    (rules / "a.yaml").write_text(OVERLAY, "utf-8")
    (rules / "x,line=99::\n::error::injected.yaml").write_text("kind: overlay\nthemes: 5\n", "utf-8")
    (rules / "\x1b[31mred\r.yaml").write_text("kind: overlay\nthemes: 5\n", "utf-8")
    result = invoke(["rules", "validate", "r"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and not any(line.startswith("::") for line in lines)
    assert lines[0].startswith("r/red .yaml:2:9: ")
    assert lines[1].startswith("r/x,line=99:: ::error::injected.yaml:2:9: ")
    assert "\x1b" not in result.stdout and "\r" not in result.stdout


# ---------------------------------------------------------------------------------------------------------
# 9. A regex cue that can only match empty text is refused, located


@pytest.mark.parametrize("regex", [r"\b", r"\b\B", r"\bx{0}"])
def test_a_cue_that_can_only_match_empty_text_is_refused(tmp_path, monkeypatch, regex):
    rules = tmp_path / "r"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    theme = rules / "research.yaml"
    text = theme.read_text("utf-8")
    at = text.index("\n  regex:\n", text.index("topic:")) + len("\n  regex:\n")
    theme.write_text(text[:at] + f"    - '{regex}'\n" + text[at:], "utf-8")
    line = text[:at].count("\n") + 1
    result = invoke(["rules", "validate", "r"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stdout == (f"r/research.yaml:{line}:7: '{regex}' can only match empty text (a word boundary or "
                             "an anchor, no characters), so it never finds anything; write the words it should "
                             "match\n")


def test_check_never_writes_its_cache_into_the_corpus(tmp_path, monkeypatch, built_once):
    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.delenv("LII_CHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "corpus"))  # absolute: a relative one is ignored
    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / "r.txt")
    result = invoke(["corpus"], monkeypatch, tmp_path)
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == ["r.txt"]


def test_the_cache_stays_under_its_size_limit_dropping_the_least_recently_used(tmp_path, monkeypatch):
    """A compiled database is ~13 MB and every rulebook edit makes a new one: the folder must not grow forever."""
    import time

    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("LII_CHECK_CACHE_MAX_MB", "1")
    chunk = b"x" * 300_000
    names = [f"rulebook-{n:040x}" for n in range(4)]  # the names lii-check gives its entries
    for n in range(3):
        cache.write(names[n], chunk)
        os.utime(tmp_path / "c" / names[n], (time.time() - 100 + n, time.time() - 100 + n))
    assert cache.read(names[0]) == chunk  # used again: now the most recent
    cache.write(names[3], chunk)  # 1.2 MB > 1 MB: prune to 0.75 MB, oldest use first (entry 1, then entry 2)
    left = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert left == [names[0], names[3]]
    assert sum(p.stat().st_size for p in (tmp_path / "c").iterdir()) <= 1024 * 1024


def test_pruning_never_removes_files_lii_check_did_not_write(tmp_path, monkeypatch):
    """LII_CHECK_CACHE_DIR may name a folder of the user's own ("~/Documents"): pruning removed the oldest files in
    it, whatever they were, until the folder was under the size limit."""
    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    folder = tmp_path / "mydocs"
    folder.mkdir()
    mine = {"notes.txt": b"n" * 400_000, "thesis_v1.docx": b"t" * 400_000, "hs-draft.json": b"d" * 400_000}
    for name, data in mine.items():
        (folder / name).write_bytes(data)
        os.utime(folder / name, (1, 1))  # older than anything lii-check writes
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(folder))
    monkeypatch.setenv("LII_CHECK_CACHE_MAX_MB", "1")
    cache.write("rulebook-" + "0" * 40, b"x" * 300_000)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in mine} == mine


@pytest.mark.parametrize("value", ["inf", "1e400", "256MB", "-5"])
def test_a_cache_size_limit_that_is_not_a_number_of_megabytes_is_the_default_or_none(monkeypatch, value):
    # Read on every write: "inf" raised OverflowError and every command ended in "internal error" (exit 3).
    monkeypatch.setenv("LII_CHECK_CACHE_MAX_MB", value)
    assert cache._max_bytes() == (0 if value == "-5" else cache.DEFAULT_MAX_MB * 1024 * 1024)


def test_a_write_that_fails_part_way_leaves_no_temporary_file(tmp_path, monkeypatch):
    # Pruning never removes temporary files (another process may be writing one): a failed write removes its own.
    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", disk_full)
    cache.write("entry", b"x" * 1000)  # the cache only ever costs time: no error
    assert list(tmp_path.iterdir()) == []


@needs_hyperscan
def test_a_database_built_once_is_not_built_again_in_the_same_process_even_without_a_cache(compiled, monkeypatch):
    """With the cache off (or in a corpus, so avoided), `rules diff` or an overlay would compile the same cues
    twice: ~6 s each for the bundled ones."""
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    monkeypatch.setattr(matcher, "_BUILT", {})
    builds = []
    real = matcher._build_database
    monkeypatch.setattr(matcher, "_build_database", lambda *a: builds.append(1) or real(*a))
    few = [Pattern(i, p.family, p.owner, p.order, p.group, p.unless, p.regex, p.cue)
           for i, p in enumerate(q for q in compiled.patterns[:40] if not q.unless)]
    first, second = Matcher(few, "hyperscan"), Matcher(few, "hyperscan")
    assert len(builds) == 1
    text = "Staff told us supervision was embedded and co-production was not yet in place."
    assert first.scan(text) == second.scan(text)


def test_a_database_loaded_from_the_cache_is_used_again_when_a_command_turns_the_cache_off(
        compiled, tmp_path, monkeypatch):
    # A command whose cache folder lies in what it reads runs without the cache; the database this process
    # loaded from it earlier is still the one for these cues (a 2-second compile saved).
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.setattr(matcher, "_BUILT", {})
    monkeypatch.setattr(matcher, "_LOADED", {})
    few = [Pattern(i, p.family, p.owner, p.order, p.group, p.unless, p.regex, p.cue)
           for i, p in enumerate(q for q in compiled.patterns[:40] if not q.unless)]
    Matcher(few, "hyperscan")  # built and stored
    matcher._BUILT.clear()
    Matcher(few, "hyperscan")  # loaded from the cache
    assert len(matcher._LOADED) == 1
    builds = []
    real = matcher._build_database
    monkeypatch.setattr(matcher, "_build_database", lambda *a: builds.append(1) or real(*a))
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    off = Matcher(few, "hyperscan")
    assert builds == []
    text = "Staff told us supervision was embedded and co-production was not yet in place."
    assert off.scan(text) == Matcher(few, "re2").scan(text) and off.scan(text)


def test_a_relative_xdg_cache_home_is_ignored_and_a_missing_home_means_no_cache(tmp_path, monkeypatch):
    # The XDG specification: a relative XDG_CACHE_HOME is invalid and ignored (it would put the cache wherever the
    # command happened to run). With no home folder (HOME=/nonexistent, as service accounts have) there is no
    # cache, rather than folders made under a path that does not exist.
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.delenv("LII_CHECK_CACHE_DIR", raising=False)
    monkeypatch.setattr(cache, "_avoided", False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "relcache")
    assert cache.cache_dir() == tmp_path / ".cache" / "lii-check"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "abs"))
    assert cache.cache_dir() == tmp_path / "abs" / "lii-check"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "nonexistent"))
    assert cache.cache_dir() is None
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "chosen"))  # chosen by name: used as given
    assert cache.cache_dir() == tmp_path / "chosen"


def test_a_regex_longer_than_any_cue_should_be_is_a_located_problem(tmp_path, monkeypatch):
    # A 140 KB alternation passed validation, then RE2 printed thousands of "DFA out of memory" lines naming no file.
    words = "|".join(f"word{n}" for n in range(1200))
    (tmp_path / "ov").mkdir()
    (tmp_path / "ov" / "o.yaml").write_text("kind: overlay\nextends: bundled\nsignals:\n  difficulty:\n    add:\n"
                                            f"      regex:\n        - \"\\\\b(?:{words})\\\\b\"\n", "utf-8")
    result = invoke(["rules", "validate", "ov"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stdout.startswith("ov/o.yaml:7:11: the regular expression starting '\\b(?:word0|word1|")
    assert f"' is {len(words) + 8:,} characters long, more than the 5,000 a cue may be: split it into several" in result.stdout


@pytest.mark.parametrize("old, new, said", [
    ("below_evidence_by: more than 0.5", "below_evidence_by: between 2 and 1",
     "'below_evidence_by': 'between 2 and 1' holds no value (the first number must be the smaller)"),
    ("below_evidence_by: more than 0.5", "below_evidence_by: at most 1000000000000000000000",
     "'below_evidence_by': 1000000000000000000000 is larger than any measure can be (at most 1,000,000,000)"),
])
def test_a_when_test_the_engines_cannot_run_is_refused_by_validate_and_check(tmp_path, monkeypatch, old, new, said):
    # Both passed `rules validate`: one could never fire, the other ended every check in an internal error.
    rules = tmp_path / "r"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    text = (rules / "scoring.yaml").read_text("utf-8")
    assert text.count(old) == 1
    (rules / "scoring.yaml").write_text(text.replace(old, new), "utf-8")
    for args in (["rules", "validate", "r"], ["check", "--rules", "r", str(SEED)]):
        result = invoke(args, monkeypatch, tmp_path)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output and "r/scoring.yaml:" in result.output, (args, result.output)


def test_a_message_that_formats_a_placeholder_is_a_located_problem(tmp_path, monkeypatch):
    # "{index:.1f}" passed validate and then ended every check with "Unknown format code 'f'" (exit 3).
    rules = tmp_path / "r"
    shutil.copytree(bundled_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    text = (rules / "scoring.yaml").read_text("utf-8")
    at = text.index("{index}")
    (rules / "scoring.yaml").write_text(text[:at] + "{index:.1f}" + text[at + len("{index}"):], "utf-8")
    result = invoke(["rules", "validate", "r"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert ("the message formats a placeholder ('{index:.1f}'), but placeholders are filled with text as it is: write "
            "{index}") in result.stdout


@pytest.mark.parametrize("value", [".nan", ".NaN", ".NAN"])
def test_not_a_number_in_a_rule_file_is_a_located_problem(tmp_path, monkeypatch, value):
    # Every comparison with NaN is false, so it passed the schema's bounds and then made every report "band 1".
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "team.yaml").write_text(f"kind: overlay\nextends: bundled\nscoring:\n  values: {{strong: {value}}}\n",
                                              "utf-8")
    result = invoke(["rules", "validate", "t"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"t/team.yaml:4:20: '{value}' is YAML for 'not a number', which no score, weight or "
                                    "mark can be: write a number such as 1.5")


@pytest.mark.parametrize("written, plain", [("1e0", "1"), ("15e-1", "1.5"), ("2E1", "20")])
def test_a_number_with_an_exponent_that_yaml_reads_as_text_gets_the_plain_number_to_write(tmp_path, monkeypatch,
                                                                                         written, plain):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "o.yaml").write_text(f"kind: overlay\nextends: bundled\nthemes:\n  research:\n    weight: {written}\n",
                                           "utf-8")
    result = invoke(["rules", "validate", "t"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert result.stdout == (f"t/o.yaml:5:13: this should be a number in 'themes' > 'research' > 'weight', not text "
                             f"(YAML reads '{written}' as text: write {plain})\n")


@pytest.mark.parametrize("cue", ["优秀", "отлично", "ممتاز"])  # Chinese; Russian with letters not drawn like Latin; Arabic
def test_a_cue_in_a_script_lii_check_cannot_read_is_a_located_problem(tmp_path, cue):
    """Folded for matching, each such letter is 'x': "优秀" matched "appendix XX" and any two-letter word of any
    such script, as good evidence, and `rules validate` said nothing."""
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "team.yaml").write_text("kind: overlay\nextends: bundled\nsignals:\n  maturity-embedded:\n    add:\n"
                                      f"      phrases: [{cue}]\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["rules", "validate", str(folder)])
    assert done.exit_code == 2
    assert f"team.yaml:6:17: '{cue}' has letters lii-check cannot read" in done.output
    assert "write the cue in English" in done.output
