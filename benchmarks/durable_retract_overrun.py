"""durable_rules 2.0.28 reads (and can write) past a frame when a fired rule's facts
are retracted: why hunch deletes every session instead of reusing it.

    valgrind -q python benchmarks/durable_retract_overrun.py [--delete] [--facts N]

One rule matches a situation fact and a second fact (``s`` and ``d``, as hunch's
rules over derived facts do); N ``d`` facts are asserted, the rule fires N times,
then every fact is retracted, situation first (what the reuse tried on the branch,
commit 2ee0a66, did at the end of every run). Under valgrind each retraction of a
``d`` reports "Conditional jump or move depends on uninitialised value(s)" in
``deleteMessageFromFrame``: the loop there counts the frame's entries up to
``messageCount``, but the frame is an action frame already dispatched and freed
(its ``isDispatching`` flag is never cleared, so ``deleteActionFrame`` takes it for
one still running), and the retraction of ``s`` already blanked ``s``'s entry
without lowering the count, so the loop runs past the frame's 16 entries into the
next frame of the pool (or memory after the pool), blanking the first and third
word of any 12 bytes there whose first word is not 0 and whose third equals the
fact's offset. docs/performance.md ("Sessions are not
reused") has the whole path. With ``--delete`` the session is deleted instead, as
hunch does: no report. With ``--facts 0`` only the one-fact anchor rule fires: no
report either. It prints what it did; valgrind's report is the result.
"""

from __future__ import annotations

import argparse
import json

import durable_rules_engine as core

RULES = {"r": {"all": [{"s": {"_k": "s"}}, {"d": {"_k": "d"}}]},
         "anchor": {"all": [{"s": {"_k": "s"}}]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=2, help="d facts (frames of rule r)")
    parser.add_argument("--rounds", type=int, default=3, help="situations in the one session")
    parser.add_argument("--delete", action="store_true", help="delete the session, as hunch does")
    args = parser.parse_args()
    handle = core.create_ruleset("overrun", json.dumps(RULES))
    fired = 0
    for number in range(args.rounds):
        facts = [json.dumps({"_k": "s", "sid": "1", "round": number})]
        facts += [json.dumps({"_k": "d", "sid": "1", "n": i}) for i in range(args.facts)]
        state = 0
        for fact in facts:  # every d before any action runs: frames side by side
            _code, state = core.assert_fact(handle, fact)
        started = core.start_action_for_state(handle, state)
        message = started[1] if started else None
        while message:
            fired += 1
            message = core.complete_and_start_action(handle, state)
        if args.delete:
            core.delete_state(handle, "1")
        else:
            for fact in facts:
                core.retract_fact(handle, fact)
        print(f"situation {number}: {fired} firings so far, "
              f"{'deleted' if args.delete else 'retracted'}", flush=True)
    if not args.delete:
        core.delete_state(handle, "1")
    core.delete_ruleset(handle)


if __name__ == "__main__":
    main()
