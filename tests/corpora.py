"""A smaller corpus for tests whose subject is not the fixtures' content (determinism, --jobs, never writing to
the corpus): the fixture tree without the blind whole-section probes added in the latest session, which more
than doubled it (65 to 159 reports) and with it the time of every test that runs the whole tree. Tests about
the readings themselves, and the goldens, keep the whole tree."""
from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LATER_PROBES = ("probe5", "probe6", "probe7", "probe8", "probe9", "probe10", "probe11", "probe12", "probe13", "probe14", "probe15", "probe16", "probe17",
                "probe18", "probe19", "probe20", "probe21", "probe23", "probe24", "probe25", "probe26", "probe27", "probe28", "probe30", "probe31")


def smaller_fixture_folders() -> list[Path]:
    """Every folder of fixtures/ that holds reports, but the later probe sets (a folder named on the command line
    with no report in it is an error, rightly)."""
    def holds_reports(folder: Path) -> bool:
        return any(f.suffix in (".txt", ".md") and f.name != "README.md" for f in folder.rglob("*"))

    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name not in LATER_PROBES and holds_reports(p))


def copy_smaller_fixtures(target: Path) -> Path:
    """A copy of fixtures/ without the later probe sets, for a test that must check nothing is written to it."""
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns(*LATER_PROBES))
    return target
