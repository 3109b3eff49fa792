"""The issue-24 bench's own arithmetic: recall against the baseline's picks and the
regression check against the recorded ratios (no subprocesses, no timings)."""

from __future__ import annotations

from benchmarks.bench_fastpath import FIGURES, MIN_RECALL, NOISE, check, recall


def _run(after_ms: float, rec: float = 1.0) -> dict:
    side = {"ready_cold_s": 1.0, "ready_warm_s": 1.0, "figures": {}}
    for key, _label, _unit in FIGURES:
        if not key.startswith("ready"):
            side["figures"][key] = {"p50_ms": 1.0}
    after = {**side, "figures": {k: {"p50_ms": after_ms} for k in side["figures"]}}
    return {"sizes": {"1000": {"before": side, "after": after, "recall": rec, "same": rec}}}


def test_recall_counts_the_baselines_songs_found_and_identical_lists():
    base = [[[1, 0.9], [2, 0.8]], [[3, 0.7], [4, 0.6]]]
    ours = [[[1, 0.9], [2, 0.8]], [[3, 0.7], [5, 0.6]]]
    assert recall(base, ours) == (0.75, 0.5)


def test_check_passes_within_noise_and_fails_beyond_it():
    reference = {"1000": {"recommend": 1.0, "vibe_first": 1.0, "talk": 1.0}}
    assert check(_run(1.0 + NOISE * 0.9), reference) == []
    problems = check(_run(1.0 + NOISE * 1.2), reference)
    assert problems and all("reference" not in p or "noise" in p for p in problems)


def test_check_fails_when_recall_drops():
    assert any("recall" in p for p in check(_run(1.0, MIN_RECALL - 0.01), {}))
