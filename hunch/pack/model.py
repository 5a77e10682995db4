"""The rule pack model: plain records, no behaviour beyond small helpers.

What is immutable once read (condition trees, effects, rules, conclusions, sources,
tests) is a NamedTuple: much cheaper to define at import than a dataclass
(hunch/record.py says why that matters). Pack and FactSpec, filled in as they are
read, are dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from hunch.errors import Location
from hunch.pack.timemodel import TimeSchema
from hunch.record import Memo

ConclusionKind = Literal["hypothesis", "action"]
EffectKind = Literal["derive", "support", "oppose"]
MatchKind = Literal["input", "derived", "conclusion"]  # what a rule's condition matched

FACT_TYPES = ("integer", "number", "boolean", "enum", "string")
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "between", "exists")
ORDERING_OPS = ("lt", "lte", "gt", "gte", "between")


@dataclass
class FactSpec:
    name: str
    type: str
    loc: Location
    derived: bool = False
    question: str = ""
    description: str = ""
    unit: str = ""
    values: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    default: Any = None
    has_default: bool = False
    required: bool = False
    observable: bool = False  # derived facts: a situation may also state it (as given)
    # input facts: ask (show, list as unknown, try in what-if) only when this holds
    # over the other input facts (docs/authoring.md, "asked_when"); None: always
    asked_when: Condition | None = None


class SourceText(NamedTuple):
    id: str
    file: str  # path as written in sources.yaml, relative to the pack
    path: str  # resolved path on disk
    title: str
    loc: Location
    text: str = ""


SOURCE_KINDS = ("post", "book", "article", "manual", "web", "standard", "note", "interview")


class Source(NamedTuple):
    """Where a piece of knowledge comes from (docs/authoring.md, "Sources").

    ``kind`` says which fields mean something: a forum ``post`` (author, posted,
    best_answer, favorites), a ``book``, ``article`` or ``manual`` (authors, title,
    year, edition or version, publisher, page or section), a ``web`` page (url, title, accessed),
    a ``standard`` or regulation (identifier, clause), a ``note`` or ``interview``
    (author, date). ``text`` names a shipped text the quote is checked against.
    """

    id: str
    author: str
    posted: str
    best_answer: bool
    favorites: int
    text: str
    quote: str
    loc: Location
    quote_loc: Location
    kind: str = "post"
    authors: tuple[str, ...] = ()
    title: str = ""
    year: str = ""
    edition: str = ""
    publisher: str = ""
    page: str = ""
    section: str = ""
    url: str = ""
    accessed: str = ""
    identifier: str = ""
    clause: str = ""
    date: str = ""

    @property
    def verified(self) -> bool:
        """The quote was checked word for word against a text the pack ships.

        A loaded pack passed `hunch check`, which fails a quote not found in its
        text; so a source naming a text is verified, and one without is not.
        """
        return bool(self.text) and bool(self.quote)

    @property
    def name(self) -> str:
        """A short, useful name: the author handle for a post (as always), else
        author and short title with the page, or the standard and its clause."""
        if self.kind == "post":
            return self.author
        if self.kind == "standard":
            parts = [self.identifier or self.author, _short(self.title), self.clause]
        elif self.kind == "web":
            parts = [self.author, _short(self.title) or self.url]
        elif self.kind in ("note", "interview"):
            parts = [self.author or self.title, self.date]
        else:
            parts = [_people(self.authors) or self.author, _short(self.title),
                     f"p. {self.page}" if self.page else self.section]
        return ", ".join(p for p in parts if p)


    @property
    def citation(self) -> str:
        """The full reference, for the line under a quote."""
        people = _people(self.authors) or self.author
        if self.kind == "standard":
            parts = [self.identifier, self.title, self.clause, self.date or self.year]
        elif self.kind == "web":
            parts = [people, self.title, self.url,
                     f"accessed {self.accessed}" if self.accessed else ""]
        elif self.kind in ("note", "interview"):
            parts = [people, self.title, self.date or self.posted]
        else:
            parts = [people, self.title, self.edition, self.publisher, self.year or self.posted,
                     f"p. {self.page}" if self.page else "", self.section]
        return ", ".join(p for p in parts if p)


def _people(authors: tuple[str, ...]) -> str:
    if len(authors) > 2:
        return f"{authors[0]} et al."
    return " and ".join(authors)


def _short(title: str) -> str:
    """A title up to its subtitle: "The C Programming Language" of "...: 2nd ed"."""
    return title.split(":")[0].strip()


class LogEntry(NamedTuple):
    """What doing an action adds to an event log: the log's name and the entry's
    fields other than its date (the day it is done). docs/time.md, "Then what"."""

    log: str
    fields: dict[str, Any]


class Conclusion(NamedTuple):
    id: str
    kind: ConclusionKind
    title: str
    explanation: str
    sources: list[str]
    loc: Location
    group: str = ""  # exclusive group (hypotheses only); "" when in none
    # an action that answers a question of its own, shown beside the recommendation
    # and never as it (docs/authoring.md, "Side matters")
    alongside: bool = False
    logs: tuple[LogEntry, ...] = ()  # what doing the action adds to the situation's logs


class FactRef(NamedTuple):
    """The right-hand side of a comparison that names another fact."""

    fact: str


class Compare(NamedTuple):
    """``fact OP value``: the leaf of every condition tree."""

    fact: str
    op: str
    value: Any
    loc: Location


class ConclusionCond(NamedTuple):
    """Holds when some rule supported the conclusion."""

    conclusion: str
    loc: Location


class All(NamedTuple):
    items: list[Condition]
    loc: Location


class AnyOf(NamedTuple):
    items: list[Condition]
    loc: Location


class Not(NamedTuple):
    item: Condition
    loc: Location


Condition = Compare | ConclusionCond | All | AnyOf | Not


class Evidence(NamedTuple):
    """What kind of evidence a rule (or one effect) is: its grades (docs/certainty.md).

    ``standing``: what the passage is (a best answer, an aside, a manual's step...);
    ``hedge``: how firmly it says it; ``fit``: how closely its circumstance is the
    reader's. ``seconded_by``: answers that second the cited point (they raise its
    standing; they are not new evidence).
    """

    standing: str
    hedge: str
    fit: str
    loc: Location
    seconded_by: tuple[str, ...] = ()


class Grading(NamedTuple):
    """A pack's table from grades to numbers (pack.yaml ``grading:``, over the defaults)."""

    standing: dict[str, float]
    hedge: dict[str, float]
    fit: dict[str, float]
    seconded: float
    max: float
    loc: Location | None = None  # None: the documented default table


class Effect(NamedTuple):
    kind: EffectKind
    target: str  # derived fact name or conclusion id
    cf: float
    loc: Location
    value: Any = True
    # grades of this effect (its own, or its rule's); cf_given: the cf was written,
    # not computed from the grades (hunch check --strict compares the two)
    evidence: Evidence | None = None
    cf_given: bool = True
    because: str = ""  # this effect's own sentence, for a rule with several (docs/authoring.md)

    @property
    def signed_cf(self) -> float:
        return -self.cf if self.kind == "oppose" else self.cf


class Rule(NamedTuple):
    id: str
    when: Condition
    then: list[Effect]
    cites: list[str]
    because: str
    loc: Location
    file: str = ""
    # why this rule is separate evidence from another rule that cites the same
    # answer for the same conclusion (hunch check --strict asks for it: docs/checking.md)
    distinct: str = ""
    evidence: Evidence | None = None  # the rule's grades (pack/grading.py)

    def because_for(self, target: str) -> str:
        """The sentence for one conclusion: its effect's own ``because`` when it has
        one (a rule with several effects may word each), else the rule's."""
        own = next((e.because for e in self.then if e.target == target and e.because), "")
        return own or self.because


class PackTest(NamedTuple):
    name: str
    situation: dict[str, Any]
    situation_lines: dict[str, int]
    expect: dict[str, Any]
    loc: Location


class Words(NamedTuple):
    """What a pack calls its conclusions (pack.yaml ``words:``; docs/authoring.md): a wine
    adviser's hypotheses are wines, a printer pack's actions are steps. Every heading,
    prompt and sentence that names a kind of conclusion uses these."""

    hypothesis: str = "hypothesis"
    hypotheses: str = "hypotheses"
    action: str = "action"
    actions: str = "actions"


class Contradiction(NamedTuple):
    """Answers that cannot all hold at once (contradictions.yaml; docs/certainty.md).

    ``answers``: each input fact with the values that take part (any one of them);
    the contradiction holds when every listed fact has one of its values.
    """

    id: str
    answers: tuple[tuple[str, tuple[Any, ...]], ...]
    says: str  # one sentence, why these answers cannot all be true
    loc: Location


@dataclass
class Pack:
    name: str
    title: str
    description: str
    version: str
    path: str
    facts: dict[str, FactSpec] = field(default_factory=dict)
    derived: dict[str, FactSpec] = field(default_factory=dict)
    conclusions: dict[str, Conclusion] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    texts: dict[str, SourceText] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    tests: list[PackTest] = field(default_factory=list)
    loc: Location = field(default_factory=lambda: Location("pack.yaml"))
    time: TimeSchema = field(default_factory=TimeSchema)  # facts.yaml `dates:` (docs/time.md)
    drafts: dict[str, Any] = field(default_factory=dict)  # drafts.yaml: action id -> Draft
    grading: Grading | None = None  # None until read: the default table applies
    words: Words = field(default_factory=Words)  # what it calls its conclusions
    min_certainty: float = 0.0  # tables leave out conclusions below it (JSON keeps them)
    contradictions: list[Contradiction] = field(default_factory=list)
    # what later layers work out from the pack (the engine's program and runner, the
    # explain and consult indexes), each under a slot its module declares
    memo: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)

    def spec(self, name: str) -> FactSpec | None:
        return self.facts.get(name) or self.derived.get(name)

    def hypotheses(self) -> list[Conclusion]:
        return [c for c in self.conclusions.values() if c.kind == "hypothesis"]

    def actions(self) -> list[Conclusion]:
        return [c for c in self.conclusions.values() if c.kind == "action"]

    @property
    def groups(self) -> dict[str, list[str]]:
        """Exclusive groups: group name -> its conclusion ids, in file order.

        At most one member of a group is the true answer (one animal, one fault),
        so a ranking reports equal members as a tie and analyses ignore tie-breaks.
        Worked out from each conclusion's ``group``; cheap, so not cached.
        """
        out: dict[str, list[str]] = {}
        for c in self.conclusions.values():
            if c.group:
                out.setdefault(c.group, []).append(c.id)
        return out

    def group_of(self, conclusion_id: str) -> str | None:
        """The exclusive group a conclusion belongs to, or None."""
        c = self.conclusions.get(conclusion_id)
        return (c.group or None) if c is not None else None


def names_read(cond: Condition) -> list[str]:
    """Every fact and conclusion a condition reads, in order, with repeats."""
    out: list[str] = []
    for node in walk(cond):
        if isinstance(node, ConclusionCond):
            out.append(node.conclusion)
        elif isinstance(node, Compare):
            out.append(node.fact)
            if isinstance(node.value, FactRef):
                out.append(node.value.fact)
    return out


def condition_data(cond: Condition) -> Any:
    """A condition as it is written in YAML (and as JSON clients read it)."""
    if isinstance(cond, Compare):
        value = {"fact": cond.value.fact} if isinstance(cond.value, FactRef) else cond.value
        if cond.op == "eq" and value is True:
            return {"fact": cond.fact}
        return {"fact": cond.fact, cond.op: value}
    if isinstance(cond, ConclusionCond):
        return {"conclusion": cond.conclusion}
    if isinstance(cond, Not):
        return {"not": condition_data(cond.item)}
    return {"all" if isinstance(cond, All) else "any": [condition_data(c) for c in cond.items]}


def walk(cond: Condition) -> list[Condition]:
    """Every node of a condition tree, parents before children."""
    out: list[Condition] = [cond]
    if isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            out.extend(walk(item))
    elif isinstance(cond, Not):
        out.extend(walk(cond.item))
    return out
