"""Recommendation quality on real catalogs, measured on rows the ranking was not tuned on.

Every catalog given with ``--data`` (default: each real catalog bundled in ``data/`` on its
own; a folder, such as ``data``, is evaluated as the union of its files, as the bot loads it) is
split in two by *lead artist* (a stable hash of the first artist's key, the same on every
catalog, so an artist's songs sit on one side only): the **tune** rows and the
**held-out** rows. ``ARTIST_WEIGHT`` -- the one constant of the ranking tuned for quality
-- is chosen on the tune rows of all catalogs together (the cross-validation scan), and
every figure of the comparison tables is measured on the held-out rows only.

What "measured on rows" means: a row is a *seed*; its list of 10 is drawn from the whole
catalog, as a user would get it, but only held-out seeds are scored. The mood model
(StandardScaler + K-Means) and the artists' sound profiles are fitted on the whole catalog:
both are unsupervised, they never see a genre, and genres are what the figures judge.

Methods, all under the **same rules** so the figures compare rankings, not rules: never the
seed or a copy of it (same title and artist keys), no two copies of one song, and at most
``CAP`` songs per artist (the engine's artist key; the uncapped tables, given as a reference,
lift only the cap):

- ``random``  -- random songs of the seed's cluster;
- ``study``   -- the original study's way: cosine of the scaled features within the cluster;
- ``global``  -- plain nearest neighbours by cosine over the whole catalog, no clusters;
- ``ours``    -- the engine's recommender (``Recommender``) at the chosen weight: cosine of
  song + artist sound within the cluster;
- ``ours_song_only`` -- the engine with ``artist_weight=0``; under the same rules it ranks
  like ``study`` (so the two rows agree up to float ties: a check of this script's rules).

Metrics per seed, then averaged (genre metrics over seeds with genres; genres are split on
commas and normalised, ``hip-hop`` = ``hip hop``; a pick is a hit when it shares any genre):

- ``hit``        -- hit@10: share of the 10 slots holding a pick that shares a genre;
- ``other_hit``  -- other-artist hit rate: the share of the picks by *other* artists (no shared
  artist name) that share a genre. Genres are labels of artists (Spotify's), so a pick by the
  seed's own artist is a free hit; this is the figure that says whether a ranking finds the
  seed's style beyond its artist, which is what the artist term claims to do;
- ``ndcg``       -- nDCG@10 with *graded* relevance = Jaccard overlap of the genre sets
  (binary on single-genre files); the ideal list is the 10 most relevant other songs of the
  whole catalog (no cluster, no cap), the same for every method;
- ``artists``    -- distinct artists per list; ``same_artist`` -- share of picks by the seed's;
- ``ild``        -- intra-list diversity: mean pairwise cosine distance (scaled features);
- ``similarity`` -- mean cosine of a pick to its seed (scaled features);
- ``coverage``   -- share of the catalog shown in the held-out seeds' lists.

Uncertainty: 95% percentile bootstrap over held-out seeds; the same resamples serve every
method (paired), so the interval of a difference "ours - baseline" says whether it is a win,
a loss or a tie (the interval holds 0). Coverage is a property of the whole set of lists and
a resample repeats seeds, which alone lowers it: its bootstrap spread is re-centred on the
measured value.

    python -m benchmarks.quality [--data a.csv b.csv] [--grid 0,0.5,0.75,1] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import numpy as np
import pandas as pd
from scipy import sparse

from engine.catalog import CatalogError, load_catalog
from engine.model import MoodModel
from engine.paths import DEFAULT_CATALOG_FILES
from engine.recommend import ARTIST_WEIGHT, Recommender
from engine.text import artist_key

from .bench_recommend import json_safe

#: Artist weights the cross-validation scan tries.
WEIGHT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
#: Songs per artist per list, for every method (the engine's default).
CAP = 2
#: What the scan maximises on the tune rows (mean over catalogs): the other-artist hit rate,
#: because hit@10 rises with any weight that pulls in the seed's own artist (free hits).
OBJECTIVE = "other_hit"
METHODS = ("random", "study", "global", "ours", "ours_song_only")
BASELINES = ("random", "study", "global", "ours_song_only")
METHOD_LABELS = {
    "random": "random in cluster",
    "study": "study's way (cluster + cosine)",
    "global": "global nearest neighbours",
    "ours": "ours (song + artist sound)",
    "ours_song_only": "ours, song's sound only",
}
METRICS = ("hit", "other_hit", "ndcg", "artists", "same_artist", "ild", "similarity", "coverage")
#: Metrics where more is plainly better (the others are trade-offs: said, not judged).
HIGHER_IS_BETTER = frozenset({"hit", "other_hit", "ndcg", "artists", "coverage"})
GENRE_METRICS = frozenset({"hit", "other_hit", "ndcg"})

_GENRE_SPLIT = re.compile(r"[,;]")
_NO_GENRE = frozenset({"", "set()", "[]", "none", "nan"})


class Interval(TypedDict):
    """A figure with its 95% bootstrap interval over ``n`` seeds (a difference adds a verdict)."""

    mean: float
    lo: float
    hi: float
    n: int
    verdict: NotRequired[str]


@dataclass
class Catalog:
    """One catalog, fitted, with what the metrics need per song."""

    name: str
    songs: pd.DataFrame
    model: MoodModel
    unit: np.ndarray  # (n, d) unit vectors of the scaled features
    labels: np.ndarray  # cluster per song
    group: np.ndarray  # same-song code (title key + artist key), as the engine uses
    artist: np.ndarray  # artist code (artist key), as the engine's cap uses
    names: list[frozenset[str]]  # individual artist keys per song
    genres: list[frozenset[str]]
    held_out: np.ndarray  # bool per song: scored; the rest are tune rows
    idcg: np.ndarray  # ideal DCG@n per song (NaN: no genres or nothing relevant; see ensure_idcg)

    computed_idcg: np.ndarray = field(init=False)  # which rows of idcg are filled

    def __post_init__(self) -> None:
        self.computed_idcg = np.zeros(len(self.songs), dtype=bool)

    @property
    def n(self) -> int:
        return len(self.songs)


# -- data ------------------------------------------------------------------------------------
def normalise_genres(genres: Sequence[str]) -> frozenset[str]:
    """Genre words as one vocabulary: split on commas, lower case, '-'/'_' as spaces."""
    out: set[str] = set()
    for g in genres:
        for part in _GENRE_SPLIT.split(str(g)):
            word = " ".join(part.strip().lower().replace("-", " ").replace("_", " ").split())
            if word not in _NO_GENRE:
                out.add(word)
    return frozenset(out)


def artist_names(row_artists: object, display: str) -> frozenset[str]:
    """Individual artist keys of a song: the ``artists`` tuple when the catalog has one,
    else the display string split on ", " (a name with a comma then counts as two, which
    only makes "same artist" a little wider)."""
    parts = list(row_artists) if isinstance(row_artists, (tuple, list)) else display.split(", ")
    keys = [k for k in (artist_key(str(p)) for p in parts) if k]
    return frozenset(keys or [artist_key(display) or display])


def lead_artist(row_artists: object, display: str) -> str:
    """Key of the first artist named: what decides a song's side of the split."""
    parts = list(row_artists) if isinstance(row_artists, (tuple, list)) else display.split(", ")
    keys = [k for k in (artist_key(str(p)) for p in parts) if k]
    return keys[0] if keys else (artist_key(display) or display)


def held_out_side(key: str, split_seed: int = 0) -> bool:
    """Whether an artist's songs are held out: a stable hash, the same in every catalog."""
    digest = hashlib.sha256(f"{split_seed}:{key}".encode()).digest()
    return bool(digest[0] & 1)


def default_catalogs() -> list[Path]:
    """Each bundled file on its own (the six files of the default catalog)."""
    return [p for p in DEFAULT_CATALOG_FILES if p.exists()]


def prepare(path: Path, k: int = 4, n: int = 10, split_seed: int = 0) -> Catalog:
    """Load and fit one catalog (on all rows: unsupervised), split its rows, precompute."""
    songs, _report = load_catalog(path)
    model = MoodModel(n_clusters=k).fit(songs, progress=lambda _m: None)
    Z = model.transform(songs)
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    unit = Z / np.where(norms == 0, 1.0, norms)
    rec = Recommender(model, artist_weight=0.0)
    listed = songs["artists"].tolist() if "artists" in songs.columns else [None] * len(songs)
    displays = songs["artist"].tolist()
    names = [artist_names(a, d) for a, d in zip(listed, displays)]
    held = np.array(
        [held_out_side(lead_artist(a, d), split_seed) for a, d in zip(listed, displays)], dtype=bool
    )
    genres = [normalise_genres(g) for g in songs["genres"].tolist()]
    name = path.name if not path.is_dir() else f"{path.name}/ (union)"
    cat = Catalog(
        name=name,
        songs=songs,
        model=model,
        unit=unit,
        labels=np.asarray(model.labels_),
        group=np.asarray(rec.group_),
        artist=np.asarray(rec.artist_code_),
        names=names,
        genres=genres,
        held_out=held,
        idcg=np.full(len(songs), np.nan),
    )
    return cat


def ensure_idcg(cat: Catalog, rows: np.ndarray, n: int) -> None:
    """Fill ``cat.idcg`` for ``rows`` (computed on demand: on 70,000 songs the ideal lists of
    every song cost minutes, and a sampled run needs a few thousand)."""
    todo = np.asarray(rows, dtype=np.int64)
    todo = todo[~cat.computed_idcg[todo]]
    if len(todo):
        cat.idcg[todo] = ideal_dcg(cat, n, rows=todo)
        cat.computed_idcg[todo] = True


def _discounts(n: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, n + 2))


def ideal_dcg(cat: Catalog, n: int, block: int = 512, rows: np.ndarray | None = None) -> np.ndarray:
    """Per song of ``rows`` (default: every song), the DCG@n of the n most genre-relevant
    other songs (Jaccard), no copies."""
    rows_out = np.arange(cat.n) if rows is None else np.asarray(rows, dtype=np.int64)
    vocab = sorted(set().union(*cat.genres)) if cat.genres else []
    out = np.full(len(rows_out), np.nan)
    if not vocab:
        return out
    col = {g: j for j, g in enumerate(vocab)}
    g_rows = [i for i, gs in enumerate(cat.genres) for _ in gs]
    g_cols = [col[g] for gs in cat.genres for g in gs]
    G = sparse.csr_matrix(
        (np.ones(len(g_rows), dtype=np.float32), (g_rows, g_cols)), shape=(cat.n, len(vocab))
    )
    size = np.asarray(G.sum(axis=1)).ravel()
    disc = _discounts(n)
    for lo in range(0, len(rows_out), block):
        hi = min(len(rows_out), lo + block)
        part = rows_out[lo:hi]
        inter = (G[part] @ G.T).toarray()
        union = size[part, None] + size[None, :] - inter
        jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        jac[cat.group[part, None] == cat.group[None, :]] = 0.0  # the seed and its copies
        top = (
            -np.sort(-np.partition(jac, cat.n - n, axis=1)[:, cat.n - n :], axis=1)
            if cat.n > n
            else -np.sort(-jac, axis=1)
        )
        dcg = top[:, :n] @ disc[: top.shape[1]]
        dcg[(size[part] == 0) | (dcg == 0)] = np.nan
        out[lo:hi] = dcg
    return out


# -- lists -----------------------------------------------------------------------------------
def _walk(
    order: np.ndarray, score: np.ndarray, group: np.ndarray, artist: np.ndarray, n: int, cap: int
) -> list[int]:
    """The engine's rules over a ranking: skip -inf, copies of earlier picks, capped artists."""
    picks: list[int] = []
    seen: set[int] = set()
    counts: dict[int, int] = {}
    for j in order:
        if score[j] == -np.inf:
            break
        g = int(group[j])
        if g in seen:
            continue
        seen.add(g)
        if cap:
            a = int(artist[j])
            c = counts.get(a, 0)
            if c >= cap:
                continue
            counts[a] = c + 1
        picks.append(int(j))
        if len(picks) == n:
            break
    return picks


def baseline_lists(
    cat: Catalog, method: str, n: int, cap: int, seeds: np.ndarray, rng: np.random.Generator, block: int = 256
) -> list[list[int]]:
    """Lists of a baseline for ``seeds`` under the common rules (see the module docstring)."""
    out: list[list[int]] = []
    pool = 10 * n + 32
    for lo in range(0, seeds.shape[0], block):
        b = seeds[lo : lo + block]
        if method == "random":
            S = rng.random((b.shape[0], cat.n))
        else:
            S = cat.unit[b] @ cat.unit.T
        if method in ("random", "study"):
            S[cat.labels[None, :] != cat.labels[b][:, None]] = -np.inf
        S[cat.group[None, :] == cat.group[b][:, None]] = -np.inf  # the seed and its copies
        p = min(pool, cat.n)
        top = (
            np.argpartition(-S, p - 1, axis=1)[:, :p]
            if p < cat.n
            else np.tile(np.arange(cat.n), (b.shape[0], 1))
        )
        for r in range(b.shape[0]):
            row = S[r]
            cand = top[r]
            cand = cand[np.lexsort((cand, -row[cand]))]
            picks = _walk(cand, row, cat.group, cat.artist, n, cap)
            if len(picks) < n and p < cat.n:  # the pool ran dry (capped artists): whole row
                full = np.lexsort((np.arange(cat.n), -row))
                picks = _walk(full, row, cat.group, cat.artist, n, cap)
            out.append(picks)
    return out


def ours_lists(cat: Catalog, weight: float, n: int, cap: int, seeds: np.ndarray) -> list[list[int]]:
    """The engine's own lists at ``weight`` (per_artist=cap; 0 lifts the cap)."""
    rec = Recommender(cat.model, artist_weight=weight)
    return [[i for i, _s in rec.recommend(int(s), n, per_artist=cap)] for s in seeds.tolist()]


# -- metrics ---------------------------------------------------------------------------------
def per_seed(cat: Catalog, seeds: np.ndarray, lists: list[list[int]], n: int) -> dict[str, np.ndarray]:
    """Each metric per seed (NaN where undefined: genre metrics of seeds without genres)."""
    m = seeds.shape[0]
    out = {k: np.full(m, np.nan) for k in METRICS if k != "coverage"}
    disc = _discounts(n)
    for r, (s, picks) in enumerate(zip(seeds.tolist(), lists)):
        if not picks:
            continue
        gs, names = cat.genres[s], cat.names[s]
        same = [bool(cat.names[j] & names) for j in picks]
        out["same_artist"][r] = sum(same) / n
        out["artists"][r] = len({int(cat.artist[j]) for j in picks})
        P = cat.unit[picks]
        out["similarity"][r] = float(np.mean(P @ cat.unit[s]))
        if len(picks) > 1:
            iu = np.triu_indices(len(picks), k=1)
            out["ild"][r] = float(np.mean(1.0 - (P @ P.T)[iu]))
        if gs:
            shared = [len(cat.genres[j] & gs) for j in picks]
            out["hit"][r] = sum(1 for x in shared if x) / n
            others = [x for x, sa in zip(shared, same) if not sa]
            if others:
                out["other_hit"][r] = sum(1 for x in others if x) / len(others)
            if not math.isnan(cat.idcg[s]):
                rel = [x / len(cat.genres[j] | gs) for x, j in zip(shared, picks)]
                out["ndcg"][r] = float(np.dot(rel, disc[: len(rel)])) / cat.idcg[s]
    return out


def bootstrap(
    cat: Catalog,
    seeds: np.ndarray,
    lists: dict[str, list[list[int]]],
    n: int,
    reps: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Means, 95% CIs and paired differences (ours - each baseline) over ``seeds``."""
    methods = list(lists)
    values = {m: per_seed(cat, seeds, lists[m], n) for m in methods}
    m_seeds = seeds.shape[0]
    idx = rng.integers(0, m_seeds, size=(reps, m_seeds))
    counts = np.zeros((reps, m_seeds))
    np.add.at(counts, (np.repeat(np.arange(reps), m_seeds), idx.ravel()), 1.0)
    table: dict[str, dict[str, Interval]] = {m: {} for m in methods}
    reps_of: dict[str, dict[str, np.ndarray]] = {m: {} for m in methods}
    for metric in METRICS:
        if metric == "coverage":
            for m in methods:
                inc = _incidence(lists[m], cat.n)
                point = float((np.asarray(inc.sum(axis=0)).ravel() > 0).mean())
                boot = (np.asarray((inc.T @ sparse.csr_matrix(counts.T)).todense()) > 0).mean(axis=0)
                # a resample repeats seeds, which alone lowers coverage: keep its spread,
                # centred on the measured value
                boot = boot + (point - float(boot.mean()))
                reps_of[m][metric] = boot
                table[m][metric] = _summary(point, boot, m_seeds)
            continue
        # the seeds where every method has the metric, so that differences are paired
        ok = np.all([np.isfinite(values[m][metric]) for m in methods], axis=0)
        w = counts[:, ok]
        for m in methods:
            v = values[m][metric][ok]
            boot = (w @ v) / np.maximum(w.sum(axis=1), 1.0)
            reps_of[m][metric] = boot
            table[m][metric] = _summary(float(v.mean()) if v.size else math.nan, boot, int(ok.sum()))
    diffs: dict[str, dict[str, Interval]] = {}
    if "ours" in methods:
        for base in methods:
            if base == "ours":
                continue
            diffs[base] = {}
            for metric in METRICS:
                d = reps_of["ours"][metric] - reps_of[base][metric]
                point = table["ours"][metric]["mean"] - table[base][metric]["mean"]
                s = _summary(point, d, table["ours"][metric]["n"])
                s["verdict"] = _verdict(metric, s["lo"], s["hi"])
                diffs[base][metric] = s
    return {"methods": table, "differences": diffs}


def _incidence(lists: list[list[int]], n_songs: int) -> sparse.csr_matrix:
    rows = [r for r, picks in enumerate(lists) for _ in picks]
    cols = [j for picks in lists for j in picks]
    return sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(lists), n_songs))


def _summary(point: float, boot: np.ndarray, n: int) -> Interval:
    lo, hi = np.percentile(boot, [2.5, 97.5]) if boot.size else (math.nan, math.nan)
    return {"mean": point, "lo": float(lo), "hi": float(hi), "n": n}


def _verdict(metric: str, lo: float, hi: float) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0.0 <= hi:
        return "tie"
    if metric in HIGHER_IS_BETTER:
        return "win" if lo > 0 else "loss"
    return "higher" if lo > 0 else "lower"


# -- cross-validation ------------------------------------------------------------------------
def scan_weights(
    cats: list[Catalog],
    grid: Sequence[float],
    n: int,
    say: Callable[[str], None],
    reps: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Ours at every weight of ``grid`` (capped), scored on tune and on held-out rows apart.

    The weight is chosen on the tune rows only. The objective is the mean over catalogs of
    ``OBJECTIVE``; its best weight is found, and then the *smallest* weight whose objective
    is not clearly below the best (the paired bootstrap interval of "best - w" holds 0) is
    chosen: a larger weight moves the picks away from the seed song's own sound, so it has
    to buy a gain beyond the noise. The held-out columns are printed for the reader and
    never read by the choice; the same rule on them says how stable the choice is.
    """
    rows: list[dict[str, Any]] = []
    # per side, catalog and weight: the objective per seed (paired over weights)
    values: dict[str, dict[str, list[np.ndarray]]] = {"tune": {}, "held_out": {}}
    for w in grid:
        t0 = time.perf_counter()
        row: dict[str, Any] = {"weight": float(w), "catalogs": {}}
        for cat in cats:
            seeds = np.arange(cat.n)
            ensure_idcg(cat, seeds, n)
            vals = per_seed(cat, seeds, ours_lists(cat, w, n, CAP, seeds), n)
            part = {}
            for side, mask in (("tune", ~cat.held_out), ("held_out", cat.held_out)):
                part[side] = {
                    k: float(np.nanmean(v[mask])) if np.isfinite(v[mask]).any() else math.nan
                    for k, v in vals.items()
                }
                values[side].setdefault(cat.name, []).append(vals[OBJECTIVE][mask])
            row["catalogs"][cat.name] = part
        rows.append(row)
        say(f"  weight {w:g}: {time.perf_counter() - t0:.1f} s")
    rng = np.random.default_rng(seed)
    for side in ("tune", "held_out"):
        boots, points = [], []
        for cat in cats:
            V = np.vstack(values[side][cat.name])  # (weights, seeds)
            V = V[:, np.all(np.isfinite(V), axis=0)]
            idx = rng.integers(0, V.shape[1], size=(reps, V.shape[1]))
            boots.append(V[:, idx].mean(axis=2))  # (weights, reps)
            points.append(V.mean(axis=1))
        boot = np.mean(boots, axis=0)
        point = np.mean(points, axis=0)
        best = int(np.argmax(point))
        diff = boot[best][None, :] - boot  # best - w, paired
        lo, hi = np.percentile(diff, [2.5, 97.5], axis=1)
        for i, row in enumerate(rows):
            row[f"{side}_objective"] = float(point[i])
            row[f"{side}_below_best"] = {
                "mean": float(point[best] - point[i]),
                "lo": float(lo[i]),
                "hi": float(hi[i]),
            }
        chosen = next(i for i in range(len(rows)) if lo[i] <= 0.0)
        rows_best, rows_chosen = rows[best]["weight"], rows[chosen]["weight"]
        if side == "tune":
            best_weight, chosen_weight = rows_best, rows_chosen
        else:
            other_best, other_chosen = rows_best, rows_chosen
    return {
        "grid": [float(w) for w in grid],
        "objective": OBJECTIVE,
        "objective_text": (
            f"mean over catalogs of the other-artist hit rate@{n} (cap {CAP}) on the "
            "tune rows; the smallest weight not clearly below the best"
        ),
        "tuned_on": {c.name: int((~c.held_out).sum()) for c in cats},
        "best_weight": best_weight,
        "chosen_weight": chosen_weight,
        "held_out_rows_would_choose": other_chosen,
        "held_out_rows_best": other_best,
        "engine_weight": ARTIST_WEIGHT,
        "scan": rows,
    }


# -- the run ---------------------------------------------------------------------------------
def evaluate_catalog(
    cat: Catalog,
    weight: float,
    n: int,
    reps: int,
    seed: int,
    say: Callable[[str], None],
    max_seeds: int | None = None,
) -> dict[str, Any]:
    """Capped and uncapped tables of every method on the held-out seeds of one catalog
    (a seeded sample of ``max_seeds`` of them when there are more)."""
    seeds = np.flatnonzero(cat.held_out)
    all_held = int(seeds.shape[0])
    if max_seeds is not None and seeds.shape[0] > max_seeds:
        seeds = np.sort(np.random.default_rng([seed, 7]).choice(seeds, size=max_seeds, replace=False))
    ensure_idcg(cat, seeds, n)
    out: dict[str, Any] = {
        "catalog": cat.name,
        "songs": cat.n,
        "k": int(cat.model.n_clusters_),
        "held_out_seeds": int(seeds.shape[0]),
        "tune_seeds": int(cat.n - all_held),
        "held_out_rows": all_held,
        "seeds_with_genres": int(sum(1 for s in seeds if cat.genres[s])),
        "rows": (
            f"scored: {seeds.shape[0]:,} held-out seeds"
            + (f" (a seeded sample of the {all_held:,})" if seeds.shape[0] < all_held else "")
            + f" (lead artist on the held-out side); lists drawn from all {cat.n:,} songs; "
            "model fitted on all rows (no genres)"
        ),
        "weight": weight,
    }
    for label, cap in (("capped", CAP), ("uncapped", 0)):
        rng = np.random.default_rng(seed)
        t0 = time.perf_counter()
        lists = {m: baseline_lists(cat, m, n, cap, seeds, rng) for m in ("random", "study", "global")}
        lists["ours"] = ours_lists(cat, weight, n, cap, seeds)
        lists["ours_song_only"] = ours_lists(cat, 0.0, n, cap, seeds)
        lists = {m: lists[m] for m in METHODS}
        out[label] = bootstrap(cat, seeds, lists, n, reps, np.random.default_rng(seed + 1))
        out[label]["mean_list_length"] = {m: float(np.mean([len(p) for p in lists[m]])) for m in METHODS}
        say(f"  {cat.name} {label}: {time.perf_counter() - t0:.1f} s")
    return out


def claims(catalogs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the README may say, per catalog, from the held-out capped differences."""
    out = []
    for c in catalogs:
        d = c["capped"]["differences"]
        for base, metric in (
            ("random", "hit"),
            ("study", "hit"),
            ("study", "other_hit"),
            ("study", "ndcg"),
            ("study", "artists"),
            ("global", "hit"),
        ):
            x = d[base][metric]
            out.append(
                {
                    "catalog": c["catalog"],
                    "text": f"ours vs {base}: {metric}",
                    "difference": x["mean"],
                    "lo": x["lo"],
                    "hi": x["hi"],
                    "verdict": x["verdict"],
                    "seeds": x["n"],
                    "rows": "held-out",
                }
            )
    return out


def run(
    paths: Sequence[Path] | None = None,
    n: int = 10,
    k: int = 4,
    grid: Sequence[float] = WEIGHT_GRID,
    reps: int = 1000,
    seed: int = 0,
    split_seed: int = 0,
    weight: float | None = None,
    progress: Callable[[str], None] | None = None,
    max_seeds: int | None = None,
) -> dict[str, Any]:
    """Fit every catalog, scan the weight on tune rows, report every method on held-out rows.

    ``weight`` skips the scan and reports at that weight: for a catalog whose held-out
    rows are the same artists' as those of an earlier scan (the split hashes artists the
    same way everywhere), e.g. the union of the bundled files at the weight chosen on them.
    """
    say = progress or (lambda _m: None)
    paths = list(paths) if paths else default_catalogs()
    cats = []
    for p in paths:
        t0 = time.perf_counter()
        cats.append(prepare(Path(p), k=k, n=n, split_seed=split_seed))
        say(
            f"{cats[-1].name}: {cats[-1].n:,} songs, {int(cats[-1].held_out.sum()):,} held out "
            f"({time.perf_counter() - t0:.1f} s)"
        )
    if weight is None:
        say(f"scanning artist weights on the tune rows of {len(cats)} catalog(s)")
        cv = scan_weights(cats, grid, n, say, reps=reps, seed=seed)
        weight = cv["chosen_weight"]
    else:
        cv = {
            "grid": [],
            "chosen_weight": float(weight),
            "engine_weight": ARTIST_WEIGHT,
            "objective_text": "no scan: weight given with --weight",
            "scan": [],
            "tuned_on": {},
        }
    results = [evaluate_catalog(c, weight, n, reps, seed, say, max_seeds) for c in cats]
    return {
        "list_length": n,
        "cap": CAP,
        "k": k,
        "bootstrap": reps,
        "random_seed": seed,
        "split": {
            "by": "lead artist (stable hash of its key, the same in every catalog)",
            "split_seed": split_seed,
            "held_out_rows": "scored",
            "tune_rows": "choose the artist weight",
        },
        "ndcg": "graded: relevance = Jaccard overlap of genre sets; ideal = best 10 of the catalog",
        "cv": cv,
        "catalogs": results,
        "claims": claims(results),
    }


# -- printing ---------------------------------------------------------------------------------
_COLUMNS = (
    ("hit", "hit@10", 3),
    ("other_hit", "other-art", 3),
    ("ndcg", "nDCG@10", 3),
    ("artists", "artists", 2),
    ("ild", "ILD", 3),
    ("coverage", "coverage", 3),
    ("similarity", "sim", 3),
)


def _cell(x: Interval, digits: int) -> str:
    return f"{x['mean']:.{digits}f} [{x['lo']:.{digits}f}, {x['hi']:.{digits}f}]"


def _scan_lines(result: dict[str, Any]) -> list[str]:
    """The cross-validation scan: the objective per weight, tune and held-out rows apart."""
    cv = result["cv"]
    names = [c["catalog"] for c in result["catalogs"]]
    lines = [
        f"Artist weight chosen on the TUNE rows ({cv['objective_text']}):",
        f"{'weight':>6}  "
        + "  ".join(f"{nm[:17]:>17}" for nm in names)
        + f"  {'tune mean':>9}  {'best - w [95% CI]':>24}  {'held-out mean':>13}",
        f"{'':>6}  "
        + "  ".join(f"{'tune / held-out':>17}" for _ in names)
        + f"  {'':>9}  {'(tune, paired)':>24}",
    ]
    for row in cv["scan"]:
        cells = "  ".join(
            f"{row['catalogs'][nm]['tune'][OBJECTIVE]:>8.4f}/{row['catalogs'][nm]['held_out'][OBJECTIVE]:.4f}"
            for nm in names
        )
        b = row["tune_below_best"]
        gap = f"{b['mean']:+.4f} [{b['lo']:+.4f}, {b['hi']:+.4f}]"
        mark = " <- chosen" if row["weight"] == cv["chosen_weight"] else ""
        lines.append(
            f"{row['weight']:>6g}  {cells}  {row['tune_objective']:>9.4f}  {gap:>24}  "
            f"{row['held_out_objective']:>13.4f}{mark}"
        )
    lines.append(
        f"best weight on tune rows {cv['best_weight']:g}, chosen {cv['chosen_weight']:g} "
        f"(engine's ARTIST_WEIGHT: {cv['engine_weight']:g}); the same rule on the held-out "
        f"rows would choose {cv['held_out_rows_would_choose']:g}"
    )
    return lines


def format_table(result: dict[str, Any]) -> str:
    cv = result["cv"]
    if cv["scan"]:
        lines = _scan_lines(result)
    else:
        lines = [
            (
                f"No scan: artist weight {cv['chosen_weight']:g} given with --weight "
                f"(engine's ARTIST_WEIGHT: {cv['engine_weight']:g})"
            )
        ]
    for c in result["catalogs"]:
        for label in ("capped", "uncapped"):
            part = c[label]
            cap = f"at most {result['cap']} per artist" if label == "capped" else "no artist cap (reference)"
            lines += [
                "",
                f"{c['catalog']}, HELD-OUT rows, {cap}, weight {c['weight']:g}: {c['rows']}",
                f"{'method':<31}" + "".join(f" {h:>21}" for _, h, _ in _COLUMNS),
            ]
            for m in METHODS:
                r = part["methods"][m]
                lines.append(
                    f"{METHOD_LABELS[m]:<31}" + "".join(f" {_cell(r[k], d):>21}" for k, _, d in _COLUMNS)
                )
            ours = part["methods"]["ours"]
            lines.append(
                f"(seeds: {ours['artists']['n']:,}; genre figures over the "
                f"{ours['hit']['n']:,} with genres; other-art over the {ours['other_hit']['n']:,} "
                "whose lists show another artist under every method)"
            )
            if label == "capped":
                lines.append("ours minus (paired bootstrap; tie = interval holds 0):")
                for base, d in part["differences"].items():
                    lines.append(
                        f"  {METHOD_LABELS[base]:<29}"
                        + "".join(
                            f" {d[k]['mean']:+.3f} {d[k]['verdict']:<6}".rjust(22) for k, _, _ in _COLUMNS
                        )
                    )
    lines += [
        "",
        "hit@10: share of slots sharing a genre with the seed; other-art: share of the picks by",
        "other artists that share a genre; nDCG@10: graded (genre Jaccard); artists: distinct per",
        "list; ILD: mean pairwise cosine distance; coverage: share of the catalog in the lists;",
        "sim: cosine to seed. [a, b] = 95% bootstrap interval over held-out seeds.",
    ]
    return "\n".join(lines)


def _grid(text: str) -> list[float]:
    try:
        values = sorted({float(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--grid wants comma-separated numbers, got {text!r}") from None
    if not values or any(not 0.0 <= v <= 10.0 for v in values):
        raise argparse.ArgumentTypeError("--grid wants weights in 0..10")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.quality", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--data",
        nargs="+",
        type=Path,
        default=None,
        help="catalog file(s) or folder(s) (a folder = the union of its files); "
        "default: each bundled file of data/ on its own",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--n", type=int, default=10, help="list length (default 10)")
    parser.add_argument("--k", type=int, default=4, help="number of clusters (default 4)")
    parser.add_argument(
        "--grid", type=_grid, default=list(WEIGHT_GRID), help="artist weights to scan, comma-separated"
    )
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="random seed (random baseline, bootstrap)")
    parser.add_argument("--split-seed", type=int, default=0, help="salt of the artist split")
    parser.add_argument(
        "--max-seeds",
        type=int,
        default=None,
        help="score a seeded sample of at most this many held-out seeds per catalog (big catalogs)",
    )
    parser.add_argument(
        "--weight",
        type=float,
        default=None,
        help="skip the scan, report at this artist weight (one chosen on tune rows)",
    )
    args = parser.parse_args(argv)
    if args.weight is not None and not 0.0 <= args.weight <= 10.0:  # NaN fails too
        parser.error(f"--weight wants a number in 0..10, got {args.weight}")
    logging.basicConfig(level=logging.WARNING)

    def say(m: str) -> None:
        print(m, file=sys.stderr, flush=True)

    try:
        result = run(
            args.data,
            n=max(1, args.n),
            k=args.k,
            grid=args.grid,
            reps=max(10, args.bootstrap),
            seed=args.seed,
            split_seed=args.split_seed,
            weight=args.weight,
            max_seeds=args.max_seeds,
            progress=say,
        )
    except CatalogError as exc:
        print(f"quality: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(json_safe(result), indent=2, allow_nan=False))
    else:
        print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
