"""The PostgreSQL load benchmark's checks, at a small size: two processes on one history, one
SIGKILLed mid-load; the survivor answers everything and no acknowledged write is lost.
(The figures come from ``python -m benchmarks pgload``; this only asserts correctness.)"""

from __future__ import annotations

import signal

import pytest

from benchmarks.bench_pg_load import format_report, run_load


@pytest.mark.slow
def test_killed_process_loses_no_acknowledged_write_and_the_other_keeps_answering(pg_server_url: str) -> None:
    out = run_load(pg_server_url, processes=2, users=4, per_user=5, kill_at=0.3)
    report = format_report(out, 4, 5)
    killed, survivor = out["workers"]
    assert killed["returncode"] == -signal.SIGKILL, report
    assert killed["acked_requests"] > 0 and killed["lost"] == 0 and killed["partial_lists"] == 0, report
    assert survivor["answered"] == survivor["requests"] == 20 and survivor["errors"] == 0, report
    assert survivor["row_problems"] == 0 and survivor["acked_after_kill"] > 0, report
    assert out["integrity_ok"] and out["ok"], report
