"""The pipeline run in one process with every result kept, for tests that need the ReportResult objects
beside the document. lii-check itself streams results (engine/check.check_stream, engine/cli.check); these
helpers go through the same functions, only holding everything in memory."""
from __future__ import annotations

from lii_check.check import Options, check_stream
from lii_check.document import Tally, header, report_dict
from lii_check.run import document


def check_files(files: list, compiled, engine: str = "auto") -> tuple[list, str]:
    """(every file's ReportResult, in order; the engines used, "+"-joined as the document's "engine")."""
    used: set[str] = set()
    results = list(check_stream(files, compiled, Options(engine=engine, jobs=1, keep_text=True), used))
    return results, "+".join(sorted(used)) or "none"


def build_document(results: list, rulebook, *, engine: str, fail_on: str = "error", strict: bool = False) -> dict:
    """The result document `--format json` prints for these results, assembled as the CLI assembles it."""
    tally = Tally(fail_on=fail_on)
    for result in results:
        tally.add(result)
    return document(header(rulebook, engine), (report_dict(r) for r in results), tally.summary(rulebook, strict))


def invoke(args, cwd, monkeypatch):
    """The CLI run in this process from `cwd` (click's CliRunner); an escaped exception is a failure, never an
    exit code."""
    from click.testing import CliRunner

    from lii_check.cli import main

    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result
