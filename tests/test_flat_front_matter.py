"""The fast reading of flat front matter (safe_yaml.load_flat_mapping) gives exactly what load_yaml gives.

Report front matter is read by load_flat_mapping when it is only `key: value` lines and by PyYAML
otherwise (perf: a third of parsing time went to PyYAML). A document it accepts must read to the same
keys, values and value types as load_yaml; anything it is unsure of it must hand back (None).
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lii_check.parser import parse_report
from lii_check.safe_yaml import YamlProblem, load_flat_mapping, load_yaml

from parsed import front_matter_of

KEYS = st.one_of(
    st.sampled_from(["synthetic", "authority", "note", "yes", "No", "ON", "off", "True", "null", "Null", "y",
                     "n", "a-b", "a_b", "x1", "e5", "inf", "nan", "date"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True),
    st.text(min_size=1, max_size=6),
)
VALUES = st.one_of(
    st.sampled_from(["true", "True", "TRUE", "false", "tRue", "yes", "no", "on", "null", "~", "-3", "+4", "1_000",
                     "0x1F", "1.5", ".inf", "2024-02-30", "2024-01-05", "1:20", "'single'", "plain words"]),
    st.from_regex(r"[0-9]{1,4}", fullmatch=True),  # 0, 12, 08, 0900: which are YAML integers
    st.sampled_from(['""', '"a"', '"a: b # c"', '"tab\there"', '"x\\ny"', '"q\\"q"', '"é – “curly”"',
                     '"line\u2028sep"', '"nel\x85"', '"  spaced  "']),
    st.from_regex(r'"[^"\\]{0,12}"', fullmatch=True),
    st.text(max_size=10),
)
# Mostly well-formed lines, so that most documents reach the comparison.
LINES = st.tuples(KEYS, st.sampled_from([": "] * 6 + [":", ":  ", " : "]), VALUES).map("".join)


def _yaml_or_problem(text: str):
    try:
        return ("data", load_yaml(text)[0])
    except YamlProblem:
        return ("problem", None)


@settings(max_examples=600, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=3))
def test_a_flat_document_reads_as_pyyaml_reads_it(lines):
    text = "\n".join(lines)
    fast = load_flat_mapping(text)
    if fast is None:
        return  # handed to load_yaml
    kind, data = _yaml_or_problem(text)
    assert kind == "data", text
    assert fast == data and list(fast) == list(data), text
    assert [type(v) for v in fast.values()] == [type(v) for v in data.values()], text  # True is not 1


def test_the_common_front_matter_is_read_fast_and_the_rest_is_not():
    text = 'synthetic: true\nauthority: "Wynholme (fictional)"\nsections: 12'
    assert load_flat_mapping(text) == {"synthetic": True, "authority": "Wynholme (fictional)", "sections": 12}
    for other in ("yes: 1", "a: 01", 'a: "x\\ny"', "a: [1, 2]", "a: plain", "a: 1 # note", "", "a:\n  b: 1"):
        assert load_flat_mapping(other) is None, other


def test_a_report_with_either_kind_of_front_matter_parses_the_same():
    body = "\n# Learning\n\nScore: 3\n\nStaff told us supervision was regular.\n"
    fast_text = '---\nsynthetic: true\nnote: "Not a CQC publication."\n---' + body
    slow_text = "---\nsynthetic: true\nnote: 'Not a CQC publication.'\n---" + body
    fast, slow = parse_report(fast_text, "a.md"), parse_report(slow_text, "b.md")
    assert front_matter_of(fast_text) == front_matter_of(slow_text) == {"synthetic": True, "note": "Not a CQC publication."}
    assert fast.awarded_score == slow.awarded_score == 3
