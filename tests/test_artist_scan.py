"""Issue 24: every shortcut to a page answers exactly as the scan of the whole cluster.

Three shortcuts, each an optimisation with a proof: first pages from the cells inside each
artist (engine.cell_scan), first pages from a scan cut at a sampled threshold and ranked in
numpy (engine.page_select), later pages from the by-artist shortlist (engine.artist_scan).
On every seed, page, cap and exclusion they must give the very same picks and scores as
the walk over the whole cluster's ranking (``Recommender._scan_pages``). On the real bundled
catalog; the shortcuts are switched on for every cluster size by their thresholds.
"""

from __future__ import annotations

import numpy as np
import pytest

import engine.page_select as page_select_module
import engine.recommend as recommend_module
from engine.artist_scan import ArtistBlocks, artist_bounds
from engine.cell_scan import CELL_SONGS, CellReader
from engine.model import MoodModel
from engine.recommend import Recommender

VARIANTS = [{}, {"per_artist": 0}, {"per_artist": 1}, {"n": 25}, {"n_excluded": 40}]
VARIANT_IDS = ["plain", "nocap", "cap1", "n25", "excluded"]


@pytest.fixture(scope="module")
def rec(model: MoodModel) -> Recommender:
    return Recommender(model)


def _request(rec: Recommender, kw: dict, seed_count: int = 150) -> tuple[list[int], dict]:
    rng = np.random.default_rng(24)
    seeds = rng.choice(rec.n_songs, seed_count, replace=False).tolist()
    kw = dict(kw)
    n_excluded = kw.pop("n_excluded", 0)
    if n_excluded:
        kw["exclude_ids"] = [rec.ids[i] for i in rng.choice(rec.n_songs, n_excluded, replace=False)]
    return seeds, kw


def _scanned(rec: Recommender, seed: int, n: int = 10, page: int = 0, per_artist: int = 2, exclude_ids=()):
    """The reference: the whole cluster scanned and its ranking walked."""
    excl_idx, excl_groups = rec.excluded(exclude_ids)
    excl_idx.add(seed)
    excl_groups.add(int(rec.group_[seed]))
    rows = rec.model.cluster_rows(rec.cluster_of(seed))
    return rec._scan_pages(seed, rows, n, page, per_artist, excl_idx, excl_groups, None)


def _spy(rec: Recommender, name: str, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    used: list[bool] = []
    real = getattr(rec, name)

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        used.append(out is not None)
        return out

    monkeypatch.setattr(rec, name, spy)
    return used


@pytest.mark.parametrize("kw", VARIANTS, ids=VARIANT_IDS)
def test_first_pages_from_cells_are_the_scans(rec: Recommender, monkeypatch: pytest.MonkeyPatch, kw: dict):
    seeds, kw = _request(rec, kw)
    monkeypatch.setattr(recommend_module, "CELL_SCAN_MIN_ROWS", 0)
    used = _spy(rec, "_first_page_by_cells", monkeypatch)
    n = kw.pop("n", 10)
    got = [rec.recommend(s, n, **kw) for s in seeds]
    assert got == [_scanned(rec, s, n, **kw) for s in seeds]
    assert sum(used) > len(seeds) * 0.9  # the cells really answered (almost) all of them


@pytest.mark.parametrize("kw", VARIANTS, ids=VARIANT_IDS)
def test_first_pages_from_a_cut_scan_are_the_scans(
    rec: Recommender, monkeypatch: pytest.MonkeyPatch, kw: dict
):
    seeds, kw = _request(rec, kw)
    monkeypatch.setattr(recommend_module, "CELL_SCAN_MIN_ROWS", 10**12)
    n = kw.pop("n", 10)
    got = [rec.recommend(s, n, **kw) for s in seeds]
    assert got == [_scanned(rec, s, n, **kw) for s in seeds]
    # numpy's dedupe and cap, not the loop; then a loop over a prefix too short to fill the page
    for walk_min in (0, 1):
        monkeypatch.setattr(page_select_module, "WALK_MIN", walk_min)
        monkeypatch.setattr(page_select_module, "WALK_PER_PICK", 0)
        assert [rec.recommend(s, n, **kw) for s in seeds] == got


@pytest.mark.parametrize(
    "kw",
    [
        {"page": 1},
        {"page": 3},
        {"per_artist": 0, "page": 1},
        {"per_artist": 1, "page": 2},
        {"n_excluded": 40, "page": 1},
    ],
    ids=["page1", "page3", "nocap-page1", "cap1-page2", "excluded-page1"],
)
def test_later_pages_from_the_artist_shortlist_are_the_scans(
    rec: Recommender, monkeypatch: pytest.MonkeyPatch, kw: dict
):
    seeds, kw = _request(rec, kw)
    monkeypatch.setattr(recommend_module, "SHORTLIST_MIN_ROWS", 0)
    used = _spy(rec, "_recommend_by_artist", monkeypatch)
    got = [rec.recommend(s, 10, **kw) for s in seeds]
    assert got == [_scanned(rec, s, 10, **kw) for s in seeds]
    assert sum(used) > len(seeds) // 2  # the shortlist really answered most of them


def test_scratch_scores_are_unread_again_after_a_request(rec: Recommender, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(recommend_module, "SHORTLIST_MIN_ROWS", 0)
    rec.recommend(3, 10, page=1)
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


def test_the_cell_bound_holds_for_every_song_and_seed(rec: Recommender):
    """No song scores above its cell's bound, for seeds all over each cluster (the proof the
    first page from cells rests on), and cells keep artists and same-song groups whole."""
    assert rec._artist_blocks is not None
    w = rec.artist_weight
    for c in range(rec.model.n_clusters_):
        blocks = rec._artist_blocks[c]
        cells = blocks.cells
        start = rec.model.cluster_rows(c).start
        sizes = np.diff(cells.starts)
        assert cells.starts[-1] == blocks.rows.shape[0]
        # a cell holds one artist's songs only, and a group never spans two cells
        owner = np.repeat(cells.artist, sizes)
        assert (np.searchsorted(blocks.starts, np.arange(owner.shape[0]), side="right") - 1 == owner).all()
        cell_of = np.repeat(np.arange(sizes.shape[0]), sizes)
        group = rec.group_[rec.model.order_[blocks.rows + start]]
        assert (cells.groups == group).all()
        pairs = np.unique(np.stack([group, cell_of]), axis=1)
        assert np.unique(pairs[0]).shape[0] == pairs.shape[1]
        assert (
            (sizes <= CELL_SONGS)
            | (np.maximum.reduceat(group, cells.starts[:-1]) == np.minimum.reduceat(group, cells.starts[:-1]))
        ).all()
        scores_all = blocks.vectors.astype(np.float64)
        for local in np.linspace(0, blocks.rows.shape[0] - 1, 12).astype(int).tolist():
            row = int(blocks.rows[local]) + start
            seed_artist = int(np.searchsorted(blocks.starts, local, side="right") - 1)
            reader = CellReader(
                cells=cells,
                vectors=blocks.vectors,
                q=np.ascontiguousarray(rec._vectors_t[c][:, row - start]),
                unit_q=rec._unit_rows[row],
                artist_term=(blocks.profiles @ blocks.profiles[seed_artist]) * np.float32(w / (1 + w)),
                alpha=1.0 / (1.0 + w),
                hidden=lambda groups: np.zeros(groups.shape[0], dtype=bool),
            )
            bound = reader.bounds(np.arange(sizes.shape[0]))
            scores = scores_all @ blocks.vectors[local].astype(np.float64)
            assert (scores <= np.repeat(bound, sizes) + 1e-6).all()


def test_no_artist_weight_means_no_shortlist(model: MoodModel):
    assert Recommender(model, artist_weight=0.0)._artist_blocks is None
