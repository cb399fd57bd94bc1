"""The streamed JSON document is assembled byte for byte as json.dumps(indent=2) prints it (run._indented
writes nested values itself, because json.dumps with an indent runs its pure-Python encoder)."""
from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from lii_check.run import _dump, _indented

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(), st.sampled_from(["", "é “curly” – dash", "tab\tnewline\nnul\x00", "\u2028\ud7ff"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4),
    st.tuples(inner, inner)), max_leaves=25)


@settings(max_examples=500, deadline=None)
@given(VALUES, st.integers(min_value=0, max_value=3))
def test_nested_values_are_written_as_json_dumps_writes_them(value, depth):
    want = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)
    assert _indented(value, depth) == want
    # the values of a report entry are written by _dump itself, not left to json.dumps (the point of it):
    # _dump raises _Unusual for what it leaves, so this fails if it stops writing any of them
    assert _dump(value, "\n" + "  " * depth) == want


def test_values_it_does_not_know_are_left_to_json_dumps():
    class Score(int):
        pass

    for value in ({1: "a", "b": [True, None]}, [Score(3)], {"x": (1.5, -math.inf)}, {None: 1, 2.5: 2}):
        assert _indented(value, 1) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
