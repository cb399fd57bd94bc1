"""Finding the report files under the paths a user gives."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPORT_SUFFIXES = (".txt", ".md")


class NoReports(Exception):
    """A path that holds nothing to check: a usage error, not a report error."""


@dataclass(frozen=True)
class ReportFile:
    path: Path
    display: str


def discover(paths: list[str]) -> list[ReportFile]:
    """Every .txt and .md file under the given paths, in sorted order, named as the user named them."""
    found: list[ReportFile] = []
    for given in paths:
        root = Path(given)
        if root.is_file():
            found.append(ReportFile(root, given))
            continue
        if not root.is_dir():
            raise NoReports(f"{given}: no such file or folder")
        here: list[ReportFile] = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.lower().endswith(REPORT_SUFFIXES) and not name.startswith("."):
                    full = Path(folder) / name
                    rel = full.relative_to(root).as_posix()
                    here.append(ReportFile(full, f"{given.rstrip('/')}/{rel}" if given not in (".", "./") else rel))
        if not here:
            raise NoReports(f"{given}: no reports found (looked for .txt and .md files in the folder and below)")
        found.extend(sorted(here, key=lambda r: r.display))
    unique: dict[str, ReportFile] = {}
    for item in found:
        unique.setdefault(os.path.realpath(item.path), item)
    return list(unique.values())


