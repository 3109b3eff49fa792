"""Recommend songs that sound alike, and songs typical of a mood.

Similarity is the cosine of two unit vectors per song, both audio only: the song's own
standardised features, and its artist's sound (the mean standardised features of all the
artist's songs) weighted by ``artist_weight``. The second part is why this beats the
study's plain per-song cosine on genre agreement while capping songs per artist: one
song's ten numbers are noisy, an artist's average is a steadier picture of a style, so
songs by artists who sound like the seed's artist rise (measured in
``benchmarks/quality.py``; ``artist_weight=0`` gives the study's ranking exactly).

Everything a request needs is precomputed in :class:`Recommender.__init__` as numpy
arrays and plain dicts, so the hot path is one float32 matrix-vector product against the
seed's cluster (a transposed, contiguous block of the ranking vectors; they are unit
length, so the products are cosine similarities), a partial sort of a small candidate
pool and a short Python loop that applies exclusions, the "same song" rule and the
per-artist cap. No pandas per request: at a million songs a DataFrame filter alone would
cost more than the whole budget.

Ids, names and years come from the shared :class:`~engine.song_table.SongTable`; the
English for the picks (reasons, ``compare``) is :class:`engine.reasons.Reasons`, which
reads the model's arrays, not these.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import artist_scan, cell_scan, neighbour_table, page_select
from .artist_scan import ArtistBlocks
from .filters import Target, column_mask, frame_column
from .fitted import check_fitted, standard_scale
from .neighbour_table import NeighbourTable
from .song_table import SongTable, check_row
from .stable_order import order, rounded, score_key, top
from .storage.columns import IdIndex
from .storage.serving import part_of

if TYPE_CHECKING:
    import pandas as pd

    from .fitted import FittedModel

logger = logging.getLogger(__name__)

#: How many target masks to keep (one per distinct set of targets seen recently).
MASK_CACHE_SIZE = 32
#: Clusters larger than this first pre-select candidates by a sampled threshold,
#: because a full ``argpartition`` over hundreds of thousands of rows is the slowest step.
THRESHOLD_PRESELECT_ROWS = 8_192

#: Weight of the artist's sound against the song's own in the similarity (see the module
#: docstring). Chosen by cross-validation (benchmarks/quality.py, cap 2, lists of 10): rows
#: split by lead artist, scanned on the tune half of the study sample and the two hits lists
#: for the other-artist genre hit rate (same-artist picks are free genre hits), the smallest
#: weight within the bootstrap noise of the best: 1.25 (tune mean 0.456; 0 → 0.450,
#: 0.75 → 0.452, best 3 → 0.458). Held-out rows, vs 0: other-artist hit rate 0.071 vs 0.062
#: on the study sample, a tie on the hits lists; picks less close to the seed song (0.83 vs
#: 0.89 cosine on the study sample) and about one artist fewer per list.
ARTIST_WEIGHT = 1.25
#: Largest accepted ``artist_weight``: beyond it the song's own sound barely counts.
MAX_ARTIST_WEIGHT = 10.0

#: First candidate pool per pick asked for (it grows when the walk runs dry).
POOL_PER_PICK = 10

#: Candidate pools larger than this (grown ones) are cut to what the artist cap lets
#: through before the walk (see Recommender._cap_pool).
CAP_POOL_MIN = 1024

#: An artist with more songs than this in one cluster gets its surplus trimmed from a
#: ranking before it is cut (see Recommender._trim_seed_artist).
PROLIFIC_SONGS = 32

#: Columns per BLAS call in :meth:`Recommender.similarities` (see there).
MATVEC_CHUNK = 32_768

#: Clusters of at least this many songs answer later pages by artist (engine.artist_scan).
#: Below it reading the whole cluster costs about what the shortlist's bookkeeping does
#: (synthetic 100k catalog, clusters of 7k-45k songs: p50 1.10 vs 1.10 ms, 1.45 vs
#: 1.41 ms in two runs on a busy machine), so the simpler full scan stays.
SHORTLIST_MIN_ROWS = 100_000

#: Clusters of at least this many songs answer a first page from their cells
#: (engine.cell_scan) rather than a scan. Between the two synthetic catalogs'
#: cluster sizes: at 100k songs (clusters of 7k-45k) the scan's p50 was 0.51 ms against the
#: cells' 0.60; at 1M (70k-445k) the cells' was 0.94 ms, 1.10 when the 150k-songs cluster
#: was scanned instead.
CELL_SCAN_MIN_ROWS = 60_000

#: First pool of the first-page scan, per pick asked for (see Recommender._first_page_scan);
#: it grows eightfold while the page it gives cannot be proved.
FIRST_POOL_PER_PICK = 4

#: What a target mask is cached under: (field, low, high) of each target.
_MaskKey = tuple[tuple[str, float | None, float | None], ...]


class _ArtistReading:
    """What the by-artist shortlist has read of a cluster so far (engine.artist_scan).

    Artists are read in the order of ``ranked``; each read writes the songs' float32
    scores into ``sims`` (the excluded rows stay -inf) and remembers where they are, so
    :meth:`forget` can hand ``sims`` back unread.
    """

    def __init__(
        self,
        blocks: ArtistBlocks,
        q: np.ndarray,
        ranked: np.ndarray,
        sims: np.ndarray,
        excluded_rows: list[int],
        size: int,
    ) -> None:
        self.blocks, self.q, self.ranked, self.sims = blocks, q, ranked, sims
        self.excluded_rows, self.size = excluded_rows, size
        #: songs read once the first k artists of ``ranked`` are
        self.reach: np.ndarray = np.cumsum(np.diff(blocks.starts)[ranked])
        self.n_read = 0
        self.read_rows: np.ndarray = np.zeros(0, dtype=np.int64)
        self._touched: list[np.ndarray] = []

    def read_to(self, upto: int, *, bounded: bool = True) -> bool:
        """Read the artists of ``ranked`` up to ``upto``; False, reading nothing, when that
        would be more than half the cluster (then scanning it all is cheaper), unless
        ``bounded`` is False (the first round is always read)."""
        upto = min(upto, self.ranked.shape[0])
        if bounded and int(self.reach[upto - 1]) > self.size // 2:
            return False
        new_rows, new_scores = artist_scan.read(self.blocks, self.q, self.ranked[self.n_read : upto])
        self._touched.append(new_rows)
        self.n_read = upto
        self.sims[new_rows] = new_scores
        for r in self.excluded_rows:
            self.sims[r] = -np.inf
        self.read_rows = np.concatenate([self.read_rows, new_rows])
        return True

    def forget(self) -> None:
        """Every song read back to -inf: the scratch array is unread again."""
        for rows in self._touched:
            self.sims[rows] = -np.inf


class _Scratch(threading.local):
    """Per-thread reusable arrays for the hot path, grown on demand, never shrunk."""

    def __init__(self) -> None:
        self._floats = np.empty(0, dtype=np.float32)
        self._flags = np.empty(0, dtype=bool)
        self._unread = np.empty(0, dtype=np.float32)

    def floats(self, size: int) -> np.ndarray:
        if self._floats.shape[0] < size:
            self._floats = np.empty(size, dtype=np.float32)
        return self._floats[:size]

    def flags(self, size: int) -> np.ndarray:
        if self._flags.shape[0] < size:
            self._flags = np.empty(size, dtype=bool)
        return self._flags[:size]

    def unread(self, size: int) -> np.ndarray:
        """Scores of a cluster that are all -inf until written: the by-artist scan writes
        the songs it reads and sets them back to -inf when done, so no request pays for
        filling a whole cluster's array."""
        if self._unread.shape[0] < size:
            self._unread = np.full(size, -np.inf, dtype=np.float32)
        return self._unread[:size]


def check_artist_weight(artist_weight: object) -> float:
    """``artist_weight`` as a float in 0..MAX_ARTIST_WEIGHT; ValueError for anything else."""
    weight = (
        float(artist_weight)
        if isinstance(artist_weight, (int, float, np.floating)) and not isinstance(artist_weight, bool)
        else math.nan
    )
    if not 0.0 <= weight <= MAX_ARTIST_WEIGHT:  # NaN fails too
        raise ValueError(f"artist_weight must be a number in 0..{MAX_ARTIST_WEIGHT:g}, got {artist_weight!r}")
    return weight


class Recommender:
    """Similar-song and typical-song queries over a fitted :class:`MoodModel`.

    Build once per model (it precomputes lookup arrays); every query afterwards is
    numpy on those arrays. Safe to share between threads: the only mutable state, the
    target-mask cache, is guarded by a lock.
    """

    def __init__(
        self,
        model: FittedModel,
        *,
        artist_weight: float = ARTIST_WEIGHT,
        table: SongTable | None = None,
        arrays: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """``arrays``: what :meth:`arrays` of an earlier recommender over this model gave
        (engine.storage.serving saves them with the artifact and maps them); None builds them."""
        check_fitted(model)
        weight = check_artist_weight(artist_weight)
        self.artist_weight = weight
        self.model = model
        self.n_songs = len(model.labels_)
        self.features: tuple[str, ...] = tuple(model.features)
        self._order = model.order_
        self._row_of = model.row_of_song_
        self._labels = model.labels_
        self._k = int(model.n_clusters_)
        self._unit_rows = np.asarray(model.unit_vectors_, dtype=np.float32)

        if table is None:
            table = SongTable.from_model(model)
        elif len(table) != self.n_songs:
            raise ValueError(f"song table of {len(table)} rows for {self.n_songs} songs")
        #: Ids, names, years, id → row: shared with the resolver and the service. The
        #: attributes below are the table's own objects under the names other modules
        #: use (plain attributes, not copies).
        self.table = table
        self.ids: Sequence[str] = table.ids
        self.index_of_id: IdIndex = table.row_of_id
        self.year_: np.ndarray = table.year
        self.popularity_: np.ndarray = table.popularity
        self._mean, self._scale = standard_scale(model)
        #: Feature values in file units (the model's own array: mapped when it was loaded).
        self.X_: np.ndarray = model.feature_values_

        if arrays is None:
            self._build(model.songs_)
        else:
            self._take(arrays)
        self._n_artists = int(self.artist_code_.max()) + 1 if self.n_songs else 1
        # Per cluster, the ranking vectors as one contiguous transposed block
        # (dims × size): see _similarities() for why it is worth the memory. Saved ones
        # serve only the artist weight they were built for.
        if arrays is not None and float(arrays["blocks_weight"]) == weight:
            self._vectors_t: list[np.ndarray] = [arrays[f"vectors_t.{c}"] for c in range(self._k)]
        else:
            self._vectors_t = [self._ranking_block(model.cluster_rows(c)) for c in range(self._k)]
        #: Per cluster, the ranking vectors grouped by artist for the exact by-artist
        #: shortlist (engine.artist_scan); None without an artist weight (no bound then).
        self._artist_blocks: list[ArtistBlocks] | None = None
        if weight > 0.0:
            if arrays is not None and float(arrays["blocks_weight"]) == weight:
                self._artist_blocks = [
                    ArtistBlocks.from_arrays(part_of(arrays, f"by_artist.{c}")) for c in range(self._k)
                ]
            else:
                self._artist_blocks = [
                    ArtistBlocks.build(
                        self._vectors_t[c],
                        self.artist_code_[self._order[model.cluster_rows(c)]],
                        self.artist_profiles_,
                        self._unit_rows[model.cluster_rows(c)],
                        self.group_[self._order[model.cluster_rows(c)]],
                    )
                    for c in range(self._k)
                ]

        #: Per cluster, each song's precomputed neighbours (engine.neighbour_table): saved
        #: with the serving arrays (building them takes seconds), None where not saved.
        self._neighbours: list[NeighbourTable | None] = [None] * self._k
        if arrays is not None and float(arrays["blocks_weight"]) == weight:
            for c in range(self._k):
                saved = part_of(arrays, f"neighbours.{c}")
                if saved:
                    self._neighbours[c] = NeighbourTable.from_arrays(saved)

        self._scratch = _Scratch()
        self._mask_cache: OrderedDict[_MaskKey, np.ndarray] = OrderedDict()
        self._mask_lock = threading.Lock()

    def _build(self, songs: pd.DataFrame) -> None:
        """The per-song lookup arrays, computed from the model's song table."""
        import pandas as pd  # building only: serving never imports pandas

        # One code per (title key, artist key): copies of a song (remasters, re-releases)
        # share a code, so "never the seed again" is one integer comparison.
        # (Pair codes are combined as integers: factorizing a million tuples is slow.)
        name_code = pd.factorize(songs["name_key"])[0].astype(np.int64)
        self.artist_code_: np.ndarray = pd.factorize(songs["artist_key"])[0].astype(np.int64)
        n_artists = int(self.artist_code_.max()) + 1 if self.n_songs else 1
        self.group_: np.ndarray = pd.factorize(name_code * n_artists + self.artist_code_)[0].astype(np.int64)
        self._n_artists = n_artists
        # Song index, same-song group and artist of each row, stacked so the walk gets
        # all three for its pool with one fancy index (each numpy call costs µs here).
        self._row_meta: np.ndarray = np.stack(
            [self._order, self.group_[self._order], self.artist_code_[self._order]]
        ).astype(np.int32)
        self._prolific: dict[int, tuple[np.ndarray, bool]] = self._prolific_artists()
        self.artist_profiles_: np.ndarray = self._artist_profiles()
        # Typicality: closer to the centroid = more typical. Sorted per cluster once, so
        # vibe only reads the head of a list.
        dist = np.asarray(self.model.centroid_distance_, dtype=np.float64)
        self.typicality_: np.ndarray = 1.0 / (1.0 + dist)
        self._typical_order: list[np.ndarray] = []
        for c in range(self._k):
            members = self._order[self.model.cluster_rows(c)]
            self._typical_order.append(members[order(dist[members], key=members)])

    def _take(self, arrays: Mapping[str, np.ndarray]) -> None:
        """The per-song lookup arrays from :meth:`arrays` of this model (mapped stay mapped)."""
        self.artist_code_ = arrays["artist_code"]
        self.group_ = arrays["group"]
        self._row_meta = arrays["row_meta"]
        self.artist_profiles_ = arrays["artist_profiles"]
        self.typicality_ = arrays["typicality"]
        self._typical_order = [arrays[f"typical_order.{c}"] for c in range(self._k)]
        if self.X_.shape != (self.n_songs, len(self.features)) or self.group_.shape != (self.n_songs,):
            raise ValueError("recommender arrays are for another model")
        keys, offsets, dup = (
            arrays["prolific_keys"].tolist(),
            arrays["prolific_offsets"].tolist(),
            arrays["prolific_dup"].tolist(),
        )
        rows = arrays["prolific_rows"]
        self._prolific = {
            key: (rows[offsets[i] : offsets[i + 1]], bool(dup[i])) for i, key in enumerate(keys)
        }

    def arrays(self) -> dict[str, np.ndarray]:
        """This recommender's lookup arrays by name, for engine.storage.serving to save."""
        out = {
            "artist_code": self.artist_code_,
            "group": self.group_,
            "row_meta": self._row_meta,
            "artist_profiles": self.artist_profiles_,
            "typicality": self.typicality_,
            "blocks_weight": np.asarray(self.artist_weight, dtype=np.float64),
        }
        for c in range(self._k):
            out[f"typical_order.{c}"] = self._typical_order[c]
            out[f"vectors_t.{c}"] = self._vectors_t[c]
            if self._artist_blocks is not None:
                for name, arr in self._artist_blocks[c].arrays().items():
                    out[f"by_artist.{c}.{name}"] = arr
            table = self.neighbour_table(c)
            if table is not None:
                for name, arr in table.arrays().items():
                    out[f"neighbours.{c}.{name}"] = arr
        items = list(self._prolific.items())
        out["prolific_keys"] = np.asarray([k for k, _ in items], dtype=np.int64)
        out["prolific_offsets"] = np.r_[
            0, np.cumsum([len(r) for _, (r, _d) in items], dtype=np.int64)
        ].astype(np.int64)
        out["prolific_rows"] = (
            np.concatenate([r for _, (r, _d) in items]).astype(np.int64) if items else np.zeros(0, np.int64)
        )
        out["prolific_dup"] = np.asarray([d for _, (_r, d) in items], dtype=bool)
        return out

    def _artist_profiles(self) -> np.ndarray:
        """Each artist's sound: the unit-length mean of their songs' standardised features.

        One weighted ``bincount`` per feature (``np.add.at`` over a million rows is
        several times slower, and this runs on every start); it gives sums, which point
        the same way as means, and only the direction is kept.
        """
        codes = self.artist_code_
        n_artists = int(codes.max()) + 1 if codes.size else 0
        profiles = np.empty((n_artists, len(self.features)), dtype=np.float64)
        for j in range(len(self.features)):
            z = (self.X_[:, j] - self._mean[j]) / self._scale[j]
            profiles[:, j] = np.bincount(codes, weights=z, minlength=n_artists)
        norms = np.linalg.norm(profiles, axis=1, keepdims=True)
        return (profiles / np.where(norms == 0, 1.0, norms)).astype(np.float32)

    def _ranking_block(self, rows: slice) -> np.ndarray:
        """The ranking vectors of one cluster's rows, transposed: (dims, size), float32.

        A song's vector is its unit vector followed by √w times its artist's profile,
        divided by √(1 + w): unit length, so that a dot product of two of them is
        (cos(songs) + w·cos(artists)) / (1 + w), a cosine in 0..1 terms people read as
        "% similar". Without an artist weight it is just the song's unit vector.
        """
        unit = self._unit_rows[rows]
        w = self.artist_weight
        if w == 0.0:
            return np.ascontiguousarray(unit.T)
        d = unit.shape[1]
        block = np.empty((2 * d, unit.shape[0]), dtype=np.float32)
        block[:d] = unit.T
        block[d:] = self.artist_profiles_[self.artist_code_[self._order[rows]]].T
        block[d:] *= np.float32(math.sqrt(w))
        block *= np.float32(1.0 / math.sqrt(1.0 + w))
        return block

    def neighbour_table(self, cluster: int) -> NeighbourTable | None:
        """The cluster's neighbour table, built on first ask (seconds: the serving arrays
        ask when they are saved); None for a cluster the cell scan serves."""
        rows = self.model.cluster_rows(cluster)
        if self._neighbours[cluster] is None and rows.stop - rows.start < CELL_SCAN_MIN_ROWS:
            meta = self._row_meta[:, rows]
            self._neighbours[cluster] = NeighbourTable.build(self._vectors_t[cluster], meta[2], meta[1])
        return self._neighbours[cluster]

    # -- helpers ------------------------------------------------------------------
    def cluster_of(self, index: int) -> int:
        return int(self._labels[check_row(index, self.n_songs)])

    def unit_vectors(self, indices: np.ndarray) -> np.ndarray:
        """Unit feature vectors (float32, songs × features) of songs by index: the song term
        of the ranking vectors, for rankers built on the same numbers."""
        return self._unit_rows[self._row_of[indices]]

    def ranking_block(self, cluster: int) -> np.ndarray:
        """One cluster's ranking vectors, transposed (dims × songs, float32, in the model's
        row order: song ``self.model.order_[bounds[cluster] + j]`` is column j)."""
        return self._vectors_t[cluster]

    def typical_songs(self, cluster: int, count: int) -> np.ndarray:
        """Indices of the ``count`` songs of a cluster nearest its centre, most typical first."""
        return self._typical_order[cluster][:count]

    def z_scores(self, index: int) -> np.ndarray:
        """Standardised features of one song (computed, not stored: saves n×d memory)."""
        return (self.X_[index] - self._mean) / self._scale

    def standardised(self, indices: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Standardised features (float64, songs × features) of ``indices``, or of every song.

        The model's standardised space, in which playlists order songs and journeys step:
        a transition is heard in these numbers, not in the artist's sound the ranking adds.
        """
        values = self.X_ if indices is None else self.X_[np.asarray(indices, dtype=np.intp)]
        return (values - self._mean) / self._scale

    def target_rows_mask(self, targets: Sequence[Target]) -> np.ndarray | None:
        """Mask over *rows* (cluster layout) of songs meeting every target; None if no targets.

        Kept in row order so a cluster's part is one contiguous slice. Cached per targets
        tuple (LRU), because "more" and repeated requests reuse the same filters and the
        mask costs a pass over the whole catalog.
        """
        targets = tuple(targets)
        if not targets:
            return None
        # keyed on what filters, not on how it was typed ("energy>0.6" == "energy > 0.6")
        key = tuple((t.field, t.low, t.high) for t in targets)
        with self._mask_lock:
            hit = self._mask_cache.get(key)
            if hit is not None:
                self._mask_cache.move_to_end(key)
                return hit
        mask = np.asarray(column_mask(self._target_column, self.n_songs, list(targets)), dtype=bool)
        rows = np.ascontiguousarray(mask[self._order])
        with self._mask_lock:
            self._mask_cache[key] = rows
            self._mask_cache.move_to_end(key)
            while len(self._mask_cache) > MASK_CACHE_SIZE:
                self._mask_cache.popitem(last=False)
        return rows

    def _target_column(self, field: str) -> np.ndarray | None:
        """A column targets filter on, from the serving arrays when they hold it.

        Audio features and known years and popularity are served from memory here; a
        target on a column the arrays lack (a feature the model was not fitted on, a
        catalog without years) reads the model's song table, loading it if need be.
        """
        if field in self.features:
            return self.X_[:, self.features.index(field)]
        if field in ("year", "popularity"):
            values = self.year_ if field == "year" else self.popularity_
            if not np.isnan(values).all():
                return values
        return frame_column(self.model.songs_, field)

    def song_mask(self, targets: Sequence[Target]) -> np.ndarray | None:
        """Mask over song indices of songs meeting every target; None if no targets."""
        rows = self.target_rows_mask(targets)
        if rows is None:
            return None
        return rows[self._row_of]

    def excluded(self, exclude_ids: Collection[str]) -> tuple[set[int], set[int]]:
        """Excluded song indices and their same-song groups (a copy of a shown song is shown).

        Fresh sets each call: callers add the seed or songs of their own to them.
        """
        idx: set[int] = set()
        groups: set[int] = set()
        if not exclude_ids:
            return idx, groups
        if isinstance(exclude_ids, str):
            exclude_ids = (exclude_ids,)
        row_of_id = self.table.row_of_id
        for sid in exclude_ids:
            i = row_of_id.get(sid) if isinstance(sid, str) else None
            if i is not None:
                idx.add(i)
                groups.add(int(self.group_[i]))
        return idx, groups

    # -- similar songs ----------------------------------------------------------------
    def similarities(self, seed: int) -> tuple[slice, np.ndarray]:
        """Similarity of ``seed`` with every song of its cluster (row order).

        The cosine of the ranking vectors (see :meth:`_ranking_block`); with
        ``artist_weight=0`` the plain cosine of the songs' standardised features.
        """
        seed = check_row(seed, self.n_songs)
        rows = self.model.cluster_rows(int(self._labels[seed]))
        return rows, self._similarities(seed, np.empty(rows.stop - rows.start, dtype=np.float32))

    def _similarities(self, seed: int, out: np.ndarray) -> np.ndarray:
        """:meth:`similarities` written into ``out`` (float32, the cluster's size)."""
        cluster = int(self._labels[seed])
        vectors_t = self._vectors_t[cluster]
        q = vectors_t[:, self._row_of[seed] - self.model.cluster_bounds_[cluster]].copy()
        # (d,) @ (d, size): BLAS walks d long contiguous rows; the (size, d) @ (d,) form
        # is several times slower for d = 10. In chunks small enough that OpenBLAS stays
        # on the calling thread: its threaded gemv was ~5x slower on a busy 2-core
        # machine (20 ms vs 4 ms at 450k rows), and a bot's worker threads would
        # oversubscribe the cores anyway.
        for lo in range(0, vectors_t.shape[1], MATVEC_CHUNK):
            np.matmul(q, vectors_t[:, lo : lo + MATVEC_CHUNK], out=out[lo : lo + MATVEC_CHUNK])
        return out

    def recommend(
        self,
        seed: int,
        n: int = 5,
        *,
        exclude_ids: Collection[str] = (),
        page: int = 0,
        per_artist: int = 2,
        targets: Sequence[Target] = (),
    ) -> list[tuple[int, float]]:
        """Up to ``n`` songs of the seed's cluster most similar to it, as (index, cosine).

        Never the seed or a copy of it (same title and artist keys), never an excluded
        id (nor a copy of one), at most ``per_artist`` songs by one artist per page
        (``per_artist < 1`` lifts the cap), only songs meeting ``targets``. ``page``
        skips the ``page * n`` picks earlier pages gave, so "more" shows new songs.
        Fewer than ``n`` (possibly none) come back when the cluster runs out.
        """
        seed = check_row(seed, self.n_songs)
        n = max(1, int(n))
        page = max(0, int(page))
        cap = max(0, int(per_artist or 0))
        rows = self.model.cluster_rows(int(self._labels[seed]))
        size = rows.stop - rows.start
        mask_rows = self.target_rows_mask(targets)
        excl_idx, excl_groups = self.excluded(exclude_ids)
        excl_idx.add(seed)
        excl_groups.add(int(self.group_[seed]))
        if page == 0:
            table = self._neighbours[int(self._labels[seed])]
            if mask_rows is None and table is not None:
                from_table = self._first_page_by_table(table, seed, rows, n, cap, excl_groups)
                if from_table is not None:
                    return from_table
            if mask_rows is None and self._artist_blocks is not None and size >= CELL_SCAN_MIN_ROWS:
                by_cells = self._first_page_by_cells(seed, rows, n, cap, excl_groups)
                if by_cells is not None:
                    return by_cells
            return self._first_page_scan(seed, rows, n, cap, excl_idx, excl_groups, mask_rows)
        if mask_rows is None and self._artist_blocks is not None and size >= SHORTLIST_MIN_ROWS:
            shortlisted = self._recommend_by_artist(seed, rows, n, page, cap, excl_idx, excl_groups)
            if shortlisted is not None:
                return shortlisted
        return self._scan_pages(seed, rows, n, page, cap, excl_idx, excl_groups, mask_rows)

    def _scan_pages(
        self,
        seed: int,
        rows: slice,
        n: int,
        page: int,
        cap: int,
        excl_idx: set[int],
        excl_groups: set[int],
        mask_rows: np.ndarray | None,
    ) -> list[tuple[int, float]]:
        """Any page of :meth:`recommend` from a scan of the whole cluster and a walk of its
        best rows (the path every other one must agree with)."""
        size = rows.stop - rows.start
        # Per-thread scratch arrays: a big cluster's temporaries are megabytes, which
        # malloc may hand back to the OS and fault in again on every request.
        scratch = self._scratch
        sims = self._similarities(seed, scratch.floats(size))
        block = self._vectors_t[int(self._labels[seed])]
        q = block[:, self._row_of[seed] - rows.start]
        if mask_rows is not None:
            m = mask_rows[rows]
            available = int(np.count_nonzero(m))
            if available == 0:
                return []
            np.copyto(sims, np.float32(-np.inf), where=np.logical_not(m, out=scratch.flags(size)))
        else:
            available = size
        # the seed and excluded songs (typically the very best rows) leave the ranking
        # before it is cut, so they take no room in the pool or in an artist's share
        for i in excl_idx:
            r = int(self._row_of[i]) - rows.start
            if 0 <= r < size and sims[r] != -np.inf:
                sims[r] = -np.inf
                available -= 1
        if cap:  # (trimmed songs still count in `available`: only the end case reads it)
            self._trim_seed_artist(seed, sims, (page + 1) * cap, excl_idx, excl_groups)

        # A few times what the pages need: the walk rarely skips more (copies, capped
        # artists); when it does, the pool grows and the walk is redone.
        pool = min(available, POOL_PER_PICK * (page + 1) * n + 32)
        while True:
            cand_rows = self._top_rows(sims, pool, block, q)
            picks, complete = self._walk_pool(
                cand_rows, sims, rows.start, n, page, cap, excl_idx, excl_groups
            )
            if complete or cand_rows.shape[0] >= available:
                return picks
            pool = min(available, max(pool, cand_rows.shape[0]) * 8)
            logger.debug("seed %d, page %d: pool grown to %d of %d", seed, page, pool, available)

    def _first_page_by_table(
        self, table: NeighbourTable, seed: int, rows: slice, n: int, cap: int, excl_groups: set[int]
    ) -> list[tuple[int, float]] | None:
        """:meth:`recommend`'s first page from the seed's precomputed neighbours, ranked
        exactly like the scan; None when the table cannot prove it (the caller scans)."""
        start = rows.start
        row = int(self._row_of[seed]) - start
        listed = table.rows[row]
        cand = listed[listed >= 0].astype(np.int64)
        block = self._vectors_t[int(self._labels[seed])]
        exact = block[:, cand].T.astype(np.float64) @ block[:, row].astype(np.float64)
        meta = self._row_meta[:, cand + start]
        exact[_in_groups(meta[1], excl_groups)] = -np.inf
        picks = neighbour_table.page_from(table, row, exact, meta[1], meta[2], n, cap)
        if picks is None:
            return None
        return list(zip(meta[0][picks].tolist(), exact[picks].astype(np.float32).tolist()))

    def _first_page_by_cells(
        self, seed: int, rows: slice, n: int, cap: int, excl_groups: set[int]
    ) -> list[tuple[int, float]] | None:
        """:meth:`recommend`'s first page from the few cells of a big cluster that can hold
        it (engine.cell_scan), ranked exactly like the scan; None when the cells cannot
        prove it (the caller scans the cluster)."""
        cluster = int(self._labels[seed])
        assert self._artist_blocks is not None
        blocks = self._artist_blocks[cluster]
        start = rows.start
        row = int(self._row_of[seed])
        w = self.artist_weight
        seed_artist = int(np.searchsorted(blocks.codes, self.artist_code_[seed]))
        term = blocks.profiles @ blocks.profiles[seed_artist]
        term *= np.float32(w / (1.0 + w))
        if len(excl_groups) == 1:
            (only,) = excl_groups
            hidden: Callable[[np.ndarray], np.ndarray] = lambda groups: groups == only  # noqa: E731
        else:
            excluded = np.fromiter(excl_groups, dtype=np.int64, count=len(excl_groups))
            hidden = lambda groups: np.isin(groups, excluded)  # noqa: E731
        reader = cell_scan.CellReader(
            cells=blocks.cells,
            vectors=blocks.vectors,
            q=np.ascontiguousarray(self._vectors_t[cluster][:, row - start]),
            unit_q=self._unit_rows[row],
            artist_term=term,
            alpha=1.0 / (1.0 + w),
            hidden=hidden,
        )
        got = reader.first_page_pool(n, cap)
        if got is None:
            return None
        pos, floor = got
        local = blocks.rows[pos].astype(np.int64)
        meta = self._row_meta[:, local + start]
        exact = blocks.vectors[pos].astype(np.float64) @ reader.q.astype(np.float64)
        picks = page_select.first_page(local, exact, meta[1], meta[2], n, cap)
        if picks.shape[0] < n or exact[picks[-1]] < floor - page_select.SLACK:
            return None  # not proved (cannot happen by construction): the scan is always right
        return list(zip(meta[0][picks].tolist(), exact[picks].astype(np.float32).tolist()))

    def _first_page_scan(
        self,
        seed: int,
        rows: slice,
        n: int,
        cap: int,
        excl_idx: set[int],
        excl_groups: set[int],
        mask_rows: np.ndarray | None,
    ) -> list[tuple[int, float]]:
        """:meth:`recommend`'s first page from a scan of the seed's whole cluster.

        The pool is every song scoring at least a threshold estimated from a strided
        sample (a few times what the page needs); its page comes from
        :func:`engine.page_select.first_page`, and stands when its last pick scores above
        the threshold by more than the float32 error, so no song left out could be on it.
        Otherwise the pool grows eightfold, down to the whole cluster. What the general
        path spends walking copies and capped artists in Python, and trimming the seed's
        artist first, this does in a handful of numpy calls.
        """
        start, size = rows.start, rows.stop - rows.start
        scratch = self._scratch
        sims = self._similarities(seed, scratch.floats(size))
        if mask_rows is not None:
            np.copyto(
                sims, np.float32(-np.inf), where=np.logical_not(mask_rows[rows], out=scratch.flags(size))
            )
        for i in excl_idx:
            r = int(self._row_of[i]) - start
            if 0 <= r < size:
                sims[r] = -np.inf
        if cap:  # a prolific seed artist's songs would fill the pool only to be capped
            self._trim_seed_artist(seed, sims, cap, excl_idx, excl_groups)
        block = self._vectors_t[int(self._labels[seed])]
        q = block[:, self._row_of[seed] - start].astype(np.float64)
        want = FIRST_POOL_PER_PICK * n + 32
        while True:
            cand, threshold = _pool_above(sims, want, scratch.flags(size))
            meta = self._row_meta[:, cand + start]
            # exact order: float64 from the same float32 vectors, so the float32 kernels'
            # last-bit noise (~1e-7) stays far below engine.stable_order's rounding
            exact = block[:, cand].T.astype(np.float64) @ q
            hidden = np.isneginf(sims[cand])
            hidden |= _in_groups(meta[1], excl_groups)
            exact[hidden] = -np.inf
            picks = page_select.first_page(cand, exact, meta[1], meta[2], n, cap)
            if threshold == -math.inf or (
                picks.shape[0] == n and exact[picks[-1]] >= threshold + page_select.SLACK
            ):
                # float32, as the general path reports them (its scratch scores are float32)
                return list(zip(meta[0][picks].tolist(), exact[picks].astype(np.float32).tolist()))
            want *= 8

    def _walk_pool(
        self,
        cand_rows: np.ndarray,
        sims: np.ndarray,
        start: int,
        n: int,
        page: int,
        cap: int,
        excl_idx: set[int],
        excl_groups: set[int],
    ) -> tuple[list[tuple[int, float]], bool]:
        """The page's picks from a ranked pool (see :meth:`_walk`) and whether it was enough.

        A big pool is first cut to what the artist cap lets pages up to this one show;
        when that cut pool cannot settle the page, the whole pool is walked.
        """
        if cap and cand_rows.shape[0] > CAP_POOL_MIN:
            kept_rows, cut = self._cap_pool(cand_rows, start, (page + 1) * cap)
            walked = self._walk(kept_rows, sims, start, n, page, cap, excl_idx, excl_groups, cut)
            if walked is not None:
                return walked
        walked = self._walk(cand_rows, sims, start, n, page, cap, excl_idx, excl_groups)
        assert walked is not None  # without a ``cut`` the walk never gives up
        return walked

    def _recommend_by_artist(
        self,
        seed: int,
        rows: slice,
        n: int,
        page: int,
        cap: int,
        excl_idx: set[int],
        excl_groups: set[int],
    ) -> list[tuple[int, float]] | None:
        """:meth:`recommend` (no targets) from an exact by-artist shortlist (engine.artist_scan).

        Reads the artists in order of their score bound until the pool's weakest float32
        score is above every unread artist's bound, then ranks, trims and walks the pool
        exactly as the full scan does, so the picks are the same. None when the shortlist
        cannot prove it holds the whole pool (few readable songs, or the pool would have
        to grow): the caller then scans the whole cluster.
        """
        cluster = int(self._labels[seed])
        assert self._artist_blocks is not None
        blocks = self._artist_blocks[cluster]
        size = rows.stop - rows.start
        excluded_rows = [r for r in (int(self._row_of[i]) - rows.start for i in excl_idx) if 0 <= r < size]
        available = size - len(excluded_rows)
        if available <= 0:
            return None
        pool = min(available, POOL_PER_PICK * (page + 1) * n + 32)
        q = np.ascontiguousarray(self._vectors_t[cluster][:, self._row_of[seed] - rows.start])
        bounds, seed_local = artist_scan.artist_bounds(
            blocks, int(self.artist_code_[seed]), self.artist_weight
        )
        want = max(artist_scan.FIRST_ROUND_MIN, artist_scan.FIRST_ROUND_PER_POOL * pool)
        ranked, n_read = artist_scan.first_round_artists(bounds, blocks, seed_local, want)
        sims = self._scratch.unread(size)
        rd = _ArtistReading(blocks, q, ranked, sims, excluded_rows, size)
        try:
            rd.read_to(n_read, bounded=False)
            if cap:  # the seed's artist is read first, whole
                self._trim_seed_artist(seed, sims, (page + 1) * cap, excl_idx, excl_groups)
            vals = sims[rd.read_rows]
            reach = rd.reach
            while True:
                # Read on, best bound first, until no unread artist's bound reaches the
                # pool's weakest score; each step at most doubles what was read, so the
                # weakest rises as the reading goes and little beyond the needed is read.
                while rd.n_read < ranked.shape[0]:
                    finite = int(np.count_nonzero(vals > -np.inf))
                    done = int(reach[rd.n_read - 1])
                    if finite >= pool:
                        weakest = float(np.partition(vals, vals.shape[0] - pool)[vals.shape[0] - pool])
                        # (past the seed's own artist, ``ranked`` is by bound, best first)
                        need = int(
                            np.count_nonzero(bounds[ranked[rd.n_read :]] >= weakest - artist_scan.BOUND_SLACK)
                        )
                        if need == 0:
                            break
                        upto = min(
                            rd.n_read + need,
                            max(rd.n_read + 1, int(np.searchsorted(reach, 2 * done, "right"))),
                        )
                    else:  # too few songs read yet: read on, about as many again as missing
                        missing = 2 * (pool - finite) + artist_scan.FIRST_ROUND_MIN
                        upto = int(np.searchsorted(reach, done + missing)) + 1
                    if not rd.read_to(upto):
                        return None  # about as much as the whole cluster: scan it
                    vals = sims[rd.read_rows]
                unread = float(bounds[ranked[rd.n_read]]) if rd.n_read < ranked.shape[0] else -math.inf
                take = min(pool, vals.shape[0])
                cut = float(np.partition(vals, vals.shape[0] - take)[vals.shape[0] - take])
                if not (cut > unread + artist_scan.BOUND_SLACK or rd.n_read == ranked.shape[0]):
                    return None  # cannot happen by construction; the full scan is always right
                keep = vals >= cut
                cand = rd.read_rows[keep]
                # exact order, as in _top_rows: float64 scores from the same float32 vectors
                exact = self._vectors_t[cluster][:, cand].T.astype(np.float64) @ q.astype(np.float64)
                exact[np.isneginf(vals[keep])] = -np.inf
                sims[cand] = exact
                cand_rows = cand[np.lexsort((cand, -rounded(exact)))]
                picks, complete = self._walk_pool(
                    cand_rows, sims, rows.start, n, page, cap, excl_idx, excl_groups
                )
                if complete or cand_rows.shape[0] >= available:
                    return picks
                pool = min(available, max(pool, cand_rows.shape[0]) * 8)
                vals = sims[rd.read_rows]
        finally:
            rd.forget()

    def _prolific_artists(self) -> dict[int, tuple[np.ndarray, bool]]:
        """Per (cluster, artist) key with over PROLIFIC_SONGS songs: their rows within
        the cluster's slice, and whether two of them are copies of one song.

        Only these are worth trimming (see :meth:`_trim_seed_artist`); a dict lookup is
        what the hot path can afford, a binary search in numpy costs several times more.
        """
        labels = self._labels[self._order].astype(np.int64)
        keys = labels * self._n_artists + self.artist_code_[self._order]
        by_key = np.argsort(keys, kind="stable")  # stable: rows stay in order per key
        sorted_keys = keys[by_key]
        starts = _run_starts(sorted_keys)
        ends = np.append(starts[1:], sorted_keys.shape[0])
        bounds = self.model.cluster_bounds_
        out: dict[int, tuple[np.ndarray, bool]] = {}
        big = np.flatnonzero(ends - starts > PROLIFIC_SONGS)
        for lo, hi in zip(starts[big].tolist(), ends[big].tolist()):
            rows = by_key[lo:hi]
            groups = self.group_[self._order[rows]]
            out[int(sorted_keys[lo])] = (
                rows - bounds[labels[rows[0]]],
                np.unique(groups).shape[0] < groups.shape[0],
            )
        return out

    def _trim_seed_artist(
        self, seed: int, sims: np.ndarray, keep: int, excl_idx: set[int], excl_groups: set[int]
    ) -> None:
        """Mask out the seed artist's songs that no page up to this one can show.

        The artist term gives all of the seed artist's songs the same head start, so a
        prolific artist's songs crowd the top of the ranking, only for the per-artist
        cap to skip them one by one in Python (and make the pool grow). Pages up to
        this one show at most ``keep`` of them, always their best showable ones, so
        the rest are set to -inf here and the answer stays the same.
        """
        entry = self._prolific.get(int(self._labels[seed]) * self._n_artists + int(self.artist_code_[seed]))
        if entry is None:
            return
        own, has_copies = entry
        # Excluded songs are -inf already. Copies (of the seed, of a better song of the
        # artist, or of a song shown before, which may sit in another cluster) are not
        # showable: when there can be any, keep room for them and check.
        may_have_copies = has_copies or len(excl_groups) > 1
        slack = keep + 8 if may_have_copies else keep
        if own.shape[0] <= slack:
            return
        vals = sims[own]
        thr = np.partition(vals, own.shape[0] - slack)[own.shape[0] - slack]
        if thr == -np.inf:  # fewer showable songs than the pages need: nothing to trim
            return
        if may_have_copies:
            start = self.model.cluster_bounds_[self._labels[seed]]
            songs, groups = self._row_meta[:2, own[vals >= thr] + start].tolist()
            showable = {g for i, g in zip(songs, groups) if i not in excl_idx and g not in excl_groups}
            if len(showable) < keep:
                return
        # The scores are float32 and their last bits differ between CPUs: a song within
        # that noise of the cut may rank above a kept one in the exact order, so only
        # songs clearly below it go (the kept ones then beat them after rounding too).
        sims[own[vals < thr - np.float32(page_select.SLACK)]] = -np.inf

    def _top_rows(self, sims: np.ndarray, pool: int, block: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Rows (within the slice) of at least the ``pool`` highest sims, best first.

        The order is the same on every machine: the pool is scored again in float64 from
        ``block`` (the cluster's ranking vectors) and ``q`` (the seed's), which puts the
        float32 kernels' last-bit noise (~1e-7) far below the rounding of
        :mod:`engine.stable_order`, and ties go to the lower row (the lower song index);
        the new scores are written back into ``sims``, which the walk reports. Large clusters first keep
        the rows above a threshold estimated from a strided sample: one comparison pass
        is much cheaper than ``argpartition`` over the whole slice, which stays the
        fallback when the estimate turns out too strict or too loose.
        """
        size = sims.shape[0]
        pool = max(1, min(pool, size))
        cand: np.ndarray | None = None
        if size > THRESHOLD_PRESELECT_ROWS and pool * 16 < size:
            sample = sims[:: max(1, size // 4096)]
            m = sample.shape[0]
            # the pool-th best's expected rank in the sample, tripled for safety
            rank = min(m - 1, int(math.ceil(3 * pool * m / size)) + 2)
            thr = np.partition(sample, m - 1 - rank)[m - 1 - rank]
            if np.isfinite(thr):  # -inf: mostly masked out; the exact path handles that
                above = np.flatnonzero(np.greater_equal(sims, thr, out=self._scratch.flags(size)))
                if pool <= above.shape[0] <= 16 * pool + 256:
                    cand = above
        if cand is None:
            cand = top(sims, pool, descending=True) if pool < size else np.arange(size)
        vals = sims[cand]
        if cand.shape[0] > pool:  # sort only the pool (and ties): sorting is the costly part
            t = np.partition(vals, cand.shape[0] - pool)[cand.shape[0] - pool]
            keep = vals >= t
            cand, vals = cand[keep], vals[keep]
        exact = block[:, cand].T.astype(np.float64) @ q.astype(np.float64)
        exact[np.isneginf(vals)] = -np.inf  # masked, excluded and trimmed rows stay out
        sims[cand] = exact
        return cand[np.lexsort((cand, -rounded(exact)))]

    def _cap_pool(self, cand_rows: np.ndarray, start: int, per_artist: int) -> tuple[np.ndarray, set[int]]:
        """Ranked candidates without those past their artist's first ``per_artist``, and
        the artists that lost some.

        Through page p the walk shows at most (p + 1) × cap songs of one artist, always
        its best showable ones, so the rest of a big pool only costs Python iterations:
        when a few prolific, similar-sounding artists fill the top of the ranking the
        pool grows to thousands of rows, and this numpy pass is far cheaper than
        skipping them one by one. The cut is exact unless one of a cut artist's kept
        songs turns out not showable (a copy, masked); :meth:`_walk` then says so.
        """
        artists = self._row_meta[2, cand_rows + start]
        by_artist = np.argsort(artists, kind="stable")  # stable: rank order within an artist
        sorted_artists = artists[by_artist]
        run_start = _run_starts(sorted_artists)
        rank = np.empty(artists.shape[0], dtype=np.int64)
        rank[by_artist] = np.arange(artists.shape[0]) - np.repeat(
            run_start, np.diff(run_start, append=artists.shape[0])
        )
        cut = rank >= per_artist
        return cand_rows[~cut], set(np.unique(artists[cut]).tolist())

    def _walk(
        self,
        cand_rows: np.ndarray,
        sims: np.ndarray,
        start: int,
        n: int,
        page: int,
        cap: int,
        excl_idx: set[int],
        excl_groups: set[int],
        cut: Collection[int] = frozenset(),
    ) -> tuple[list[tuple[int, float]], bool] | None:
        """Page ``page`` of valid picks from ranked candidates, and whether it is full.

        Lazy: reads candidates only until the page is full. The artist cap counts within
        a page; a song over the cap is deferred to the next page rather than dropped, so
        "more" can still reach it. Pages depend only on a prefix of the ranking, so a
        full page here is the same page the whole cluster would give. None when it has
        to skip a song of an artist in ``cut`` (see :meth:`_cap_pool`).
        """
        vals = sims[cand_rows].tolist()
        # looked up for the pool only: per-song Python lists would cost ~70 MB at 1M songs
        songs, groups, artists = self._row_meta[:, cand_rows + start].tolist()
        showable = _showable(songs, vals, groups, artists, excl_idx, set(excl_groups), cut)
        carry: deque[tuple[int, float, int]] = deque()
        picks: list[tuple[int, float]] = []
        for _ in range(page + 1):
            picks = []
            counts: dict[int, int] = {}
            deferred: list[tuple[int, float, int]] = []
            while len(picks) < n:
                if carry:
                    item = carry.popleft()
                else:
                    shown = next(showable, _END)
                    if shown is None:
                        return None
                    if shown is _END:
                        break
                    item = shown
                if cap:
                    a = item[2]
                    c = counts.get(a, 0)
                    if c >= cap:
                        deferred.append(item)
                        continue
                    counts[a] = c + 1
                picks.append((item[0], item[1]))
            if not picks:  # nothing left at all: deeper pages are empty too
                break
            # deferred songs ranked above whatever is still unread, so order is kept
            if carry:
                carry.extendleft(reversed(deferred))
            else:
                carry.extend(deferred)
        return picks, len(picks) == n

    # -- typical songs -------------------------------------------------------------------
    def vibe(
        self,
        cluster: int,
        n: int = 5,
        *,
        exclude_ids: Collection[str] = (),
        rng: np.random.Generator | None = None,
        targets: Sequence[Target] = (),
        per_artist: int = 2,
    ) -> list[tuple[int, float]]:
        """``n`` songs typical of ``cluster`` as (index, typicality in 0..1), most typical first.

        Sampled without replacement from the most typical pool (the top ``max(10n, 50)``
        eligible songs), weighted by typicality, so repeated calls vary while staying on
        the mood; pass a seeded ``rng`` for reproducible picks. At most ``per_artist``
        songs per artist (``< 1``: no cap); when the cap leaves the pool short (a mood
        dominated by a few artists), the next tier of typical songs is sampled too.
        """
        if (
            isinstance(cluster, bool)
            or not isinstance(cluster, (int, np.integer))
            or not 0 <= int(cluster) < self._k
        ):
            raise IndexError(f"cluster must be in 0..{self._k - 1}, got {cluster!r}")
        n = max(1, int(n))
        cap = max(0, int(per_artist or 0))
        rng = rng if rng is not None else np.random.default_rng()
        mask_rows = self.target_rows_mask(targets)
        excl_idx, excl_groups = self.excluded(exclude_ids)
        tiers = self._typical_tiers(
            self._typical_order[int(cluster)], max(10 * n, 50), mask_rows, excl_idx, excl_groups
        )
        weighted = ((tier, self.typicality_[np.asarray(tier, dtype=np.int64)]) for tier in tiers)
        return sample_capped(weighted, n, cap, self.artist_code_, rng)

    def _typical_tiers(
        self,
        ranked: np.ndarray,
        tier_size: int,
        mask_rows: np.ndarray | None,
        excl_idx: set[int],
        excl_groups: set[int],
    ) -> Iterator[list[int]]:
        """Eligible songs of a cluster, most typical first, in tiers of ``tier_size``.

        Lazy and read in chunks: a tier is tiny next to a big cluster, and turning the
        whole cluster into a Python list would dominate the call.
        """
        seen_groups = set(excl_groups)
        tier: list[int] = []
        lo, chunk = 0, tier_size + 16
        while lo < ranked.shape[0]:
            part = ranked[lo : lo + chunk]
            lo, chunk = lo + chunk, chunk * 4
            if mask_rows is not None:  # looked up per chunk: no catalog-sized temporaries
                part = part[mask_rows[self._row_of[part]]]
            for i, g in zip(part.tolist(), self.group_[part].tolist()):
                if i in excl_idx or g in seen_groups:
                    continue
                seen_groups.add(g)
                tier.append(i)
                if len(tier) == tier_size:
                    yield tier
                    tier = []
        if tier:
            yield tier


#: What :func:`_showable` gives once the candidates run out (None means "cut artist").
_END = (-1, -math.inf, -1)


def _showable(
    songs: list[int],
    vals: list[float],
    groups: list[int],
    artists: list[int],
    excl_idx: set[int],
    seen_groups: set[int],
    cut: Collection[int],
) -> Iterator[tuple[int, float, int] | None]:
    """The filter every page applies: ranked candidates that may be shown, as (index,
    similarity, artist), each copy of a song only once.

    Skipped: masked-out songs (-inf), excluded songs, and copies of the seed, of an
    excluded song or of a better candidate (``seen_groups`` grows as songs are read).
    Yields None and stops when it has to skip a song of an artist in ``cut``: the cut
    pool may then be short (see :meth:`Recommender._cap_pool`).
    """
    for i, s, g, a in zip(songs, vals, groups, artists):
        if s == -math.inf or i in excl_idx or g in seen_groups:
            if a in cut:
                yield None
                return
            continue
        seen_groups.add(g)
        yield i, s, a


def sample_capped(
    tiers: Iterable[tuple[Sequence[int], np.ndarray]],
    n: int,
    cap: int,
    artist_code: np.ndarray,
    rng: np.random.Generator,
) -> list[tuple[int, float]]:
    """``n`` songs drawn by weight without replacement, tier by tier, at most ``cap`` per artist.

    ``tiers`` yields (song indices, their positive weights); a later tier is only read
    when the cap leaves the earlier ones short (it may be lazy). ``cap < 1``: no cap.
    Returns (index, weight) pairs, highest weight first. Shared by mood vibes
    (weights: typicality) and mood words (weights: fit).
    """
    picks: list[tuple[int, float]] = []
    counts: dict[int, int] = {}
    for tier, weights in tiers:
        idx = np.asarray(tier, dtype=np.int64)
        # Efraimidis–Spirakis: weighted sampling without replacement is a sort by
        # u^(1/w) (here its log); walking that order lets the cap skip and continue.
        # The keys are rounded and tied keys go to the lower song index (engine.stable_order):
        # numpy's log differs in its last bit between SIMD paths.
        keys = np.log(rng.random(idx.shape[0])) / weights
        artists = artist_code[idx].tolist()
        weight_list = np.asarray(weights, dtype=np.float64).tolist()
        for pos in order(keys, descending=True, key=idx).tolist():
            a = artists[pos]
            if cap and counts.get(a, 0) >= cap:
                continue
            counts[a] = counts.get(a, 0) + 1
            picks.append((tier[pos], weight_list[pos]))
            if len(picks) == n:
                break
        if len(picks) == n:
            break
    picks.sort(key=lambda t: (-score_key(t[1]), t[0]))
    return picks


def _in_groups(groups: np.ndarray, excl_groups: Collection[int]) -> np.ndarray:
    """Which of ``groups`` are excluded (a candidate pool's same-song groups)."""
    if len(excl_groups) <= 16:  # the seed's and a few shown: cheaper than np.isin
        out = np.zeros(groups.shape, dtype=bool)
        for g in excl_groups:
            out |= groups == g
        return out
    return np.isin(groups, np.fromiter(excl_groups, dtype=np.int64, count=len(excl_groups)))


def _pool_above(sims: np.ndarray, want: int, flags: np.ndarray) -> tuple[np.ndarray, float]:
    """Rows of (about) the ``want`` best ``sims`` and a threshold: every row scoring at least
    that is among them. Cut at a sampled threshold; when the sample cannot tell (targets
    leave most rows -inf), the ``want`` best exactly; -inf and every finite row when
    ``want`` reaches the size."""
    size = sims.shape[0]
    if want < size:
        threshold = _sampled_threshold(sims, want)
        if threshold > -math.inf:
            return np.flatnonzero(np.greater_equal(sims, threshold, out=flags)), threshold
        best = np.argpartition(sims, size - want)[size - want :]
        threshold = float(sims[best].min())
        if threshold > -math.inf:
            # rows tied with the cut may be left out: the page's proof needs its last
            # pick above the threshold anyway
            return best, threshold
    return np.flatnonzero(np.isfinite(sims)), -math.inf


def _sampled_threshold(sims: np.ndarray, want: int) -> float:
    """A score about ``want`` of ``sims`` reach (from a strided sample; -inf if unsure).

    The rank in the sample is tripled (plus two) for safety: too many candidates cost a
    little sorting, too few a second round.
    """
    size = sims.shape[0]
    sample = sims[:: max(1, size // 4096)]
    m = sample.shape[0]
    rank = min(m - 1, int(math.ceil(3 * want * m / size)) + 2)
    value = float(np.partition(sample, m - 1 - rank)[m - 1 - rank])
    return value if math.isfinite(value) else -math.inf


def _run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted, non-empty array."""
    new_run = np.empty(sorted_values.shape[0], dtype=bool)
    new_run[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=new_run[1:])
    return np.flatnonzero(new_run)


__all__ = [
    "ARTIST_WEIGHT",
    "MAX_ARTIST_WEIGHT",
    "Recommender",
    "check_artist_weight",
    "sample_capped",
]
