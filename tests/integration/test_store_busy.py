"""A store held by another process: openers wait (bounded), then StoreBusy names who holds it,
and every command line exits 3 (its documented code), writing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import store

ROOT = Path(__file__).resolve().parents[2]

HOLD = """
import sys, time
import store
with store.writing(sys.argv[1], who="the test holder") as con:
    print("HELD", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the store (as a load does) for `seconds`; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "HELD"
    return proc


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKFORCE_DB=str(db), WORKFORCE_STORE_WAIT="0.5")
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_held_store_is_busy_with_the_holders_name_then_free(tmp_db: Path) -> None:
    proc = hold(tmp_db, 30)
    try:
        assert store.connection.marker_path(tmp_db).read_text().splitlines()[0] == "the test holder"
        started = time.monotonic()
        with pytest.raises(store.StoreBusy) as info:
            store.connect(tmp_db, wait=0.6)
        assert time.monotonic() - started >= 0.6  # it waited before giving up
        assert str(info.value) == "the store is busy (being loaded by the test holder); try again"
        assert info.value.holder == "the test holder"
        with pytest.raises(store.StoreBusy):
            store.connect(tmp_db, read_only=True, wait=0.2)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    con = store.connect(tmp_db, wait=5)  # free again once the holder is gone
    con.close()


def test_a_writer_waits_for_a_short_hold(tmp_db: Path) -> None:
    proc = hold(tmp_db, 1.5)
    try:
        started = time.monotonic()
        with store.writing(tmp_db, who="the second writer", wait=30) as con:
            waited = time.monotonic() - started
            assert store.connection.marker_path(tmp_db).read_text().splitlines()[0] == "the second writer"
            store.record_audit(con, actor="t", role=None, action="test")
        assert waited >= 0.5
    finally:
        proc.wait(timeout=30)
    assert not store.connection.marker_path(tmp_db).exists()  # the marker goes with the writer


@pytest.mark.parametrize("argv", [
    ("metrics", "--history"),
    ("recommendations", "seed"),
    ("metrics.benchmarks", "show"),
])
def test_every_command_line_exits_3_when_the_store_stays_busy(tmp_db: Path, argv) -> None:
    proc = hold(tmp_db, 60)
    try:
        done = run_cli(*argv, "--db", str(tmp_db), db=tmp_db)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert done.returncode == store.EXIT_BUSY == 3, (done.returncode, done.stderr)
    assert "the store is busy (being loaded by the test holder); try again" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_load_command_exits_3_and_writes_nothing(tmp_db: Path, tmp_path: Path) -> None:
    from tests.e2e.workbooks import month_frames, workbook_bytes

    extract = tmp_path / "workforce_2026-01.xlsx"
    extract.write_bytes(workbook_bytes(month_frames(period="2026-01")))
    proc = hold(tmp_db, 60)
    try:
        done = run_cli("ingest", str(extract), "--period", "2026-01", db=tmp_db)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: the store is busy (being loaded by the test holder)")
    con = store.connect(tmp_db)
    try:
        assert not store.has_loads(con)
    finally:
        con.close()
    assert "3  the store is busy" in run_cli("ingest", "--help", db=tmp_db).stdout
    for module in ("metrics", "recommendations", "metrics.benchmarks"):
        assert "exit code 3: the store is busy" in " ".join(run_cli(module, "--help", db=tmp_db).stdout.split())


def test_a_marker_left_by_a_killed_load_is_cleared_with_a_message(tmp_db: Path, caplog) -> None:
    """A load killed mid-write (SIGKILL: no clean-up runs) leaves its marker behind. The store is
    usable at once, the next busy message does not blame the dead loader, and the next writer
    says it removed the marker."""
    import signal

    proc = hold(tmp_db, 60)
    marker = store.connection.marker_path(tmp_db)
    assert f"pid={proc.pid}" in marker.read_text()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert marker.exists()  # left behind: nothing ran after the kill
    # another process holds the store now, without a marker of its own (a page reading it)
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, store\ncon = store.connect(sys.argv[1])\n"
         "print('HELD', flush=True)\ntime.sleep(30)", str(tmp_db)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "HELD"
        with caplog.at_level("WARNING", logger="store"):
            with pytest.raises(store.StoreBusy) as info:
                store.connect(tmp_db, wait=0.3)
        assert info.value.holder == "another program"  # not "the test holder", who is gone
        assert not marker.exists()
        assert f"left by the test holder (its process {proc.pid} has ended)" in caplog.text
    finally:
        reader.kill()
        reader.wait(timeout=10)
    with store.writing(tmp_db, who="the next loader", wait=5):
        assert marker.read_text().splitlines()[0] == "the next loader"
    assert not marker.exists()


def test_a_marker_of_a_live_writer_is_kept_and_an_old_one_is_cleared(tmp_db: Path, caplog) -> None:
    marker = store.connection.marker_path(tmp_db)
    marker.write_text(store.marker_text("this very process"), "utf-8")
    assert store.clear_stale_marker(tmp_db) is None  # its writer (this process) is alive
    assert marker.exists()
    old = time.time() - store.connection.STALE_MARKER_SECONDS - 60
    marker.write_text("a loader on another machine\npid=1 host=elsewhere since=2026-01-01T00:00:00+00:00\n")
    os.utime(marker, (old, old))
    with caplog.at_level("WARNING", logger="store"):
        message = store.clear_stale_marker(tmp_db)
    assert message is not None and "a loader on another machine (it is 6 hours old)" in message
    assert message in caplog.text
    assert not marker.exists()
