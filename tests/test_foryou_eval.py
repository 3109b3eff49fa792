"""The for-you evaluation's claims, on a small run over the bundled catalog (rows the
constants were not tuned on: the odd listeners and servers), and its script's output."""

from __future__ import annotations

import pytest

from benchmarks import foryou_eval as ev

pytestmark = pytest.mark.slow


def test_foryou_beats_every_baseline_and_hybrid_beats_audio(engine):
    methods = ev.Methods(engine)
    report = ev.make_listeners(engine, 160)[1::2]
    rows = {
        name: ev.evaluate(report, getattr(methods, name))
        for name in ("popular", "random_clusters", "study_last", "global_mean", "foryou")
    }
    for name, (hit, ndcg) in rows.items():
        if name != "foryou":
            assert rows["foryou"][0] > hit and rows["foryou"][1] > ndcg, (name, rows)
    servers = ev.make_servers(engine, 6)[1::2]
    audio = ev.evaluate_hybrid(methods, servers, False)
    hybrid = ev.evaluate_hybrid(methods, servers, True)
    assert hybrid[0] > audio[0] and hybrid[1] > audio[1]


def test_playlists_are_smoother_than_both_other_orders(engine):
    sm = ev.smoothness(engine, 20)
    assert sm["ours"] < sm["by similarity to seed"] and sm["ours"] < sm["random order"]


def test_script_prints_the_tables(capsys):
    assert ev.main(["--listeners", "40", "--servers", "4", "--playlists", "5"]) == 0
    out = capsys.readouterr().out
    assert "| foryou |" in out and "hybrid beats audio-only" in out and "| ours |" in out
