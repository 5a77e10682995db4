"""MYCIN certainty factors: the combination function and its algebra."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hunch.engine.certainty import combine, combine2, conflict, rank

cf = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
open_cf = st.floats(min_value=-0.999, max_value=0.999, allow_nan=False)


class TestCombine2:
    """The three MYCIN formulas from design.md, exactly."""

    def test_both_positive(self) -> None:
        assert combine2(0.4, 0.5) == pytest.approx(0.4 + 0.5 * (1 - 0.4))

    def test_both_negative(self) -> None:
        assert combine2(-0.4, -0.5) == pytest.approx(-0.4 + -0.5 * (1 - 0.4))

    def test_mixed(self) -> None:
        assert combine2(0.6, -0.3) == pytest.approx((0.6 - 0.3) / (1 - 0.3))

    def test_certain_for_and_against_is_zero(self) -> None:
        assert combine2(1.0, -1.0) == 0.0
        assert combine2(-1.0, 1.0) == 0.0

    def test_certainty_one_dominates_weaker_counter_evidence(self) -> None:
        assert combine2(1.0, -0.5) == 1.0


class TestCombine:
    """Combining many contributions: order-free and bounded."""

    def test_empty_is_zero(self) -> None:
        assert combine([]) == 0.0

    def test_single_value_is_itself(self) -> None:
        assert combine([0.3]) == 0.3
        assert combine([-0.3]) == -0.3

    def test_conflict_is_zero_whatever_else_is_there(self) -> None:
        values = [1.0, -1.0, 0.4, -0.2]
        for perm in itertools.permutations(values):
            assert combine(list(perm)) == 0.0
        assert conflict(values)
        assert not conflict([1.0, -0.9])

    @given(st.lists(cf, max_size=8), st.randoms())
    def test_order_does_not_matter(self, values: list[float], rnd: random.Random) -> None:
        shuffled = list(values)
        rnd.shuffle(shuffled)
        assert combine(shuffled) == combine(values)  # bit-identical, not just close

    @given(cf, cf)
    def test_commutative(self, a: float, b: float) -> None:
        assert combine([a, b]) == combine([b, a])
        assert combine2(a, b) == pytest.approx(combine2(b, a), abs=1e-12)

    @given(st.lists(cf, max_size=8))
    def test_stays_in_range(self, values: list[float]) -> None:
        assert -1.0 <= combine(values) <= 1.0

    @given(st.lists(open_cf, min_size=1, max_size=6))
    def test_equals_pairwise_fold_on_open_interval(self, values: list[float]) -> None:
        total = 0.0
        for value in values:
            total = combine2(total, value)
        assert combine(values) == pytest.approx(total, abs=1e-9)

    @given(st.lists(cf, max_size=8))
    def test_bit_for_bit_its_definition(self, values: list[float]) -> None:
        """The docstring's recipe with combine2, bit for bit: outputs are compared byte
        for byte, so no faster path of combine() may move a float."""
        def fold(same_sign: list[float]) -> float:
            total = 0.0
            for value in same_sign:
                total = combine2(total, value) if total else value
            return total

        p = fold(sorted(v for v in values if v > 0))
        n = fold(sorted((v for v in values if v < 0), reverse=True))
        want = (p or n) if p == 0.0 or n == 0.0 else combine2(p, n)
        assert combine(values) == max(-1.0, min(1.0, want))

    @given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6))
    def test_more_support_never_lowers_certainty(self, values: list[float]) -> None:
        assert combine(values) >= max(values) - 1e-12


class TestRank:
    """Ranking is by certainty, ties broken by id."""

    def test_ties_by_id(self) -> None:
        assert rank({"b": 0.5, "a": 0.5, "c": 0.9}) == [("c", 0.9), ("a", 0.5), ("b", 0.5)]
