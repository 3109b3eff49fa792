"""The playlist-continuation benchmark (benchmarks/playlists.py): its measures on hand-made
lists, its common rules for every method, and that no held-out playlist reaches the
co-occurrence signal or a tuned constant (the split recomputed here independently).

Fast: the study sample's model with a small fixed set of made-up playlists (the real ones
live in the default catalog, whose model takes ~20 s to build: the one test on them is slow).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from benchmarks import playlists as P
from engine.cooccur import CoOccurrence, playlist_members
from engine.model import MoodModel

N_PLAYLISTS = 30
SPAN, STEP = 40, 30  # playlist j holds songs j*STEP .. j*STEP+SPAN-1: neighbours share 10


def column(n_songs: int) -> list[tuple[str, ...]]:
    """A small fixed set of playlists over the study sample's songs."""
    out: list[list[str]] = [[] for _ in range(n_songs)]
    for j in range(N_PLAYLISTS):
        for i in range(j * STEP, min(j * STEP + SPAN, n_songs)):
            out[i].append(f"pl{j:02d}")
    return [tuple(x) for x in out]


def my_held_out(pid: str, seed: int = 0) -> bool:
    """The split as issue 23 states it, written again: sha256 of "seed:id", low bit of byte 0."""
    return hashlib.sha256(f"{seed}:{pid}".encode()).digest()[0] % 2 == 1


@pytest.fixture(scope="module")
def playlist_column(model: MoodModel) -> list[tuple[str, ...]]:
    return column(len(model.labels_))


@pytest.fixture(scope="module")
def ctx(model: MoodModel, playlist_column: list[tuple[str, ...]]) -> P.Context:
    members = playlist_members(playlist_column)
    split = P.split_playlists(members)
    c = P.build_context(model, members, split.tuning, n=50)
    c.weights.update({"recommend_cooc": 1.0, "foryou_cooc": 1.0})
    return c


# -- measures by hand ------------------------------------------------------------------------
def test_measures_by_hand():
    ranked = [100, 2] + list(range(200, 222)) + [30] + list(range(300, 320))
    got = P.measures(ranked, frozenset({2, 30}), n=500)
    assert got["r_prec"] == pytest.approx(0.5)  # first |G| = 2: 100, 2
    dcg = 1 / math.log2(3) + 1 / math.log2(26)  # ranks 2 and 25
    assert got["ndcg"] == pytest.approx(dcg / (1 + 1 / math.log2(3)))
    assert got["clicks"] == 0 and got["hit10"] == 1.0

    later = list(range(500, 523)) + [7]  # the first right song at rank 24: page 3, two refreshes
    got = P.measures(later, frozenset({7, 8, 9}), n=500)
    assert got["clicks"] == 2 and got["hit10"] == 0.0 and got["r_prec"] == 0.0
    assert got["ndcg"] == pytest.approx((1 / math.log2(25)) / (1 + 1 / math.log2(3) + 1 / math.log2(4)))

    none = P.measures([1, 2, 3], frozenset({99}), n=500)
    assert none == {"r_prec": 0.0, "ndcg": 0.0, "clicks": 51.0, "hit10": 0.0}
    assert math.isnan(P.measures([1], frozenset(), n=500)["ndcg"])


def test_ideal_counts_the_list_length_asked_for():
    # 3 right songs, a 2-song list asked for: the ideal holds 2 hits, both found
    assert P.measures([1, 2], frozenset({1, 2, 3}), n=2)["ndcg"] == pytest.approx(1.0)


def test_new_artist_measures_leave_out_the_seeds_artists():
    artist = np.asarray([0, 0, 1, 2, 1])  # song -> artist
    task = P.Task("x", seeds=(0,), truth=frozenset({1, 2}))  # song 1 is by the seed's artist
    got = P.task_measures([1, 2, 3], task, artist, n=10)
    assert got["r_prec"] == 1.0  # |G| = 2, the first two are both right
    assert got["new_r_prec"] == 1.0 and got["new_ndcg"] == pytest.approx(1.0) and got["new_clicks"] == 0


# -- the common rules ------------------------------------------------------------------------
def test_finish_drops_seeds_and_copies_and_caps_artists_per_page():
    group = np.arange(40)
    group[5] = group[0]  # song 5 is a copy of seed 0
    artist = np.arange(40)
    artist[10:16] = 99  # six songs by one artist
    ranking = [0, 5, 10, 11, 12, 13, 14, 15, 1, 2, 3, 4, 6, 7, 8, 9] + list(range(16, 40))
    out = P.finish(ranking, seeds=[0], n=25, group=group, artist=artist, cap=2)
    assert 0 not in out and 5 not in out
    assert len(out) == len(set(out)) == 25
    for page in range(0, 25, 10):
        assert sum(1 for i in out[page : page + 10] if artist[i] == 99) <= 2
    assert out[:2] == [10, 11]  # the best two of the artist lead
    assert out[10:12] == [12, 13]  # the ones that waited open the next page


def test_every_method_follows_the_common_rules(ctx: P.Context, playlist_column):
    members = playlist_members(playlist_column)
    split = P.split_playlists(members)
    for k in (1, 5):
        for task in P.tasks_for(members, split.held[:4], k, ctx.group):
            seed_groups = {int(ctx.group[s]) for s in task.seeds}
            for method in P.METHODS:
                out = P.run_method(ctx, method, task)
                assert 0 < len(out) <= P.list_length(method, ctx.n), method
                groups = [int(ctx.group[i]) for i in out]
                assert not seed_groups & set(groups), f"{method} returned a seed"
                assert len(groups) == len(set(groups)), f"{method} returned a song twice"
                for page in range(0, len(out), P.PAGE):
                    arts = [int(ctx.artist[i]) for i in out[page : page + P.PAGE]]
                    assert max(arts.count(a) for a in arts) <= P.CAP, f"{method} broke the artist cap"


# -- no held-out playlist reaches the signal or a constant -----------------------------------
def test_the_split_recomputed_independently(playlist_column):
    members = playlist_members(playlist_column)
    split = P.split_playlists(members)
    ids = sorted({p for t in playlist_column for p in t})
    assert set(split.held) == {p for p in ids if my_held_out(p)}
    assert set(split.tuning) == {p for p in ids if not my_held_out(p)}
    assert set(split.tune_a) | set(split.tune_b) == set(split.tuning)
    assert split.held and split.tuning


def test_no_held_out_playlist_reaches_the_cooccurrence_or_the_weights(
    model: MoodModel, playlist_column, monkeypatch: pytest.MonkeyPatch
):
    ids = sorted({p for t in playlist_column for p in t})
    tuning = {p for p in ids if not my_held_out(p)}
    held = {p for p in ids if my_held_out(p)}
    built: list[set[str]] = []
    asked: list[set[str]] = []
    real_build = CoOccurrence.build.__func__  # type: ignore[attr-defined]
    real_tasks = P.tasks_for

    def spy_build(cls, members, n_songs, top_k=100):
        built.append(set(members))
        return real_build(cls, members, n_songs, top_k)

    def spy_tasks(members, playlists, k, group):
        asked.append(set(playlists))
        return real_tasks(members, playlists, k, group)

    monkeypatch.setattr(CoOccurrence, "build", classmethod(spy_build))
    monkeypatch.setattr(P, "tasks_for", spy_tasks)
    result = P.run(
        model,
        playlists_column=playlist_column,
        n=30,
        seed_counts=(1, 5),
        reps=50,
        grid=(0.0, 1.0),
        scan_playlists=4,
    )
    # every co-occurrence the benchmark built came from tuning playlists only
    assert built and all(b <= tuning for b in built)
    # the scan scored tuning playlists; the tables scored held-out ones, and nothing else
    scan_calls = [a for a in asked if a <= tuning]
    assert scan_calls and all(a <= tuning or a == held for a in asked)
    assert sum(1 for a in asked if a == held) == 2  # one per seed count
    assert set(result["held_playlists"]) == held and set(result["tuning_playlists"]) == tuning
    assert set(result["weights"]) == {"recommend_cooc", "foryou_cooc"}
    assert all(w in (0.0, 1.0) for w in result["weights"].values())
    # the signal the tables used: equal to one built from the independently found tuning side
    members = playlist_members(playlist_column)
    ctx = P.build_context(model, members, P.split_playlists(members).tuning, n=30)
    expected = real_build(CoOccurrence, {p: members[p] for p in sorted(tuning)}, len(playlist_column), 100)
    np.testing.assert_array_equal(ctx.cooc.offsets, expected.offsets)
    np.testing.assert_array_equal(ctx.cooc.neighbours, expected.neighbours)
    # two songs that share only held-out playlists are not neighbours
    only_held = [i for i, t in enumerate(playlist_column) if t and all(p in held for p in t)]
    assert only_held
    for i in only_held[:50]:
        assert ctx.cooc.neighbours_of(i)[0].shape[0] == 0
    # the mechanics: every method and measure, intervals around the means
    for k in ("1", "5"):
        table = result["by_seeds"][k]["methods"]
        assert set(table) == set(P.METHODS)
        for row in table.values():
            for metric in P.METRICS:
                cell = row[metric]
                assert cell["lo"] <= cell["mean"] + 1e-9 and cell["mean"] <= cell["hi"] + 1e-9
    assert "foryou_cooc - foryou" in result["by_seeds"]["1"]["differences"]
    assert "Playlist continuation" in P.format_report(result)


def test_the_engine_never_sees_all_playlists_in_the_benchmark(ctx: P.Context):
    assert ctx.engine.cooc.empty  # the blends get the tuning-only signal explicitly


def test_the_real_split_and_the_shipped_signal(default_engine):
    """On the default catalog (slow tier): 471 playlists, 438 with >= 20 songs, split as
    recomputed here; the shipped co-occurrence is built from all of them, and !recommend
    says when a pick comes from it."""
    members = playlist_members(default_engine.model.songs_["playlists"].tolist())
    assert len(members) == 471
    eligible = {p for p, v in members.items() if len(v) >= P.MIN_SONGS}
    assert len(eligible) == 438
    split = P.split_playlists(members)
    assert set(split.held) == {p for p in eligible if my_held_out(p)}
    assert set(split.tuning) == eligible - set(split.held) and not set(split.held) & set(split.tuning)
    assert default_engine.cooc.n_playlists == 471
    rec = default_engine.recommend("shape of you", 10)
    assert any(p.reason.startswith("often in playlists with Shape of You") for p in rec.picks)
