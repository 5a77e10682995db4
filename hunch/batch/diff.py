"""`hunch diff`: the same situations against two packs, and what changed in the advice.

The library half of the command (hunch/cli/diff.py is a thin shell over it):

- ``open_pack(spec, stack)``: a pack folder, a built-in pack name, or ``PACK@REV``, the
  pack as it was at a git revision (``git archive`` into a temporary folder that
  ``stack`` removes).
- ``sample_situations(packs, n, seed)``: a reproducible sample drawn from the packs'
  fact declarations.
- ``diff_packs(old, new, situations, threshold)``: a DiffReport of dataclasses.
- ``render_diff(report, fmt)``: the report as a table, JSON or Markdown.

It lives in hunch/batch because it is a batch: many situations, each evaluated on
its own, one bad item losing only itself (docs/diff.md).
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from hunch.batch.inputs import BadItem, FileItem, Item, expand
from hunch.engine.evaluate import Result, evaluate
from hunch.errors import HunchError, Location, PackError
from hunch.explain.unknowns import fact_tests
from hunch.pack.model import FactSpec, Pack
from hunch.pack.timemodel import AS_OF_KEY
from hunch.pack.validate import data_problems, situation_from
from hunch.pack.yamlsource import MAX_FILE_BYTES, load_file

DEFAULT_THRESHOLD = 0.1
RANK_MOVE = 2  # a rank change of this many places is listed even when the certainty barely moved
TOP_TRANSITIONS = 10
LEFT_OUT = 0.5  # how often a sampled situation leaves an optional fact out, after the walk


# --- the two packs -------------------------------------------------------------------------

def open_pack(spec: str, stack: ExitStack) -> Pack:
    """A pack folder or built-in name, or ``PACK@REV``: the pack at a git revision."""
    from hunch.engine.load import load_pack

    if "@" not in spec or os.path.isdir(spec):
        return load_pack(spec)
    name, rev = spec.rsplit("@", 1)
    folder = _extract_revision(spec, name, rev, stack)
    from hunch.pack.load import load_checked

    # not through the cache: the temporary folder is new every run, so an entry
    # would never be read again
    return load_checked(folder, tests=False)


def _extract_revision(spec: str, name: str, rev: str, stack: ExitStack) -> str:
    from hunch.pack.read import resolve_pack_path

    if not rev:
        raise PackError("no git revision after '@'", spec,
                        hint="write PACK@REV, e.g. rules/interview-silence@HEAD~1")
    folder = os.path.realpath(resolve_pack_path(name or "."))
    git = shutil.which("git")
    if git is None:
        raise PackError("git is not installed, so a pack at a revision cannot be read", spec,
                        hint="install git, or check the revision out with git worktree "
                             "(docs/diff.md)")
    top = _git(git, folder, ["rev-parse", "--show-toplevel"])
    if top is None:
        raise PackError("the pack folder is not in a git repository", spec,
                        hint="give the old pack as a folder instead")
    top = os.path.realpath(top.strip())
    if _git(git, top, ["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"]) is None:
        raise PackError(f"no git revision {rev!r} in {top}", spec,
                        hint="check the name with 'git log --oneline' or 'git branch -a'")
    rel = os.path.relpath(folder, top)
    archive = _git_bytes(git, top, ["archive", "--format=tar", rev, "--", rel])
    if archive is None:
        raise PackError(f"revision {rev!r} has no folder {rel!r}", spec,
                        hint="the pack may have moved; give its old path before '@'")
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="hunch-diff-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
    return os.path.join(tmp, rel)


def _git(git: str, cwd: str, args: list[str]) -> str | None:
    out = _git_bytes(git, cwd, args)
    return None if out is None else out.decode("utf-8", "replace")


def _git_bytes(git: str, cwd: str, args: list[str]) -> bytes | None:
    try:
        proc = subprocess.run([git, *args], cwd=cwd, capture_output=True, check=False,
                              stdin=subprocess.DEVNULL)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


# --- the situations ------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One situation to compare: a name, and its facts (or why it could not be read)."""

    name: str
    facts: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    sampled: bool = False


def read_cases(inputs: list[str], max_bytes: int = MAX_FILE_BYTES) -> list[Case]:
    """The situation files and folders (their *.yaml / *.yml, sorted), in order."""
    return [_case(item, max_bytes) for item in expand(inputs, max_bytes=max_bytes)]


def _case(item: Item, max_bytes: int) -> Case:
    match item:
        case BadItem(label, error):
            return Case(label, error=error)
        case FileItem(label, path):
            try:
                doc = load_file(path, max_bytes)
            except HunchError as exc:
                return Case(label, error=exc.format())
            if not isinstance(doc.data, dict):
                return Case(label, error=f"{path}:1:1: a situation must be a mapping of fact "
                                         f"names to values")
            return Case(label, facts=dict(doc.data))
    return Case(item.label, error=f"{item.label}: not a file")


def sample_situations(packs: list[Pack], n: int, seed: int) -> list[Case]:
    """``n`` situations drawn reproducibly from the packs' input facts.

    Every fact gets a list of notable values: each enum value, true and false,
    "unknown" (left out) when the fact is not required, its min and max, and every
    number a rule of either pack compares it with, with one either side. The first
    situations walk each fact's list in a shuffled order, so with ``n`` at least the
    longest list every notable value appears; later ones leave an optional fact out
    half the time (a person often does not know it), else pick a notable value or
    draw a number from the range the rules care about.
    """
    rng = random.Random(seed)
    specs: dict[str, FactSpec] = {}
    for pack in reversed(packs):  # the new pack's declaration wins
        specs.update(pack.facts)
    numbers: dict[str, set[float]] = {}
    for pack in packs:
        for name, tests in fact_tests(pack).items():
            numbers.setdefault(name, set()).update(tests.numbers)
    notable = {name: _notable(spec, numbers.get(name, set())) for name, spec in specs.items()}
    orders = {name: rng.sample(values, len(values)) for name, values in notable.items()}
    out = []
    for i in range(n):
        facts: dict[str, Any] = {}
        for name in sorted(specs):
            values = orders[name]
            if i < len(values):
                value = values[i]
            elif not specs[name].required and rng.random() < LEFT_OUT:
                value = _UNKNOWN
            elif rng.random() < 0.5 or specs[name].type not in ("integer", "number"):
                value = rng.choice(values)
            else:
                value = _draw_number(rng, specs[name], numbers.get(name, set()))
            if value is not _UNKNOWN:
                facts[name] = value
        out.append(Case(f"sample {i + 1}", facts=facts, sampled=True))
    return out


_UNKNOWN = object()


def _notable(spec: FactSpec, numbers: set[float]) -> list[Any]:
    values: list[Any] = []
    if spec.type == "boolean":
        values = [True, False]
    elif spec.type == "enum":
        values = list(spec.values or [])
    elif spec.type in ("integer", "number"):
        points = {v for p in numbers for v in (p - 1, p, p + 1)}
        points.update(v for v in (spec.min, spec.max) if v is not None)
        values = sorted(_in_range(spec, p) for p in points)
        values = list(dict.fromkeys(values))
    elif spec.type == "string":
        values = ["x"]
    if not spec.required:
        values.append(_UNKNOWN)
    return values or [_UNKNOWN]


def _in_range(spec: FactSpec, value: float) -> Any:
    low = spec.min if spec.min is not None else value
    high = spec.max if spec.max is not None else value
    clamped = min(max(value, low), high)
    return int(clamped) if spec.type == "integer" else float(clamped)


def _draw_number(rng: random.Random, spec: FactSpec, numbers: set[float]) -> Any:
    # the span the rules care about, and as far again, not the whole declared range
    # (days up to 3650 would make almost every sample a ten-year silence)
    low = spec.min if spec.min is not None else min(numbers, default=0) - 10
    top = max(numbers, default=low + 10) * 2 + 1
    high = min(top, spec.max) if spec.max is not None else top
    if spec.type == "integer":
        return rng.randint(int(low), max(int(low), int(high)))
    return round(rng.uniform(low, max(low, high)), 2)


# --- comparing -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Move:
    """A conclusion whose certainty or rank changed between the packs."""

    conclusion: str
    kind: str
    old_rank: int | None  # None: not concluded
    new_rank: int | None
    old_certainty: float
    new_certainty: float

    @property
    def change(self) -> float:
        return self.new_certainty - self.old_certainty


@dataclass(frozen=True)
class SituationDiff:
    """One situation: the advice under each pack, and what moved."""

    name: str
    facts: dict[str, Any]
    sampled: bool
    old_recommendation: str | None = None
    new_recommendation: str | None = None
    old_top: str | None = None
    new_top: str | None = None
    moves: list[Move] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)  # "old"/"new" -> facts left out
    error: str = ""

    @property
    def recommendation_changed(self) -> bool:
        return not self.error and self.old_recommendation != self.new_recommendation

    @property
    def top_changed(self) -> bool:
        return not self.error and self.old_top != self.new_top

    @property
    def changed(self) -> bool:
        return self.recommendation_changed or self.top_changed or bool(self.moves)


@dataclass(frozen=True)
class DiffReport:
    old: str
    new: str
    threshold: float
    situations: list[SituationDiff]

    @property
    def recommendations_changed(self) -> int:
        return sum(s.recommendation_changed for s in self.situations)

    @property
    def top_changed(self) -> int:
        return sum(s.top_changed for s in self.situations)

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.situations)

    @property
    def errors(self) -> int:
        return sum(bool(s.error) for s in self.situations)

    def transitions(self, limit: int = TOP_TRANSITIONS) -> list[tuple[str, int]]:
        """The most frequent recommendation changes, "old -> new", most frequent first."""
        counts = Counter(f"{s.old_recommendation or 'none'} -> {s.new_recommendation or 'none'}"
                         for s in self.situations if s.recommendation_changed)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def diff_packs(old: Pack, new: Pack, cases: list[Case], threshold: float = DEFAULT_THRESHOLD,
               old_name: str = "", new_name: str = "") -> DiffReport:
    """Evaluate every case against both packs and report what changed.

    Each pack sees only the facts it declares (a fact one pack added is left out
    for the other, and the report says so); a case one of the packs rejects is
    reported with its error and loses only itself.
    """
    out = [_diff_one(old, new, case, threshold) for case in cases]
    return DiffReport(old_name or old.name, new_name or new.name, threshold, out)


def _diff_one(old: Pack, new: Pack, case: Case, threshold: float) -> SituationDiff:
    if case.error:
        return SituationDiff(case.name, case.facts, case.sampled, error=case.error)
    ignored: dict[str, list[str]] = {}
    try:
        before = _evaluate(old, case, ignored, "old")
        after = _evaluate(new, case, ignored, "new")
    except HunchError as exc:
        return SituationDiff(case.name, case.facts, case.sampled, ignored=ignored,
                             error=exc.format())
    return SituationDiff(
        case.name, case.facts, case.sampled,
        old_recommendation=_id(before.recommendation), new_recommendation=_id(after.recommendation),
        old_top=_top(before), new_top=_top(after), moves=moves(before, after, threshold),
        ignored=ignored)


def _evaluate(pack: Pack, case: Case, ignored: dict[str, list[str]], side: str) -> Result:
    from hunch.errors import SituationErrors

    facts = {k: v for k, v in case.facts.items() if _takes(pack, k)}
    left_out = sorted(k for k in case.facts if not _takes(pack, k))
    if left_out:
        ignored[side] = left_out
    where = Location(case.name)
    problems = data_problems(facts, lambda path: where, pack)
    if problems:
        raise SituationErrors(problems)
    return evaluate(pack, situation_from(case.name, facts, {}, pack))


def _takes(pack: Pack, key: str) -> bool:
    """A fact of the pack, one of its dates, or the as-of date (docs/time.md)."""
    return key in pack.facts or key in pack.time.inputs or key == AS_OF_KEY


def _id(item: Any) -> str | None:
    return None if item is None else str(item.id)


def _top(result: Result) -> str | None:
    return result.hypotheses[0].id if result.hypotheses and result.hypotheses[0].certainty > 0 \
        else None


def moves(before: Result, after: Result, threshold: float) -> list[Move]:
    """Conclusions whose certainty changed by more than ``threshold``, or whose rank
    moved by RANK_MOVE places or more (appearing or vanishing counts as a move)."""
    old = {r.id: r for r in before.hypotheses + before.actions}
    new = {r.id: r for r in after.hypotheses + after.actions}
    out = []
    for cid in dict.fromkeys([*old, *new]):
        a, b = old.get(cid), new.get(cid)
        cf_a, cf_b = (a.certainty if a else 0.0), (b.certainty if b else 0.0)
        rank_a, rank_b = (a.rank if a else None), (b.rank if b else None)
        moved = (rank_a is None) != (rank_b is None) or (
            rank_a is not None and rank_b is not None and abs(rank_a - rank_b) >= RANK_MOVE)
        if abs(cf_b - cf_a) > threshold + 1e-9 or (moved and abs(cf_b - cf_a) > 1e-9):
            kind = (a or b).conclusion.kind  # type: ignore[union-attr]
            out.append(Move(cid, kind, rank_a, rank_b, cf_a, cf_b))
    out.sort(key=lambda m: (-abs(m.change), m.conclusion))
    return out


# --- rendering -----------------------------------------------------------------------------

def report_json(report: DiffReport) -> dict[str, Any]:
    return {
        "old": report.old, "new": report.new, "threshold": report.threshold,
        "summary": {"situations": len(report.situations), "changed": report.changed,
                    "recommendations_changed": report.recommendations_changed,
                    "top_hypotheses_changed": report.top_changed, "errors": report.errors,
                    "transitions": [{"change": t, "count": c} for t, c in report.transitions()]},
        "situations": [_situation_json(s) for s in report.situations],
    }


def _situation_json(s: SituationDiff) -> dict[str, Any]:
    if s.error:
        return {"situation": s.name, "error": s.error}
    out: dict[str, Any] = {
        "situation": s.name, "changed": s.changed,
        "recommendation": {"old": s.old_recommendation, "new": s.new_recommendation},
        "top_hypothesis": {"old": s.old_top, "new": s.new_top},
        "moves": [{"id": m.conclusion, "kind": m.kind, "old_rank": m.old_rank,
                   "new_rank": m.new_rank, "old_certainty": round(m.old_certainty, 4) + 0.0,
                   "new_certainty": round(m.new_certainty, 4) + 0.0} for m in s.moves],
        "ignored_facts": s.ignored,
    }
    if s.sampled:
        out["facts"] = s.facts
    return out


def render_diff(report: DiffReport, fmt: str) -> str:
    if fmt == "json":
        from hunch.output.formats import to_json

        return to_json(report_json(report)) + "\n"
    return (_markdown if fmt == "markdown" else _text)(report)


def _summary_lines(report: DiffReport) -> list[str]:
    n = len(report.situations)
    line = (f"{n} situation{'s' * (n != 1)}: {report.recommendations_changed} "
            f"recommendation{'s' * (report.recommendations_changed != 1)} changed, "
            f"{report.top_changed} top hypothes{'es' if report.top_changed != 1 else 'is'} "
            f"changed, {report.changed} with any change above {report.threshold:g}")
    if report.errors:
        line += f", {report.errors} could not be compared"
    return [line]


def _cf(value: float, rank: int | None) -> str:
    return "-" if rank is None else f"{value:.2f} (#{rank})"


def _arrow(old: str | None, new: str | None) -> str:
    return f"{old or 'none'} -> {new or 'none'}" if old != new else f"{old or 'none'} (same)"


def _facts_line(facts: dict[str, Any]) -> str:
    from hunch.output.formats import to_json

    return ", ".join(f"{k}={to_json(v)}" for k, v in facts.items())


def _text(report: DiffReport) -> str:
    import textwrap

    out = [f"hunch diff: {report.old} -> {report.new}", *_summary_lines(report)]
    if report.transitions():
        out += ["", "Most frequent recommendation changes"]
        out += [f"  {t}: {c}" for t, c in report.transitions()]
    for s in report.situations:
        if s.error:
            out += ["", f"{s.name}: could not be compared: {s.error}"]
            continue
        if not s.changed:
            continue
        out += ["", s.name]
        if s.sampled:
            out += textwrap.wrap(_facts_line(s.facts), 96, initial_indent="  facts: ",
                                 subsequent_indent="    ")
        out.append(f"  recommendation: {_arrow(s.old_recommendation, s.new_recommendation)}")
        out.append(f"  top hypothesis: {_arrow(s.old_top, s.new_top)}")
        for m in s.moves:
            out.append(f"  {m.conclusion:<30} {_cf(m.old_certainty, m.old_rank):>12} -> "
                       f"{_cf(m.new_certainty, m.new_rank)}")
        for side, names in sorted(s.ignored.items()):
            out.append(f"  (the {side} pack does not know {', '.join(names)}: left out for it)")
    unchanged = len(report.situations) - report.changed - report.errors
    if unchanged:
        out += ["", f"{unchanged} situation{'s' * (unchanged != 1)} without a change above the "
                    f"threshold (not listed)"]
    return "\n".join(out) + "\n"


def _markdown(report: DiffReport) -> str:
    out = [f"## hunch diff: `{report.old}` -> `{report.new}`", "", *_summary_lines(report)]
    if report.transitions():
        out += ["", "| recommendation change | situations |", "|---|---:|"]
        out += [f"| {t} | {c} |" for t, c in report.transitions()]
    for s in report.situations:
        if s.error:
            out += ["", f"### {s.name}", "", f"Could not be compared: {s.error}"]
            continue
        if not s.changed:
            continue
        out += ["", f"### {s.name}", ""]
        if s.sampled:
            out += [f"Facts: `{_facts_line(s.facts)}`", ""]
        out.append(f"- recommendation: {_arrow(s.old_recommendation, s.new_recommendation)}")
        out.append(f"- top hypothesis: {_arrow(s.old_top, s.new_top)}")
        if s.moves:
            out += ["", "| conclusion | old | new |", "|---|---:|---:|"]
            out += [f"| {m.conclusion} | {_cf(m.old_certainty, m.old_rank)} | "
                    f"{_cf(m.new_certainty, m.new_rank)} |" for m in s.moves]
        for side, names in sorted(s.ignored.items()):
            out.append(f"\n(the {side} pack does not know {', '.join(names)}: left out for it)")
    return "\n".join(out) + "\n"


__all__ = ["Case", "DiffReport", "Move", "SituationDiff", "diff_packs", "moves", "open_pack",
           "read_cases", "render_diff", "report_json", "sample_situations"]
