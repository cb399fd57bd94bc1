"""How well the rulebook reads sentences, measured on an annotated corpus (fixtures/sentences/).

Each item is one sentence labelled by careful reading with the level an inspector would give it
(strong, good, intention, shortfall, significant, or none). lii-check reads each sentence on its own,
exactly as it reads a report (evidence.find_evidence), and the sentence's level is its most telling
reading: the most serious negative if any clause has one, else the strongest positive, else none.
The figures are the ones issue 10 asks for: the confusion matrix, per-level precision and recall,
polarity accuracy, the share of critical sentences read as critical, and the worst disagreements with
the cue that caused each.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .compiled import CompiledRulebook
from .reading import find_evidence
from .model import Paragraph, Report, Section, Sentence
from .names import LEVELS, MOST_SERIOUS_FIRST

SENTENCE_LEVELS = LEVELS + ("none",)
_POLARITY = {"strong": "praise", "good": "praise", "shortfall": "criticism", "significant": "criticism",
             "intention": "neutral", "none": "neutral"}
_CRITICAL = ("shortfall", "significant")


class SentenceCorpusError(Exception):
    """A corpus file that cannot be used: named, with the item where there is one."""


@dataclass(frozen=True)
class Item:
    file: str
    number: int  # 1-based position in its file
    text: str
    level: str


def load_items(paths: list[Path]) -> list[Item]:
    """Every item of every *.yaml file under the given files or folders, in sorted order."""
    from .safe_yaml import YamlProblem, load_yaml

    from .rulebook.yamlsource import duplicate_keys

    files: dict[Path, Path] = {}  # by real path: a file named twice, or inside a folder also named, counts once
    for path in paths:
        for file in (sorted(path.rglob("*.yaml")) if path.is_dir() else [path]):
            files.setdefault(file.resolve(), file)
    items: list[Item] = []
    for file in files.values():
        try:
            data, node = load_yaml(file.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise SentenceCorpusError(f"{file}: cannot read it ({exc})") from None
        except YamlProblem as exc:
            raise SentenceCorpusError(f"{file}:{exc.line}: {exc.message}") from None
        if not isinstance(data, list):
            raise SentenceCorpusError(f"{file}: a sentence corpus file is a list of items (text, level, …)")
        twice: list[tuple[int, int, str]] = []
        duplicate_keys(node, twice)
        if twice:  # read with its last value, the gates would measure a label nobody chose
            line, _col, message = twice[0]
            raise SentenceCorpusError(f"{file}:{line}: {message}")
        for n, entry in enumerate(data, start=1):
            text = entry.get("text") if isinstance(entry, dict) else None
            if not (isinstance(text, str) and text.strip() and entry.get("level") in SENTENCE_LEVELS):
                line = node.value[n - 1].start_mark.line + 1
                raise SentenceCorpusError(f"{file}:{line}: item {n} needs a 'text' that is not empty and a 'level' of "
                                          f"{', '.join(SENTENCE_LEVELS)}")
            items.append(Item(file.name, n, " ".join(text.split()), entry["level"]))
    if not items:
        raise SentenceCorpusError(f"{', '.join(str(p) for p in paths)}: no sentence corpus files (*.yaml) found")
    return items


def read_sentence(text: str, compiled: CompiledRulebook) -> tuple[str, str]:
    """(level, cue) of one sentence read on its own, as lii-check reads it in a report."""
    report = Report(path="<sentence>", title="", awarded_score=3, score_line=1, label_score=None, label_text=None,
                    label_line=None, sections=[Section(None, None, [Paragraph(1, [Sentence(text, 1)])])])
    evidence = find_evidence(report, compiled).evidence
    for level in MOST_SERIOUS_FIRST:
        found = [e for e in evidence if e.level == level]
        if found:
            return level, found[0].cue
    return "none", ""


def measure(items: list[Item], compiled: CompiledRulebook) -> dict:
    """The figures for one set of items (see the module docstring)."""
    confusion = {want: {got: 0 for got in SENTENCE_LEVELS} for want in SENTENCE_LEVELS}
    misses = []
    for item in items:
        got, cue = read_sentence(item.text, compiled)
        confusion[item.level][got] += 1
        if got != item.level:
            misses.append((item, got, cue))
    n = len(items)
    exact = sum(confusion[level][level] for level in SENTENCE_LEVELS)
    polarity = sum(confusion[w][g] for w in SENTENCE_LEVELS for g in SENTENCE_LEVELS if _POLARITY[w] == _POLARITY[g])
    critical = sum(confusion[w][g] for w in _CRITICAL for g in SENTENCE_LEVELS)
    critical_hit = sum(confusion[w][g] for w in _CRITICAL for g in _CRITICAL)
    per_level = {}
    for level in SENTENCE_LEVELS:
        labelled = sum(confusion[level].values())
        predicted = sum(confusion[w][level] for w in SENTENCE_LEVELS)
        hit = confusion[level][level]
        per_level[level] = {"labelled": labelled, "read": predicted,
                            "precision": round(hit / predicted, 4) if predicted else None,
                            "recall": round(hit / labelled, 4) if labelled else None}

    def badness(miss: tuple[Item, str, str]) -> tuple:
        item, got, _cue = miss
        flipped = {_POLARITY[item.level], _POLARITY[got]} == {"praise", "criticism"}
        return (not flipped, -abs(SENTENCE_LEVELS.index(item.level) - SENTENCE_LEVELS.index(got)), item.file, item.number)

    return {
        "sentences": n,
        "level_accuracy": round(exact / n, 4) if n else None,
        "polarity_accuracy": round(polarity / n, 4) if n else None,
        "critical_read_as_critical": round(critical_hit / critical, 4) if critical else None,
        "critical_read_as_praise": sum(confusion[w][g] for w in _CRITICAL for g in ("strong", "good")),
        "praise_read_as_significant": sum(confusion[w]["significant"] for w in ("strong", "good")),
        "significant_read_as_praise": sum(confusion["significant"][g] for g in ("strong", "good")),
        "confusion": confusion,
        "per_level": per_level,
        "worst": [{"file": item.file, "item": item.number, "text": item.text, "labelled": item.level,
                   "read": got, "cue": cue} for item, got, cue in sorted(misses, key=badness)[:15]],
    }


def measure_corpus(paths: list[Path], compiled: CompiledRulebook) -> dict:
    """Figures over all items, and per file (so real text cannot hide misreadings of synthetic criticism)."""
    items = load_items(paths)
    by_file: dict[str, list[Item]] = {}
    for item in items:
        by_file.setdefault(item.file, []).append(item)
    return {"all": measure(items, compiled),
            "files": {name: {k: v for k, v in measure(group, compiled).items() if k in (
                "sentences", "level_accuracy", "polarity_accuracy", "critical_read_as_critical")}
                for name, group in sorted(by_file.items())}}


THRESHOLDS = {
    "min_level_accuracy": "level_accuracy",
    "min_polarity": "polarity_accuracy",
    "min_critical": "critical_read_as_critical",
}


def below(figures: dict, thresholds: dict[str, float | None]) -> list[str]:
    """Each threshold the figures miss, as a sentence ("level accuracy 61% is below --min-level-accuracy 85%")."""
    from .formats._common import share_text

    out = []
    for option, key in THRESHOLDS.items():
        wanted = thresholds.get(option)
        got = figures.get(key)
        if wanted is not None and (got is None or got < wanted):
            out.append(f"{key.replace('_', ' ')} {share_text(got)} is below --{option.replace('_', '-')} "
                       f"{share_text(wanted)}")
    return out
