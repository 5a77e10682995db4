"""`hunch test`: run a pack's tests and report rule coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hunch.cli.check import display_path, located, pack_paths, plural
from hunch.cli.common import complete_packs, say
from hunch.errors import EXIT_BAD_INPUT, EXIT_FAILED, Reported

if TYPE_CHECKING:  # (the CLI imports what a command runs only when it runs)
    from hunch.authoring.packtest import SuiteReport


def _where(loc: object) -> str:
    from hunch.errors import Location

    assert isinstance(loc, Location)
    return str(Location(display_path(loc.file), loc.line, loc.column))


@click.command(name="test")
@click.argument("packs", nargs=-1, metavar="[PACK]...", shell_complete=complete_packs)
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="N",
              help="Fail when fewer than N % of the rules fired in some test.")
@click.option("--verbose", "-v", is_flag=True, help="List passing tests too.")
def test_command(packs: tuple[str, ...], min_coverage: float | None, verbose: bool) -> None:
    """Run the tests of rule packs and report rule coverage.

    Each PACK is a pack folder or a built-in pack name; with none, every
    built-in pack is tested. Tests live in the pack's tests/*.yaml. Each
    failure shows what was expected and what came out. Coverage lists the
    rules no test made fire, each with the first condition that never held.
    The exit status is 1 when a test fails or coverage is below --min-coverage,
    2 when a pack does not load (run hunch check).

    \b
    Example:
      hunch test rules/interview-silence
      hunch test --min-coverage 100 my-pack
    """
    from hunch.authoring.packtest import run_tests
    from hunch.engine.load import load_pack
    from hunch.errors import HunchError

    failed = broken = False
    for label, path in pack_paths(packs):
        try:
            pack = load_pack(path, tests=True)
        except HunchError as exc:
            say(f"{label}: cannot run the tests: {located(exc, with_level=False)}",
                       err=True)
            broken = True
            continue
        if _show(label, run_tests(pack), len(pack.rules), min_coverage, verbose):
            failed = True
    if broken:
        raise Reported(EXIT_BAD_INPUT)
    if failed:
        raise Reported(EXIT_FAILED)


def _show(label: str, report: SuiteReport, rules: int, min_coverage: float | None,
          verbose: bool) -> bool:
    """One pack's tests and coverage; whether it failed (a test, or the coverage)."""
    say(f"{label}: {plural(len(report.outcomes), 'test')}")
    for outcome in report.outcomes:
        if outcome.passed:
            if verbose:
                say(f"  PASS {outcome.test.name}")
            continue
        say(f"  FAIL {outcome.test.name} ({_where(outcome.test.loc)})")
        for error in outcome.errors:
            say(f"    {located(error, with_level=False)}")
        for failure in outcome.failures:
            say(f"    {failure}")
    say(f"  coverage: {len(report.fired)} of {plural(rules, 'rule')} fired "
        f"({report.coverage:.1f} %)")
    for item in report.uncovered:
        where = f" at {_where(item.leaf.cond.loc)}" if item.leaf else ""
        say(f"    not covered: {item.rule.id} ({_where(item.rule.loc)}): "
            f"{item.reason}{where}")
    low = min_coverage is not None and report.coverage < min_coverage
    if low:
        say(f"  coverage {report.coverage:.1f} % is below --min-coverage "
            f"{min_coverage:g}")
    say(f"{label}: {report.passed} passed, {report.failed} failed, "
        f"coverage {report.coverage:.1f} %")
    return report.failed > 0 or low
