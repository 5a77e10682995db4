"""`hunch rules` and `hunch sources`: what a pack holds, as tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from hunch.pack.model import Pack

from hunch.cli.common import complete_packs

FORMATS = ("table", "json")
RULE_FORMATS = (*FORMATS, "markdown")


def _table(rows: list[list[Any]], headers: list[str], widths: list[int | None]) -> str:
    from tabulate import tabulate

    return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=widths,
                    disable_numparse=True) + "\n"


def _emit(rows: list[dict[str, Any]], fmt: str, table: Callable[[], str]) -> None:
    """The rows as JSON, or the table built from them."""
    from hunch.errors import json_safe, printable

    if fmt == "json":
        click.echo(json_safe(json.dumps(rows, indent=2, ensure_ascii=False)))
    else:
        click.echo(printable(table()), nl=False)


def _load(pack: str | None) -> Pack:
    from hunch.cli.common import load_pack_or_fail

    return load_pack_or_fail(pack)  # the project's default pack when there is one


def rule_rows(pack: Any) -> list[dict[str, Any]]:
    from hunch.authoring.conditions import describe, effect_words

    return [{"id": rule.id, "when": describe(rule.when),
             "then": [effect_words(e) for e in rule.then],
             "cf": [e.signed_cf for e in rule.then], "cites": list(rule.cites),
             "because": rule.because, "evidence": [_evidence(pack, e) for e in rule.then]}
            for rule in pack.rules]


def _evidence(pack: Any, effect: Any) -> dict[str, Any] | None:
    """An effect's grades and the cf they give (docs/certainty.md); None if ungraded."""
    from hunch.pack.grading import DEFAULT_GRADING, graded_cf

    e = effect.evidence
    if e is None:
        return None
    return {"standing": e.standing, "hedge": e.hedge, "fit": e.fit,
            "seconded_by": list(e.seconded_by),
            "graded_cf": graded_cf(pack.grading or DEFAULT_GRADING, e),
            "cf_written": effect.cf_given}


def _grades(rule: Any) -> str:
    """One line per effect: its grades, and what they give when the cf was written."""
    from hunch.pack.grading import grade_words

    return "\n".join(grade_words(e.evidence) + (" (written cf)" if e.evidence and e.cf_given
                                                else "") for e in rule.then)


@click.command()
@click.argument("pack", required=False, metavar="[PACK]", shell_complete=complete_packs)
@click.option("--format", "fmt", type=click.Choice(RULE_FORMATS), default="table",
              show_default=True)
def rules(pack: str | None, fmt: str) -> None:
    """List a pack's rules: id, conditions in words, conclusion, certainty, grades, cites.

    PACK is a pack folder or a built-in pack name (default: the project's
    pack, from hunch.toml or [tool.hunch], else interview-silence).
    A negative certainty is evidence against. The grades column (a pack that
    grades its evidence: docs/certainty.md) says what kind of evidence each
    rule is; markdown is the same table for docs.

    \b
    Example:
      hunch rules interview-silence
      hunch rules --format markdown my-pack > docs/my-pack-rules.md
    """
    loaded = _load(pack)
    rows = rule_rows(loaded)
    graded = any(e for r in rows for e in r["evidence"])
    headers = ["id", "when", "then", "cf"] + (["grades"] if graded else []) + ["cites"]
    table = [[r["id"], r["when"], "\n".join(r["then"]),
              "\n".join(f"{cf:g}" for cf in r["cf"])] + ([_grades(rule)] if graded else [])
             + [", ".join(r["cites"])] for r, rule in zip(rows, loaded.rules, strict=True)]
    if fmt == "markdown":
        from hunch.errors import printable

        click.echo(printable(_markdown(headers, table)), nl=False)
        return
    widths: list[int | None] = [28, 48, 30, None] + ([30] if graded else []) + [28]
    _emit(rows, fmt, lambda: _table(table, headers, widths))


def _markdown(headers: list[str], table: list[list[Any]]) -> str:
    """A pipe table, each effect on its own line (<br>), pipes in text escaped."""
    from tabulate import tabulate

    cells = [[str(c).replace("|", "\\|").replace("\n", "<br>") for c in row] for row in table]
    return tabulate(cells, headers=headers, tablefmt="pipe", disable_numparse=True) + "\n"


def source_rows(pack: Any) -> list[dict[str, Any]]:
    rule_cites: dict[str, int] = {}
    conclusion_cites: dict[str, int] = {}
    for rule in pack.rules:
        for sid in dict.fromkeys(rule.cites):
            rule_cites[sid] = rule_cites.get(sid, 0) + 1
    for conclusion in pack.conclusions.values():
        for sid in dict.fromkeys(conclusion.sources):
            conclusion_cites[sid] = conclusion_cites.get(sid, 0) + 1
    return [{"id": s.id, "author": s.author, "posted": s.posted, "best_answer": s.best_answer,
             "rules": rule_cites.get(s.id, 0), "conclusions": conclusion_cites.get(s.id, 0),
             "quote": " ".join(s.quote.split()), "kind": s.kind, "name": s.name,
             "citation": s.citation if s.kind != "post" else s.author,
             "verified": s.verified} for s in pack.sources.values()]


@click.command()
@click.argument("pack", required=False, metavar="[PACK]", shell_complete=complete_packs)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def sources(pack: str | None, fmt: str) -> None:
    """List a pack's sources with how often each is cited.

    `rules` counts the rules citing a source, `conclusions` the conclusions
    listing it. A source is a forum post, book, article, web page, standard,
    note or interview (its `kind`); `verified` says whether its quote was
    checked word for word against a text the pack ships. PACK is a pack
    folder or a built-in pack name (default: the
    project's pack, from hunch.toml or [tool.hunch], else interview-silence).

    \b
    Example:
      hunch sources interview-silence
    """
    rows = source_rows(_load(pack))
    # the "best answer" column only means something for packs built from a thread
    best = any(r["best_answer"] for r in rows)
    # kind and verified columns only when some source is not a checked forum post,
    # so a thread-built pack's listing reads as it always has
    general = any(r["kind"] != "post" or not r["verified"] for r in rows)
    table = [[r["id"]] + ([r["kind"]] if general else []) + [r["name"]]
             + (["yes" if r["best_answer"] else ""] if best else [])
             + (["yes" if r["verified"] else "NO"] if general else [])
             + [r["rules"], r["conclusions"], r["quote"]] for r in rows]
    headers = (["id"] + (["kind"] if general else []) + ["author"] + (["best"] if best else [])
               + (["verified"] if general else []) + ["rules", "conclusions", "quote"])
    widths: list[int | None] = ([30] + ([None] if general else []) + [20]
                                + ([None] if best else []) + ([None] if general else [])
                                + [None, None, 50])
    _emit(rows, fmt, lambda: _table(table, headers, widths))
