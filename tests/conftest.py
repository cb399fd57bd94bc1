from pathlib import Path

import pytest

from lii_check.rulebook import load_rulebook

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook()


@pytest.fixture(scope="session")
def compiled(rulebook):
    from lii_check.compiled import compile_rulebook_once

    return compile_rulebook_once(rulebook)
