"""The other starter packs of `hunch init --template`: diagnosis and blank.

The default template (advice) lives in hunch.authoring.scaffold, since
docs/authoring.md's first worked example is exactly it. Each template here is a
complete pack that passes `hunch check --strict` and `hunch test
--min-coverage 100` as written (tests/test_domains.py runs both).
"""

from __future__ import annotations

DIAGNOSIS = {
    "pack.yaml": """\
# A starter identification pack written by `hunch init --template diagnosis`:
# exactly one answer of several (an exclusive group), found through derived
# facts. Make it yours, then run  hunch check {dir} && hunch test {dir}
name: {name}
title: Which animal is it?
description: >
  A small identification pack: from what you saw of an animal, which of five
  it is, through what it must be first (a mammal or a bird, a meat eater...).
version: 0.1.0
""",
    "facts.yaml": """\
facts:
  hair: {type: boolean, question: Does it have hair or fur?}
  gives_milk: {type: boolean, question: Does it feed its young on milk?}
  feathers: {type: boolean, question: Does it have feathers?}
  flies: {type: boolean, question: Does it fly?}
  eats_meat: {type: boolean, question: Does it eat meat?}
  hoofs: {type: boolean, question: Does it have hoofs?}
  markings:
    type: enum
    values: [none, spots, stripes]
    question: What markings does its coat have?

derived:
  # observable: a person who knows it is a mammal may just say so
  mammal: {observable: true, question: Is it a mammal?}
  bird: {observable: true, question: Is it a bird?}
  carnivore: {description: a mammal that eats meat}
  ungulate: {description: a mammal with hoofs}
""",
    "conclusions.yaml": """\
# group: animal -- exactly one of them is the answer; equal ones are a tie.
conclusions:
  - {id: cheetah, kind: hypothesis, group: animal, title: A cheetah, sources: [key]}
  - {id: tiger, kind: hypothesis, group: animal, title: A tiger, sources: [key]}
  - {id: zebra, kind: hypothesis, group: animal, title: A zebra, sources: [key]}
  - {id: penguin, kind: hypothesis, group: animal, title: A penguin, sources: [key]}
  - {id: eagle, kind: hypothesis, group: animal, title: An eagle, sources: [key]}
  - id: confirm
    kind: action
    title: Confirm it in a field guide
    explanation: Look the animal up and compare the pictures with what you saw.
    sources: [guide]
  - id: look-again
    kind: action
    title: Look again, and note its coat, feet and food
    explanation: None of the five fits yet; the questions say what to look for.
    sources: [key]
""",
    "sources.yaml": """\
# Your own notes (kind: note), quoted word for word from notes.txt. A book you
# cannot ship is cited as kind: book with authors, title, year, page, and no
# text: it is then shown as "not verified".
texts:
  notes: {file: notes.txt, title: The pack author's notes}
sources:
  - id: key
    kind: note
    author: the pack's author
    text: notes
    quote: A mammal that eats meat is a carnivore; one with hoofs is an ungulate.
  - id: guide
    kind: note
    author: the pack's author
    text: notes
    quote: Always confirm an identification against pictures.
""",
    "notes.txt": """\
Notes for the animal key.

A mammal has hair, or feeds its young on milk. A bird has feathers.
A mammal that eats meat is a carnivore; one with hoofs is an ungulate.
Always confirm an identification against pictures.
""",
    "rules.yaml": """\
# support without cf means cf 1: categorical rules read as plain if-then.
rules:
  - id: hair-mammal
    when: {any: [{fact: hair}, {fact: gives_milk}]}
    then: {derive: mammal}
    cites: [key]
  - id: feathers-bird
    when: {fact: feathers}
    then: {derive: bird}
    cites: [key]
  - id: meat-carnivore
    when: {all: [{fact: mammal}, {fact: eats_meat}]}
    then: {derive: carnivore}
    cites: [key]
  - id: hoofs-ungulate
    when: {all: [{fact: mammal}, {fact: hoofs}]}
    then: {derive: ungulate}
    cites: [key]
  - id: spotted-carnivore
    when: {all: [{fact: carnivore}, {fact: markings, eq: spots}]}
    then: {support: cheetah}
    cites: [key]
  - id: striped-carnivore
    when: {all: [{fact: carnivore}, {fact: markings, eq: stripes}]}
    then: {support: tiger}
    cites: [key]
  - id: striped-ungulate
    when: {all: [{fact: ungulate}, {fact: markings, eq: stripes}]}
    then: {support: zebra}
    cites: [key]
  - id: flightless-bird
    when: {all: [{fact: bird}, {fact: flies, eq: false}]}
    then: {support: penguin, cf: 0.8}
    cites: [key]
  - id: hunting-bird
    when: {all: [{fact: bird}, {fact: flies}, {fact: eats_meat}]}
    then: {support: eagle, cf: 0.8}
    cites: [key]
  - id: any-answer
    when: {group: animal}
    then: {support: confirm, cf: 0.9}
    cites: [guide]
  - id: no-answer
    when: {all: [{fact: markings, exists: true}, {not: {group: animal}}]}
    then: {support: look-again, cf: 0.5}
    cites: [key]
""",
    "tests/basic.yaml": """\
tests:
  - name: a spotted meat eater with fur
    situation: {hair: true, eats_meat: true, markings: spots}
    expect:
      derives: {mammal: true, carnivore: true}
      exactly: [cheetah, confirm]
  - name: a tiger, told it is a mammal
    situation: {mammal: true, eats_meat: true, markings: stripes}
    expect: {top_hypothesis: tiger, derives: {ungulate: false}}
  - name: a zebra
    situation: {gives_milk: true, hoofs: true, markings: stripes}
    expect: {top_hypothesis: zebra, recommendation: confirm}
  - name: a penguin
    situation: {feathers: true, flies: false}
    expect: {top_hypothesis: penguin}
  - name: an eagle
    situation: {bird: true, flies: true, eats_meat: true}
    expect: {top_hypothesis: eagle}
  - name: nothing fits
    situation: {hair: true, markings: none}
    expect: {exactly: [look-again], derives: {mammal: true}}
""",
    "example.yaml": """\
# A situation: try  hunch evaluate --rules {dir} {dir}/example.yaml
hair: true
eats_meat: true
markings: stripes
""",
}

BLANK = {
    "pack.yaml": """\
# An empty-as-can-be pack written by `hunch init --template blank`: one of each
# part. Fill it in, then run  hunch check {dir} && hunch test {dir}
name: {name}
title: {name}
description: What this pack helps with.
version: 0.1.0
""",
    "facts.yaml": """\
facts:
  symptom: {type: boolean, question: Do you see the symptom?}
""",
    "conclusions.yaml": """\
conclusions:
  - {id: cause, kind: hypothesis, title: The cause, sources: [note]}
  - {id: fix, kind: action, title: The fix, sources: [note]}
""",
    "sources.yaml": """\
texts:
  notes: {file: notes.txt}
sources:
  - id: note
    kind: note
    author: the pack's author
    text: notes
    quote: The symptom means the cause.
""",
    "notes.txt": "The symptom means the cause.\n",
    "rules.yaml": """\
rules:
  - id: symptom-cause
    when: {fact: symptom}
    then: {support: cause, cf: 0.8}
    cites: [note]
  - id: cause-fix
    when: {conclusion: cause}
    then: {support: fix, cf: 0.9}
    cites: [note]
""",
    "tests/basic.yaml": """\
tests:
  - name: the symptom
    situation: {symptom: true}
    expect: {top_hypothesis: cause, recommendation: fix}
""",
    "example.yaml": "symptom: true\n",
}
