"""`hunch init DIR`: write a small, complete rule pack to start from.

The pack is a working example of every part of the format: input facts of each
type, a derived fact (a chain), hypotheses and actions, a shipped source text
with word-for-word quotes, and tests that make every rule fire. It passes
`hunch check` with no warnings and `hunch test --min-coverage 100`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile

from hunch.errors import HunchError
from hunch.pack.yamlsource import dump

PACK_YAML = """\
# A starter pack written by `hunch init`. Make it yours: change the facts, the
# conclusions and the rules, replace notes.txt with the text you cite, then run
#   hunch check {dir} && hunch test {dir}
name: {name}
title: Why is my houseplant unhappy?
description: >
  A small example pack: what a houseplant's leaves, soil and light say about
  what is wrong with it, and what to do about it.
version: 0.1.0
"""

FACTS_YAML = """\
# Input facts are what a person states in a situation file; derived facts are
# what the rules conclude along the way.
facts:
  days_between_watering:
    type: integer
    min: 1
    max: 60
    unit: days
    question: How many days do you usually leave between waterings?
  soil_wet:
    type: boolean
    question: Is the soil still wet a day after watering?
  leaves:
    type: enum
    values: [healthy, yellow, drooping, pale]
    default: healthy
    question: What do the leaves look like?
  light:
    type: enum
    values: [dark, medium, bright]
    question: How much light does the plant get where it stands?

derived:
  watered_often:
    description: The plant is watered every few days or more often.
"""

CONCLUSIONS_YAML = """\
conclusions:
  - id: too-much-water
    kind: hypothesis
    title: It gets too much water
    explanation: >
      The roots sit in wet soil and cannot breathe; the leaves turn yellow.
    sources: [notes-yellow-wet]
  - id: too-little-water
    kind: hypothesis
    title: It is thirsty
    explanation: The soil dries out and the leaves droop.
    sources: [notes-drooping]
  - id: too-little-light
    kind: hypothesis
    title: It does not get enough light
    explanation: It grows long and pale as it reaches for light.
    sources: [notes-reaching]

  - id: let-soil-dry
    kind: action
    title: Let the soil dry out before watering again
    sources: [notes-let-dry]
  - id: water-more
    kind: action
    title: Water it more often
    sources: [notes-drooping]
  - id: move-to-window
    kind: action
    title: Move it closer to a bright window
    sources: [notes-move]
"""

SOURCES_YAML = """\
# Every quote must appear word for word in its text (runs of whitespace count
# as one space); `hunch check` verifies it.
texts:
  notes:
    file: notes.txt
    title: Houseplant notes
sources:
  - id: notes-yellow-wet
    author: the pack's author
    text: notes
    quote: Yellow leaves on soil that stays wet are the classic sign of too much water
  - id: notes-let-dry
    author: the pack's author
    text: notes
    quote: Let the top of the soil dry out before you water again.
  - id: notes-drooping
    author: the pack's author
    text: notes
    quote: Drooping leaves on dry soil mean the plant is thirsty.
  - id: notes-reaching
    author: the pack's author
    text: notes
    quote: A plant far from a window grows long and pale as it reaches for light.
  - id: notes-move
    author: the pack's author
    text: notes
    quote: Move it closer to a bright window, out of direct midday sun.
"""

NOTES_TXT = """\
Houseplant notes

(This is the source text the pack cites. Replace it with the text your own
pack is built from, and quote it word for word in sources.yaml.)

Yellow leaves on soil that stays wet are the classic sign of too much water:
the roots cannot breathe. Let the top of the soil dry out before you water
again.

Drooping leaves on dry soil mean the plant is thirsty.

A plant far from a window grows long and pale as it reaches for light. Move it
closer to a bright window, out of direct midday sun.
"""

RULES_YAML = """\
rules:
  # A derived fact: other rules build on it (a chain).
  - id: watered-often
    when: {fact: days_between_watering, lte: 3}
    then: {derive: watered_often}
    because: Watering every few days keeps the soil wet.

  - id: yellow-and-wet
    when:
      all:
        - {fact: leaves, eq: yellow}
        - {fact: soil_wet}
    then: {support: too-much-water, cf: 0.7}
    cites: [notes-yellow-wet]
    because: Yellow leaves on wet soil are the classic sign of overwatering.

  - id: yellow-and-watered-often
    when:
      all:
        - {fact: leaves, eq: yellow}
        - {fact: watered_often}
    then: {support: too-much-water, cf: 0.4}
    cites: [notes-yellow-wet]
    because: Yellow leaves on a plant watered every few days point to too much water.
    distinct: A second sign from the same note (how often you water), not the wet soil again.

  - id: drooping-and-dry
    when:
      all:
        - {fact: leaves, eq: drooping}
        - not: {fact: soil_wet}
    then: {support: too-little-water, cf: 0.7}
    cites: [notes-drooping]
    because: Drooping leaves on dry soil mean the plant is thirsty.

  - id: pale-in-the-dark
    when:
      all:
        - {fact: leaves, eq: pale}
        - {fact: light, in: [dark, medium]}
    then: {support: too-little-light, cf: 0.7}
    cites: [notes-reaching]
    because: Pale leaves away from bright light mean it is reaching for light.

  - id: bright-spot
    when: {fact: light, eq: bright}
    then: {oppose: too-little-light, cf: 0.5}
    cites: [notes-move]
    because: It already stands in bright light.

  # Actions follow from the hypotheses.
  - id: dry-out
    when: {conclusion: too-much-water}
    then: {support: let-soil-dry, cf: 0.9}
    cites: [notes-let-dry]
    because: Too much water is fixed by letting the soil dry.

  - id: water-it
    when: {conclusion: too-little-water}
    then: {support: water-more, cf: 0.9}
    cites: [notes-drooping]
    because: A thirsty plant needs water.

  - id: move-it
    when: {conclusion: too-little-light}
    then: {support: move-to-window, cf: 0.9}
    cites: [notes-move]
    because: A plant short of light needs a brighter spot.
"""

TESTS_YAML = """\
# `hunch test` runs these; every key under expect is optional.
tests:
  - name: watered every other day, yellow leaves on wet soil
    situation:
      days_between_watering: 2
      soil_wet: true
      leaves: yellow
      light: medium
    expect:
      top_hypothesis: too-much-water
      recommendation: let-soil-dry
      certainty: {too-much-water: {min: 0.7, max: 0.9}}

  - name: thirsty plant in a bright window
    situation:
      days_between_watering: 14
      soil_wet: false
      leaves: drooping
      light: bright
    expect:
      top_hypothesis: too-little-water
      recommendation: water-more
      not_concludes: [too-little-light]

  - name: pale plant in a dark corner
    situation_file: ../example.yaml
    expect:
      top_hypothesis: too-little-light
      recommendation: move-to-window
      ranks_above: [[too-little-light, too-much-water]]
"""

EXAMPLE_YAML = """\
# A situation: try  hunch evaluate --rules {dir} {dir}/example.yaml
days_between_watering: 7
soil_wet: false
leaves: pale
light: dark
"""

FILES = {
    "pack.yaml": PACK_YAML,
    "facts.yaml": FACTS_YAML,
    "conclusions.yaml": CONCLUSIONS_YAML,
    "sources.yaml": SOURCES_YAML,
    "notes.txt": NOTES_TXT,
    "rules.yaml": RULES_YAML,
    "tests/basic.yaml": TESTS_YAML,
    "example.yaml": EXAMPLE_YAML,
}


def pack_name(directory: str) -> str:
    """A valid pack id from a folder name: `My Pack` -> `my-pack`."""
    base = os.path.basename(os.path.normpath(os.path.abspath(directory))).lower()
    name = re.sub(r"[^a-z0-9_.-]+", "-", base).strip("-._")
    return name[:64] or "my-pack"


TEMPLATES = ("advice", "diagnosis", "blank")


def template_files(template: str) -> dict[str, str]:
    """The files of a starter pack: advice (the default, docs/authoring.md's first
    worked example), diagnosis (an identification pack), or blank."""
    if template == "advice":
        return FILES
    from hunch.authoring.templates import BLANK, DIAGNOSIS

    if template == "diagnosis":
        return DIAGNOSIS
    if template == "blank":
        return BLANK
    raise HunchError(f"unknown template {template!r}", "--template",
                     hint=f"use one of {', '.join(TEMPLATES)}")


def init_pack(directory: str, name: str | None = None, template: str = "advice") -> list[str]:
    """Write a starter pack (advice, diagnosis or blank) into ``directory`` (created
    if missing, refused if not empty) and return the paths written.

    All or nothing: the pack is built in a temporary folder beside ``directory``
    and renamed into place when complete, so a failure (a full disk, a name the
    file system refuses) leaves no half-written pack behind.
    """
    from hunch.pack.values import ID

    files = template_files(template)
    shown = display(directory)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise HunchError("exists and is not a folder", shown, hint="pick a new folder name")
    if os.path.isdir(directory) and os.listdir(directory):
        raise HunchError("folder is not empty; hunch init writes only into a new or empty "
                         "folder", shown, hint="pick a new folder name")
    name = name or pack_name(directory)
    if not ID.match(name):
        raise HunchError(f"pack name {name!r} is not a valid id", shown,
                         hint="use lower case letters, digits, '-', '_' or '.', starting "
                              "with a letter or digit")
    _build(directory, shown, _contents(files, name, shown.rstrip("/\\") or shown))
    return [os.path.join(shown, rel) for rel in files]


def display(path: str) -> str:
    """A path as messages and files show it: bytes that are not UTF-8 as ``\\xNN``."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def _contents(files: dict[str, str], name: str, shown: str) -> dict[str, str]:
    """Every file of the pack, as text. The name goes into pack.yaml as YAML writes
    a scalar (quoted when YAML would read it as something else: yes, null, 0x10,
    1_000, ...); the folder, only into comments, as a shell word on one line."""
    quoted = dump(name).split("\n", 1)[0]
    folder = _one_line(shlex.quote(shown))
    return {rel: template.replace("{name}", quoted).replace("{dir}", folder)
            for rel, template in files.items()}


def _one_line(text: str) -> str:
    # a newline in a folder name would end the comment and start YAML of its own
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _build(directory: str, shown: str, contents: dict[str, str]) -> None:
    target = os.path.abspath(directory)
    parent = os.path.dirname(target)
    where = shown
    tmp = ""
    try:
        os.makedirs(parent, exist_ok=True)
        mode = os.stat(target).st_mode & 0o7777 if os.path.isdir(target) \
            else _default_dir_mode()
        tmp = tempfile.mkdtemp(prefix=".hunch-init-", dir=parent)
        for rel, text in contents.items():
            where = os.path.join(shown, rel)
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
        where = shown
        os.chmod(tmp, mode)  # mkdtemp makes it 0700; a new folder gets the usual mode
        os.rename(tmp, target)  # over an empty folder too (POSIX); refused if it filled up
    except OSError as exc:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        raise HunchError(f"cannot write the pack: {exc.strerror or exc}", where) from None
    except BaseException:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def _default_dir_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


__all__ = ["FILES", "TEMPLATES", "display", "init_pack", "pack_name", "template_files"]
