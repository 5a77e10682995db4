"""Issue 14: any domain, not only advice threads (sources of any kind, exclusive
groups, observable derived facts, authoring ergonomics, the diagnosis pack)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hunch.authoring.lint import check
from hunch.engine.load import load_pack
from tests.test_lint import TINY, write_pack

GROUPED = dict(TINY)
GROUPED["conclusions.yaml"] = """\
    conclusions:
      - {id: h, kind: hypothesis, title: H, sources: [q], group: fault}
      - {id: h2, kind: hypothesis, title: H2, sources: [q], group: fault}
      - {id: free, kind: hypothesis, title: Free, sources: [q]}
      - {id: a, kind: action, title: A}
    """
GROUPED["rules.yaml"] = """\
    rules:
      - id: to-h
        when: {fact: b}
        then: [{support: h, cf: 0.5}, {support: h2, cf: 0.5}, {support: free, cf: 0.5}]
        cites: [q]
      - id: to-a
        when: {any: [{fact: n, gt: 3}, {conclusion: h}]}
        then: {support: a, cf: 0.5}
        cites: [q]
    """


def grouped(root: Path, **files: str) -> Path:
    merged = dict(GROUPED)
    merged.update({k.replace("__", "."): textwrap.dedent(v) for k, v in files.items()})
    return write_pack(root, merged)


class TestGroupsApi:
    def test_groups_and_group_of(self, tmp_path: Path) -> None:
        pack = load_pack(str(grouped(tmp_path)))
        assert pack.groups == {"fault": ["h", "h2"]}
        assert pack.group_of("h2") == "fault"
        assert pack.group_of("free") is None
        assert pack.group_of("no-such") is None

    def test_an_action_cannot_be_in_a_group(self, tmp_path: Path) -> None:
        root = grouped(tmp_path, conclusions__yaml="""\
            conclusions:
              - {id: h, kind: hypothesis, title: H, sources: [q]}
              - {id: a, kind: action, title: A, group: fault}
            """)
        texts = [p.message for p in check(str(root)).problems]
        assert "only hypotheses can be in an exclusive group" in texts


BOOKISH = dict(TINY)
BOOKISH["facts.yaml"] = "facts:\n  b: {type: boolean, question: b?}\n"
BOOKISH["sources.yaml"] = """\
    texts:
      t: {file: t.txt}
    sources:
      - {id: q, author: me, text: t, quote: hello world}
      - id: book
        kind: book
        authors: [Ann Smith, Bo Jones]
        title: "Houseplants: a field guide"
        year: 1999
        publisher: Acme
        page: 42
        quote: Water less in winter.
      - {id: reg, kind: standard, identifier: 16 CFR 444.3, clause: (a), text: t,
         quote: world}
    """
BOOKISH["conclusions.yaml"] = """\
    conclusions:
      - {id: h, kind: hypothesis, title: H, sources: [book]}
      - {id: a, kind: action, title: A, sources: [reg]}
    """
BOOKISH["rules.yaml"] = """\
    rules:
      - id: to-h
        when: {fact: b}
        then: {support: h}
        cites: [book]
      - id: to-a
        when: {conclusion: h}
        then: {support: a, cf: 0.5}
        cites: [reg, q]
    """


def invoke(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from hunch.cli.app import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


class TestSourcesOfAnyKind:
    def situation(self, tmp_path: Path) -> str:
        path = tmp_path / "s.yaml"
        path.write_text("b: true\n")
        return str(path)

    def test_table_names_the_book_and_marks_it_not_verified(self, tmp_path: Path) -> None:
        root = write_pack(tmp_path / "p", BOOKISH)
        code, out = invoke("evaluate", self.situation(tmp_path), "--rules", str(root))
        assert code == 0, out
        assert "Ann Smith and Bo Jones, Houseplants, p. 42 (not verified)" in " ".join(out.split())
        # the recommendation's standard is quoted from a shipped text: verified
        assert "-- 16 CFR 444.3, (a)" in out and "(a) (not verified)" not in out

    def test_json_and_markdown_say_not_verified(self, tmp_path: Path) -> None:
        import json

        root = write_pack(tmp_path / "p", BOOKISH)
        _code, out = invoke("evaluate", self.situation(tmp_path), "--rules", str(root),
                           "--format", "json")
        book = json.loads(out)["hypotheses"][0]["sources"][0]
        assert book["verified"] is False and book["kind"] == "book"
        assert book["name"] == "Ann Smith and Bo Jones, Houseplants, p. 42"
        assert book["authors"] == ["Ann Smith", "Bo Jones"] and book["year"] == "1999"
        _code, out = invoke("evaluate", self.situation(tmp_path), "--rules", str(root),
                           "--format", "markdown")
        assert "Houseplants, p. 42 (not verified)" in out

    def test_explain_lists_unverified_sources(self, tmp_path: Path) -> None:
        root = write_pack(tmp_path / "p", BOOKISH)
        code, out = invoke("explain", self.situation(tmp_path), "h", "--rules", str(root))
        assert code == 0, out
        assert "Sources not verified" in out
        assert "book: Ann Smith and Bo Jones, Houseplants: a field guide, Acme, 1999, p. 42" \
            in out

    def test_check_strict_counts_unverified(self, tmp_path: Path) -> None:
        root = write_pack(tmp_path / "p", BOOKISH)
        code, out = invoke("check", "--strict", str(root))
        assert code == 0, out
        assert "1 citation not verified" in out
        assert "not verified (no shipped text to check the quote against): book" in out

    def test_sources_lists_kind_and_verified(self, tmp_path: Path) -> None:
        root = write_pack(tmp_path / "p", BOOKISH)
        code, out = invoke("sources", str(root))
        assert code == 0, out
        assert "kind" in out.splitlines()[0] and "verified" in out.splitlines()[0]
        line = next(line for line in out.splitlines() if line.startswith("book"))
        assert " book " in line and " NO " in line

    def test_unknown_kind_is_one_located_error(self, tmp_path: Path) -> None:
        files = dict(BOOKISH)
        files["sources.yaml"] = BOOKISH["sources.yaml"].replace("kind: book", "kind: bok")
        root = write_pack(tmp_path / "p", files)
        code, out = invoke("check", str(root))
        assert code == 1
        assert "unknown source kind 'bok' (did you mean 'book'?)" in out

    def test_a_post_still_needs_its_quote(self, tmp_path: Path) -> None:
        files = dict(BOOKISH)
        files["sources.yaml"] = BOOKISH["sources.yaml"].replace(
            "{id: q, author: me, text: t, quote: hello world}", "{id: q, author: me, text: t}")
        root = write_pack(tmp_path / "p", files)
        _code, out = invoke("check", str(root))
        assert "source is missing 'quote'" in out


class TestSupportWithoutCf:
    def test_support_without_cf_is_certain(self, tmp_path: Path) -> None:
        import json

        root = write_pack(tmp_path / "p", BOOKISH)
        (tmp_path / "s.yaml").write_text("b: true\n")
        _code, out = invoke("evaluate", str(tmp_path / "s.yaml"), "--rules", str(root),
                           "--format", "json")
        assert json.loads(out)["hypotheses"][0]["certainty"] == 1.0
