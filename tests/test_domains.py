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
