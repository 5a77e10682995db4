"""The table renderer: its own cell wrapping matches tabulate's maxcolwidths."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from hunch.output.render import _table

WIDTHS: list[int | None] = [None, 30, None, 32, 18]
ALIGN = ("right", "left", "right", "left", "left")
words = st.text(alphabet="abcdefghij-'.,", min_size=1, max_size=40)
# prose (the fast path), then whitespace, wide and non-ASCII characters (the exact path)
cells = (st.lists(words, max_size=12).map(" ".join)
         | st.text(alphabet="ab -", max_size=60)
         | st.text(alphabet="ab \n\t-\u00e9\u2014\u4e2d", max_size=60)
         .filter(lambda c: c.strip() or not c))  # tabulate itself fails on "\n" alone


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 99), cells, cells, cells, cells), min_size=1,
                     max_size=4))
def test_wrapping_is_tabulates(rows: list[tuple[int, str, str, str, str]]) -> None:
    table = [list(row) for row in rows]
    headers = ["#", "title", "certainty", "reason", "cited"]
    expected = tabulate(table, headers=headers, tablefmt="simple", maxcolwidths=WIDTHS,
                        disable_numparse=True, colalign=ALIGN)
    assert _table(table, headers, WIDTHS) == expected
