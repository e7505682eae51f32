"""Questions one unit of work asks the store again and again, answered once: `remembered`.

Why: a page view reads through a dozen cached readers, and each first asks whether what a load
kept is still current (the kept checked assignments' columns, state and data print; the stored
metric values' state and data fingerprint; the loaded months). A cold Agency & 80:20 view asked
61 queries, 35 of them such repeats (26 November 2026, render15 in bench/README.md).

When an answer is reused (every condition must hold, else the store is read as before):
- inside `remembering(state)`, a scope its opener ends (ui.db.page_view: one page view). Loads,
  exports, the command line and tests outside a page view never see a remembered answer;
- the question is asked through a cursor the scope's opener `admit`ted (ui.db.open_cursor's
  cursors of the view's connection): a cursor of another connection, or one a writer made for
  its own transaction, is always read;
- `state()` (the store's path and its files' sizes and modification times) is what it was when
  the answer was read: every committed write changes the files (its write-ahead log);
- not inside `paused()`, which every write of the dashboard holds (ui.db.write_lock): nothing
  is used or kept there, and all is forgotten as it starts and as it ends, so a read inside a
  write's open transaction (which sees rows the files do not hold yet) is never kept or given.
A command-line load cannot write while a view holds the store open, and the next view starts
with nothing remembered, so it sees the new month.

What is remembered is shared: callers treat it as read-only (or copy it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["admit", "forget", "paused", "remembered", "remembering"]


class _Scope:
    __slots__ = ("admitted", "answers", "paused", "state")

    def __init__(self, state: Callable[[], Hashable]) -> None:
        self.state = state
        self.answers: dict[Hashable, tuple[Hashable, Any]] = {}
        self.admitted: dict[int, Any] = {}  # id -> the cursor itself (held, so no id is reused)
        self.paused = 0


_LOCAL = threading.local()


def _scope() -> _Scope | None:
    return getattr(_LOCAL, "scope", None)


@contextmanager
def remembering(state: Callable[[], Hashable]) -> Iterator[None]:
    """`with remembering(state):` answers may be remembered until the block ends (a nested call
    joins the outer scope). `state()` must change whenever the store's content may have."""
    if _scope() is not None:
        yield
        return
    _LOCAL.scope = _Scope(state)
    try:
        yield
    finally:
        _LOCAL.scope = None


def admit(cursor: Any) -> None:
    """Let questions asked through `cursor` be answered from the scope (no-op outside one)."""
    scope = _scope()
    if scope is not None:
        scope.admitted[id(cursor)] = cursor


def forget() -> None:
    """Forget every answer and admitted cursor of this thread's scope (e.g. the store changed)."""
    scope = _scope()
    if scope is not None:
        scope.answers.clear()
        scope.admitted.clear()


@contextmanager
def paused() -> Iterator[None]:
    """`with paused():` a write: nothing remembered is used or kept inside, all forgotten at both
    ends (reads in an open transaction see rows the store's files do not show yet)."""
    scope = _scope()
    if scope is None:
        yield
        return
    scope.answers.clear()
    scope.paused += 1
    try:
        yield
    finally:
        scope.paused -= 1
        scope.answers.clear()


def remembered(con: Any, key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or the answer it gave for `key` earlier in this scope while the store is as it
    was then (see the module's docstring for when). The answer is shared: treat it as read-only."""
    scope = _scope()
    if scope is None or scope.paused or scope.admitted.get(id(con)) is not con:
        return read()
    now = scope.state()
    kept = scope.answers.get(key)
    if kept is not None and kept[0] == now:
        return kept[1]
    answer = read()
    if scope.state() == now and not scope.paused:  # nothing was written while it was read
        scope.answers[key] = (now, answer)
    return answer
