"""Distinct synthetic LII corpora for the benchmark, generated deterministically from the fixtures.

A corpus of copies lets a per-clause cache answer almost every clause from memory, so it measures
the cache, not the reading. Every section generated here is assembled from paragraphs of several
fixture reports: sentences are mixed across sources and shuffled within their paragraph,
paragraphs are shuffled within their heading, numbers and place names are redrawn, and most
sentences get a dated or placed adjunct, so almost no sentence (and no clause) repeats. The
awarded score and its label line are drawn per section.

The same seed and the same fixtures give the same bytes. Section i depends only on (seed, i), so a
1,400-section corpus is the first 1,400 sections of the 10,000-section one.

    python bench/corpus.py /tmp/corpus-1400 --sections 1400 --seed 1

Every file opens with front matter saying `synthetic: true`: these are not CQC publications.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE_DIRS = ("fixtures/seeds", "fixtures/synthetic")
GENERATOR_VERSION = 1
MANIFEST = ".lii-check-bench-corpus.json"  # a dot file: lii-check never reads it as a report
SECTION_BYTES = 13_000  # a national round: 1,400 sections in about 19 MB
PER_FOLDER = 1_000

LABELS = {
    4: "Evidence shows an exceptional standard",
    3: "Evidence shows a good standard",
    2: "Evidence shows some shortfalls",
    1: "Evidence shows significant shortfalls",
}
COMMITMENT = (
    "We focus on continuous learning, innovation and improvement across our organisation and the local "
    "system. We encourage creative ways of delivering equality of experience, outcome and quality of life "
    "for people. We actively contribute to safe, effective practice and research."
)
NOTE = ("Synthetic benchmark section {index} (seed {seed}) assembled by lii-check bench/corpus.py from "
        "shuffled, perturbed fixture sentences. Not a CQC publication.")
PARTS = {
    "learning": "Continuous learning, improvement and professional development",
    "feedback": "Learning from feedback",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
NAME_HEADS = ("Ash", "Bram", "Cal", "Dun", "Elm", "Fen", "Gar", "Hal", "Kes", "Lang", "Mar", "Nor", "Oak",
              "Pen", "Rav", "Sal", "Thorn", "Wyn", "Brack", "Cold", "Hollin", "Quarr", "Stan", "Whit")
NAME_TAILS = ("bury", "ford", "mere", "ton", "wick", "ley", "holme", "stead", "field", "worth", "dale", "by",
              "wold", "minster", "hythe", "combe")
NAME_SUFFIXES = ("", "", "", " Vale", " Heath", " Cross", " Lyne", " Marsh", " Moor")

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+(?=[\"'‘“(]?[A-Z0-9£])")
_TRAILING_STOP = re.compile(r"[.!?][\"'’”)\]]*$")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SCORE_LINE = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?:indicative\s+)?score\b", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^\s*(?:#{1,6}\s*)?\d+\s*[-–—]\s*evidence shows\b", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


class CorpusError(Exception):
    """A corpus that cannot or must not be written; the message says what to do instead."""


@dataclass(frozen=True)
class Paragraph:
    source: str
    part: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Sources:
    paragraphs: tuple[Paragraph, ...]
    names: tuple[str, ...]  # place names in the fixtures, redrawn in every generated section
    vocabulary: frozenset[str]  # words seen in lower case, so a sentence's first word may be lowered
    digest: str  # of every fixture read: a corpus is only reusable with the fixtures it came from


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def _strip_front_matter(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    if not lines or lines[0].strip() != "---":
        return lines, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            meta = {}
            for line in lines[1:end]:
                key, _, value = line.partition(":")
                meta[key.strip()] = value.strip()
            return lines[end + 1:], meta
    return lines, {}


def _part_of(line: str) -> str | None:
    text = line.strip().lstrip("#").strip().rstrip(":").strip().casefold()
    return next((part for part, heading in PARTS.items() if text == heading.casefold()), None)


def read_fixture(path: Path) -> tuple[list[Paragraph], dict[str, str]]:
    """The findings paragraphs of one fixture, each tagged with the heading it sits under."""
    lines, meta = _strip_front_matter(path.read_text("utf-8-sig").replace("\r\n", "\n").split("\n"))
    paragraphs: list[Paragraph] = []
    part: str | None = None
    block: list[str] = []

    def flush() -> None:
        if part and block:
            sentences = split_sentences(" ".join(block))
            if sentences and not sentences[0].casefold().startswith("we focus on continuous learning"):
                paragraphs.append(Paragraph(path.name, part, tuple(sentences)))
        block.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped or _SEPARATOR.match(line):
            flush()
            continue
        heading = _part_of(line)
        if heading:
            flush()
            part = heading
            continue
        if stripped.startswith("#") or _SCORE_LINE.match(line) or _LABEL_LINE.match(line) or stripped.startswith("<!--"):
            flush()
            continue
        block.append(stripped)
    flush()
    return paragraphs, meta


def _fixture_files(repo: Path) -> list[Path]:
    return sorted(p for d in FIXTURE_DIRS for p in (repo / d).iterdir() if p.suffix in (".txt", ".md"))


def load_sources(repo: Path = REPO) -> Sources:
    digest = hashlib.sha256()
    paragraphs: list[Paragraph] = []
    names: set[str] = set()
    for path in _fixture_files(repo):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        found, meta = read_fixture(path)
        paragraphs.extend(found)
        # The fictional authorities are named in the synthetic fixtures' front matter and file names.
        authority = re.sub(r"\(.*?\)", "", meta.get("authority", ""))
        stem = re.sub(r"\b(?:Borough|County|City|District|Metropolitan|Council|of)\b", "", authority).strip()
        if stem:
            names.add(stem)
        from_file = " ".join(w.capitalize() for w in path.stem.split("_")[1:])
        if path.parent.name == "synthetic" and from_file:
            names.add(from_file)
            names.update(from_file.split())
    if not paragraphs:
        raise CorpusError(f"no findings paragraphs found under {', '.join(FIXTURE_DIRS)} in {repo}")
    vocabulary = frozenset(
        w for p in paragraphs for s in p.sentences for w in _WORD.findall(s) if w.islower()
    )
    # Longest first, so "Westbrook Lyne" is replaced whole before "Westbrook".
    ordered = tuple(sorted(names, key=lambda n: (-len(n), n)))
    return Sources(tuple(paragraphs), ordered, vocabulary, digest.hexdigest())


def place_name(rng: random.Random) -> str:
    return rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS) + rng.choice(NAME_SUFFIXES)


def _redraw_number(m: re.Match, rng: random.Random) -> str:
    whole, fraction, percent = m.group(1), m.group(2) or "", m.group(3)
    value = int(whole.replace(",", ""))
    if percent:
        value = rng.randint(1, 99)
    elif len(whole) == 4 and 1990 <= value <= 2039:
        value = rng.randint(2015, 2025)  # a year stays a plausible year
    else:
        value = max(1, round(value * rng.uniform(0.5, 1.6)))
    text = f"{value:,}" if "," in whole else str(value)
    if fraction:
        text += "." + "".join(rng.choice("0123456789") for _ in fraction[1:])
    return text + percent


def _adjunct(rng: random.Random, name: str) -> tuple[str, str]:
    """(prefix, suffix) context that makes a sentence its own without touching what it says."""
    when = f"{rng.choice(MONTHS)} {rng.randint(2016, 2025)}"
    where = place_name(rng) if rng.random() < 0.5 else name
    prefixes = (f"In {when}, ", f"By {when}, ", f"In the {where} locality, ", f"Across the {where} teams, ",
                f"At the {when} review, ", f"During {rng.randint(2016, 2025)}, ")
    suffixes = (f" in {when}", f" in the {where} locality", f" across {rng.randint(2, 40)} teams",
                f" according to the {when} records")
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(prefixes), ""
    if roll < 0.85:
        return "", rng.choice(suffixes)
    return rng.choice(prefixes), rng.choice(suffixes)


def perturb(sentence: str, rng: random.Random, sources: Sources, name: str) -> str:
    for known in sources.names:
        if known in sentence:
            sentence = sentence.replace(known, name)
    sentence = _NUMBER.sub(lambda m: _redraw_number(m, rng), sentence)
    prefix, suffix = _adjunct(rng, name)
    if prefix:
        first = _WORD.match(sentence)
        if first is None:
            prefix = ""
        elif first.group(0).lower() in sources.vocabulary and not (len(first.group(0)) > 1 and first.group(0).isupper()):
            sentence = sentence[0].lower() + sentence[1:]
        elif first.group(0) == "I":
            prefix = ""
    if suffix:
        stop = _TRAILING_STOP.search(sentence)
        sentence = sentence[: stop.start()] + suffix + stop.group(0) if stop else sentence + suffix + "."
    return prefix + sentence


def _paragraph(rng: random.Random, sources: Sources, pool: list[Paragraph], name: str) -> str:
    base = rng.choice(pool)
    sentences = list(base.sentences)
    # Mix in sentences from other reports: about a third of the paragraph comes from elsewhere.
    others = [p for p in sources.paragraphs if p.source != base.source]
    for index in range(len(sentences)):
        if rng.random() < 0.35:
            sentences[index] = rng.choice(rng.choice(others).sentences)
    rng.shuffle(sentences)
    return " ".join(perturb(s, rng, sources, name) for s in sentences)


def section_text(seed: int, index: int, sources: Sources, section_bytes: int = SECTION_BYTES) -> str:
    """Section `index` of the corpus with `seed`: a function of (seed, index, fixtures) only."""
    rng = random.Random(f"lii-check-bench:{seed}:{index}")
    name = place_name(rng)
    score = rng.choice((1, 2, 2, 3, 3, 3, 3, 4))  # roughly the spread of published LII scores
    # The last paragraph of each heading overshoots its share: aim lower so the mean is SECTION_BYTES.
    target = section_bytes * rng.uniform(0.75, 1.25) - 800
    body = []
    for part, share in (("learning", 0.7), ("feedback", 0.3)):
        pool = [p for p in sources.paragraphs if p.part == part] or list(sources.paragraphs)
        paragraphs: list[str] = []
        size = 0
        while size < target * share:
            paragraphs.append(_paragraph(rng, sources, pool, name))
            size += len(paragraphs[-1].encode()) + 2
        rng.shuffle(paragraphs)
        body.append(f"### {PARTS[part]}\n\n" + "\n\n".join(paragraphs))
    score_line = rng.choice((f"Score: {score}", f"## Score {score}"))
    header = (
        "---\n"
        "synthetic: true\n"
        f"authority: {json.dumps(name + ' (fictional)')}\n"
        f"note: {json.dumps(NOTE.format(index=index, seed=seed))}\n"
        "---\n\n"
        "# Learning, improvement and innovation\n\n"
        f"{score_line}\n\n{score} - {LABELS[score]}\n\n"
        f"## The local authority commitment\n\n{COMMITMENT}\n\n"
        "## Key findings for this quality statement\n\n"
    )
    return header + "\n\n".join(body) + "\n"


def section_path(index: int) -> str:
    return f"part-{index // PER_FOLDER:03d}/s{index:06d}.md"


def sections(seed: int, count: int, sources: Sources | None = None) -> Iterator[tuple[str, str]]:
    sources = sources or load_sources()
    for index in range(count):
        yield section_path(index), section_text(seed, index, sources)


def _inside(folder: Path, root: Path) -> bool:
    try:
        folder.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class Corpus:
    folder: Path
    sections: int
    seed: int
    bytes: int
    reused: bool


def generate(folder: Path, count: int, seed: int = 1, repo: Path = REPO) -> Corpus:
    """Write `count` sections into `folder` (new or empty, or a corpus this generator made: reused if equal)."""
    if _inside(folder, repo):
        raise CorpusError(f"{folder} is inside the repository; generate corpora outside it")
    sources = load_sources(repo)
    wanted = {"generator": GENERATOR_VERSION, "sections": count, "seed": seed, "fixtures": sources.digest}
    manifest = folder / MANIFEST
    if manifest.is_file():
        recorded = json.loads(manifest.read_text("utf-8"))
        if {k: recorded.get(k) for k in wanted} == wanted:
            return Corpus(folder, count, seed, int(recorded["bytes"]), True)
        _clear_corpus(folder)
    elif folder.exists() and any(folder.iterdir()):
        raise CorpusError(f"{folder} is not empty and holds no benchmark corpus; name a new folder")
    total = 0
    for relative, text in sections(seed, count, sources):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    manifest.write_text(json.dumps({**wanted, "bytes": total}, indent=2) + "\n", "utf-8")
    return Corpus(folder, count, seed, total, False)


def _clear_corpus(folder: Path) -> None:
    """Remove a previous generated corpus: only the files this generator names, nothing else."""
    for part in sorted(folder.glob("part-*")):
        for file in part.glob("s*.md"):
            file.unlink()
        if not any(part.iterdir()):
            part.rmdir()
    (folder / MANIFEST).unlink()


def distinct_share(texts: list[str]) -> tuple[float, float]:
    """(share of distinct sentences, largest share of one section's sentences found in another)."""
    per_section = [set(split_sentences(_body(t))) for t in texts]
    everything = [s for t in texts for s in split_sentences(_body(t))]
    worst = 0.0
    seen: dict[str, set[int]] = {}
    for i, sentences in enumerate(per_section):
        for s in sentences:
            seen.setdefault(s, set()).add(i)
    for i, sentences in enumerate(per_section):
        shared: dict[int, int] = {}
        for s in sentences:
            for j in seen[s]:
                if j != i:
                    shared[j] = shared.get(j, 0) + 1
        if shared and sentences:
            worst = max(worst, max(shared.values()) / len(sentences))
    return (len(set(everything)) / len(everything) if everything else 0.0), worst


def _body(text: str) -> str:
    return text.split("## Key findings for this quality statement", 1)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a distinct synthetic LII corpus for the benchmark.")
    parser.add_argument("folder", type=Path, help="where to write it (outside the repository)")
    parser.add_argument("--sections", type=int, default=1400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.sections < 1:
        parser.error("--sections must be at least 1")
    try:
        corpus = generate(args.folder, args.sections, args.seed)
    except (CorpusError, OSError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    sample = [section_text(args.seed, i, load_sources()) for i in range(min(args.sections, 300))]
    distinct, worst = distinct_share(sample)
    print(f"{'reused' if corpus.reused else 'wrote'} {corpus.sections} sections, {corpus.bytes / 1e6:.1f} MB, "
          f"seed {corpus.seed}, in {corpus.folder}")
    print(f"first {len(sample)} sections: {distinct:.1%} of sentences distinct; at most {worst:.0%} of one "
          "section's sentences appear in any other")
    return 0


if __name__ == "__main__":
    sys.exit(main())
