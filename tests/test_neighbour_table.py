"""Issue 24: first pages from each song's precomputed neighbours are the scan's, exactly.

The table (engine.neighbour_table) only makes a first page faster: on every seed, cap,
count and exclusion the picks and scores must be those of the walk over the whole
cluster's ranking, and when the table cannot prove a page (an artist's surplus it left
out could be on it) the recommender must scan instead. Checked on the real study sample
(tables built in memory) and on the default catalog's saved model (tables saved with the
serving arrays and mapped back, as every bot process gets them).
"""

from __future__ import annotations

import numpy as np
import pytest

import engine.neighbour_table as neighbour_table_module
from engine.model import MoodModel
from engine.neighbour_table import PER_ARTIST, WIDTH, NeighbourTable, page_from
from engine.recommend import Recommender
from tests.test_artist_scan import VARIANT_IDS, VARIANTS, _request, _scanned, _spy


@pytest.fixture(scope="module")
def tabled(model: MoodModel) -> Recommender:
    rec = Recommender(model)
    for c in range(rec.model.n_clusters_):
        assert rec.neighbour_table(c) is not None
    return rec


@pytest.mark.parametrize("kw", VARIANTS, ids=VARIANT_IDS)
def test_first_pages_from_the_table_are_the_scans(
    tabled: Recommender, monkeypatch: pytest.MonkeyPatch, kw: dict
):
    seeds, kw = _request(tabled, kw, seed_count=300)
    used = _spy(tabled, "_first_page_by_table", monkeypatch)
    n = kw.pop("n", 10)
    got = [tabled.recommend(s, n, **kw) for s in seeds]
    assert got == [_scanned(tabled, s, n, **kw) for s in seeds]
    # the table really answers, except where it cannot prove a page: without a cap an
    # artist's surplus it left out could be on it (scanned then)
    if kw.get("per_artist") != 0:
        assert sum(used) > len(seeds) * 0.9


def test_saved_tables_are_mapped_and_answer_the_default_catalog(default_engine):
    """The bot's model: every cluster of the 70k-song catalog has its table, read from the
    artifact's files, and its first pages are the scan's."""
    rec = default_engine.recommender
    assert all(t is not None and not t.rows.flags.writeable for t in rec._neighbours)
    seeds = np.random.default_rng(7).choice(rec.n_songs, 200, replace=False).tolist()
    for per_artist in (2, 1):
        assert [rec.recommend(s, 10, per_artist=per_artist) for s in seeds] == [
            _scanned(rec, s, 10, per_artist=per_artist) for s in seeds
        ]


def _cluster(n_songs: int, artists: list[int], seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors (dims × songs, float32) around one direction, each song its own group."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(6, n_songs)) * 0.3
    vectors[0] += 1.0
    vectors /= np.linalg.norm(vectors, axis=0)
    return vectors.astype(np.float32), np.asarray(artists, dtype=np.int64), np.arange(n_songs, dtype=np.int64)


def _page(
    table: NeighbourTable,
    block: np.ndarray,
    artists: np.ndarray,
    groups: np.ndarray,
    row: int,
    n: int,
    cap: int,
):
    cand = table.rows[row][table.rows[row] >= 0].astype(np.int64)
    exact = block[:, cand].T.astype(np.float64) @ block[:, row].astype(np.float64)
    return page_from(table, row, exact, groups[cand], artists[cand], n, cap)


def test_an_artists_surplus_is_left_out_and_guarded():
    """One artist with many songs near the seed: the table lists PER_ARTIST of them (not
    WIDTH), and a page with no cap, which could show more of them, is not claimed."""
    artists = [0] * 30 + list(range(1, 171))
    block, artists_arr, groups = _cluster(200, artists)
    # artist 0's songs sound alike
    block[:, :30] = block[:, [0]] + np.float32(0.1) * (block[:, 30:60] - block[:, [0]])
    block /= np.linalg.norm(block, axis=0)
    table = NeighbourTable.build(block, artists_arr, groups)
    listed = table.rows[0][table.rows[0] >= 0]
    assert (artists_arr[listed] == 0).sum() == PER_ARTIST
    assert table.limited[0][artists_arr[listed] == 0].all()
    assert _page(table, block, artists_arr, groups, 0, 10, 0) is None  # no cap: surplus could show
    picks = _page(table, block, artists_arr, groups, 0, 10, 2)
    assert picks is not None and (artists_arr[listed[picks]] == 0).sum() == 2


def test_a_page_past_the_tables_floor_is_not_claimed(monkeypatch: pytest.MonkeyPatch):
    """A page that needs songs the table left out for room is left to the scan."""
    block, artists, groups = _cluster(300, list(range(300)), seed=3)
    table = NeighbourTable.build(block, artists, groups)
    assert (table.rows >= 0).sum(axis=1).min() == WIDTH and np.isfinite(table.floor).all()
    assert _page(table, block, artists, groups, 5, WIDTH, 1) is not None
    assert _page(table, block, artists, groups, 5, WIDTH + 1, 1) is None


def test_a_cluster_smaller_than_a_list_is_listed_whole():
    block, artists, groups = _cluster(12, [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6], seed=1)
    table = NeighbourTable.build(block, artists, groups)
    assert not np.isfinite(table.floor).any()  # nothing left out for room
    picks = _page(table, block, artists, groups, 6, 10, 2)  # a seed not of artist 0
    assert picks is not None and len(picks) == 2 + 6 - 1


def test_short_lists_look_further(monkeypatch: pytest.MonkeyPatch):
    """When a few artists hold the top, the build looks further down instead of listing
    fewer than WIDTH songs: with the first window too small every list still fills."""
    monkeypatch.setattr(neighbour_table_module, "LOOK", 8)
    artists = [a for a in range(20) for _ in range(15)]
    block, artists_arr, groups = _cluster(300, artists, seed=2)
    table = NeighbourTable.build(block, artists_arr, groups)
    assert ((table.rows >= 0).sum(axis=1) == WIDTH).all()
