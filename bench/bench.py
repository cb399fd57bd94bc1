"""The old name of the benchmark, kept so `python bench/bench.py` still works: it runs bench/run.py.

`--reports N` (the old option) means `--sizes N`; every other option is bench/run.py's.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import main  # noqa: E402


def translate(argv: list[str]) -> list[str]:
    out: list[str] = []
    items = iter(argv)
    for item in items:
        if item == "--reports":
            out += ["--sizes", next(items, "")]
        elif item.startswith("--reports="):
            out.append("--sizes=" + item.split("=", 1)[1])
        else:
            out.append(item)
    return out


if __name__ == "__main__":
    sys.exit(main(translate(sys.argv[1:])))
