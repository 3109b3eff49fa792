"""Issue 24: the by-artist shortlist (engine.artist_scan) answers exactly as the full scan.

The shortlist is an optimisation with a proof (every unread song scores below the pool),
so on every seed, page, cap and exclusion it must give the very same picks and scores as
reading the whole cluster. Both paths run on the same recommender: the shortlist is
switched on for every cluster size and off for all, by SHORTLIST_MIN_ROWS.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine.recommend as recommend_module
from engine.artist_scan import ArtistBlocks, artist_bounds
from engine.model import MoodModel
from engine.recommend import Recommender


@pytest.fixture(scope="module")
def rec(model: MoodModel) -> Recommender:
    return Recommender(model)


def _answers(rec: Recommender, seeds: list[int], monkeypatch: pytest.MonkeyPatch, min_rows: int, **kw):
    monkeypatch.setattr(recommend_module, "SHORTLIST_MIN_ROWS", min_rows)
    return [rec.recommend(s, 10, **kw) for s in seeds]


@pytest.mark.parametrize(
    "kw",
    [{}, {"page": 1}, {"per_artist": 0}, {"per_artist": 1, "page": 2}, {"n_excluded": 40}],
    ids=["plain", "page1", "nocap", "cap1-page2", "excluded"],
)
def test_shortlist_gives_the_full_scans_picks(rec: Recommender, monkeypatch: pytest.MonkeyPatch, kw: dict):
    rng = np.random.default_rng(24)
    seeds = rng.choice(rec.n_songs, 150, replace=False).tolist()
    kw = dict(kw)
    n_excluded = kw.pop("n_excluded", 0)
    if n_excluded:
        kw["exclude_ids"] = [rec.ids[i] for i in rng.choice(rec.n_songs, n_excluded, replace=False)]
    full = _answers(rec, seeds, monkeypatch, 10**12, **kw)
    used = []
    real = rec._recommend_by_artist

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        used.append(out is not None)
        return out

    monkeypatch.setattr(rec, "_recommend_by_artist", spy)
    short = _answers(rec, seeds, monkeypatch, 0, **kw)
    assert short == full
    assert sum(used) > len(seeds) // 2  # the shortlist really answered most of them


def test_scratch_scores_are_unread_again_after_a_request(rec: Recommender, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(recommend_module, "SHORTLIST_MIN_ROWS", 0)
    rec.recommend(3, 10)
    assert np.isneginf(rec._scratch.unread(rec.n_songs)).all()


def test_the_artist_bound_holds_for_every_song(rec: Recommender):
    """No song scores above its artist's bound (the proof the shortlist rests on)."""
    assert rec._artist_blocks is not None
    for c in range(rec.model.n_clusters_):
        blocks: ArtistBlocks = rec._artist_blocks[c]
        seed_row = 0
        q = rec._vectors_t[c][:, seed_row].astype(np.float64)
        seed_artist = int(rec.artist_code_[rec.model.order_[rec.model.cluster_rows(c)][seed_row]])
        bounds, _ = artist_bounds(blocks, seed_artist, rec.artist_weight)
        scores = blocks.vectors.astype(np.float64) @ q
        per_song_bound = np.repeat(bounds, np.diff(blocks.starts))
        assert (scores <= per_song_bound + 1e-6).all()


def test_no_artist_weight_means_no_shortlist(model: MoodModel):
    assert Recommender(model, artist_weight=0.0)._artist_blocks is None


@pytest.mark.parametrize("cap", [0, 1, 2, 3])
def test_nth_of_top_per_artist_is_the_brute_force_value(cap: int):
    from engine.artist_scan import nth_of_top_per_artist

    rng = np.random.default_rng(cap)
    for _ in range(200):
        lengths = rng.integers(1, 6, size=rng.integers(1, 8))
        scores = np.round(rng.random(int(lengths.sum())), 1)  # ties on purpose
        scores[rng.random(scores.shape[0]) < 0.2] = -np.inf
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        n = int(rng.integers(1, 6))
        kept = []
        for lo, ln in zip(starts, lengths):
            seg = sorted((x for x in scores[lo : lo + ln] if x > -np.inf), reverse=True)
            kept += seg if cap < 1 else seg[:cap]
        want = sorted(kept, reverse=True)[n - 1] if len(kept) >= n else -np.inf
        assert nth_of_top_per_artist(scores, starts, cap, n) == want
