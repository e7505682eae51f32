"""One signature for every kept decision (disclosure.rules.decision_signature): the source of
every module in the disclosure package, the caller's own extra files and the rules in force.

A change to ANY disclosure module changes the signature of every kept kind (the published
history, the linked people tables, the Agency rules compliance totals), so no council's store
keeps reading a decision an older policy made. With a hand-kept list of files (as the history's
was: cells, policy, system, rules, history) a change to audit.py, linked.py, compliance.py,
__init__.py or a new module would leave the history's signature unchanged and this fails.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from disclosure import compliance, history, linked

rules = importlib.import_module("disclosure.rules")  # the module (the package exports its `rules()`)

KINDS = {"history": history.signature, "people": linked.signature, "compliance": compliance.signature}
MODULES = sorted(p.name for p in rules.PACKAGE.glob("*.py"))


def test_the_package_is_every_disclosure_module():
    assert {"__init__.py", "audit.py", "cells.py", "compliance.py", "history.py", "linked.py", "policy.py",
            "rules.py", "system.py"} <= set(MODULES)


@pytest.mark.parametrize("name", [*MODULES, "a_new_module.py"])
def test_a_change_to_any_disclosure_module_changes_every_kinds_signature(name, changed_disclosure):
    before = {kind: sig() for kind, sig in KINDS.items()}
    changed_disclosure(name)
    after = {kind: sig() for kind, sig in KINDS.items()}
    assert {kind for kind in KINDS if after[kind] == before[kind]} == set(), name
    # the rules part is the same: it is the code that changed
    assert {s.split("|")[1] for s in after.values()} == {s.split("|")[1] for s in before.values()}


def test_an_unchanged_copy_signs_the_same(tmp_path: Path, monkeypatch):
    """The signature is of the files' contents, not where they are (a council's install)."""
    import shutil

    before = {kind: sig() for kind, sig in KINDS.items()}
    shutil.copytree(rules.PACKAGE, tmp_path / "disclosure", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(rules, "PACKAGE", tmp_path / "disclosure")
    assert {kind: sig() for kind, sig in KINDS.items()} == before


def test_the_callers_extra_files_and_the_rules_are_signed(tmp_path: Path, monkeypatch):
    extra = tmp_path / "feeds.py"
    extra.write_text("x = 1\n", "utf-8")
    plain, with_extra = rules.decision_signature(), rules.decision_signature(extra)
    assert plain != with_extra
    other = tmp_path / "feeds2.py"
    other.write_text("x = 2\n", "utf-8")
    assert rules.decision_signature(other) != with_extra
    # each kind signs its own extra files on top of the package (the catalogue's counts-people
    # flags for the history; the store codec and category orders for the linked tables)
    assert len({sig() for sig in KINDS.values()}) == 3
    # the rules in force ($WORKFORCE_DISCLOSURE): a stricter threshold signs differently
    stricter = tmp_path / "disclosure.toml"
    stricter.write_text(rules.DEFAULT_PATH.read_text("utf-8").replace("threshold = 5", "threshold = 10"), "utf-8")
    monkeypatch.setenv("WORKFORCE_DISCLOSURE", str(stricter))
    assert rules.decision_signature().split("|")[0] == plain.split("|")[0]
    assert rules.decision_signature() != plain
