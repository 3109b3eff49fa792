"""Real playlists as the judge: playlist continuation on the TidyTuesday playlists.

The default catalog keeps, for each song, the real Spotify playlists the TidyTuesday file
found it in (471 playlists; 438 have 20 songs or more in the catalog). The RecSys Challenge
2018 asks of a playlist continuation what this script asks of every method: given a few of
a playlist's songs, does the ranked continuation hold the playlist's other songs?

**Split** (playlists, not songs): a stable hash of the playlist id and ``--split-seed``
(:func:`held_out`) puts each playlist with >= ``MIN_SONGS`` songs on the *tuning* side or
the *held-out* side. The co-occurrence signal (engine/cooccur.py) used for the held-out
figures is built from the tuning playlists only, and the one tuned constant per blend (the
co-occurrence weight) is chosen on tuning playlists only: the co-occurrence of tuning half
A (a second hash) scores tuning half B. Every table figure is from held-out playlists.

**Task** per held-out playlist and seed count (1, 5, 10): its songs in a fixed shuffled
order (crc32 of its id); the first ``k`` are the seeds, the others (minus copies of a seed:
same title and artist keys) are the truth. Each method ranks ``N`` songs.

**Common rules** (:func:`finish`, applied to every method's raw ranking): never a seed or a
copy of a song already listed, at most ``CAP`` songs per artist in each page of 10 (a page
is what a refresh shows; the engine caps per page the same way).

**Methods**: ``random``; ``popular`` (the catalog's popularity); ``popular_playlists``
(most frequent in the tuning playlists: the challenge's popularity baseline); ``study`` (the
study's way from the first seed: cosine of the standardised features within its cluster);
``global_mean`` (nearest neighbours of the seeds' mean standardised vector, all clusters);
``recommend`` (Clusterfy's recommend from the first seed); ``foryou`` (Clusterfy's for-you
with the seeds as likes); ``playlist`` (``Engine.playlist("foryou")`` from the seeds as
likes: 50 songs at most, ordered for smooth listening, so scored as a 50-song list);
``cooc`` (co-occurrence alone, tuning playlists, popular_playlists after it);
``recommend_cooc`` and ``foryou_cooc`` (the blends, engine/cooccur.py, at the tuned weights).

**Measures** (:func:`measures`): R-precision (track level: the share of the truth among the
first |truth| songs; the challenge's artist bonus is left out), NDCG over the whole list
(binary relevance, discount log2(rank + 1), ideal = min(|truth|, N) hits first), clicks
(refreshes of 10 before the first right song: 0 when one is in the first 10; 51 when none
is in the list, the challenge's cap) and hit@10 (at least one right song in the first 10).
The ``new_`` measures count only songs by artists none of the seeds is by: such songs are
dropped from the list and from the truth before the same measures are taken.

Uncertainty: 95% percentile bootstrap over held-out playlists, the same resamples for every
method, so a paired difference whose interval holds 0 is a tie (benchmarks.quality's
``_summary`` and ``_verdict``).

    python -m benchmarks playlists [--n 500] [--seeds 1,5,10] [--reps 2000] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.cooccur import CoOccurrence, blend_recommend, merge_collab, playlist_members
from engine.listeners.taste import TasteModel
from engine.model import MoodModel
from engine.recommend import Recommender
from engine.service import Engine
from engine.stable_order import order, top

from .bench_recommend import json_safe
from .quality import Interval, _summary, _verdict

logger = logging.getLogger(__name__)

#: Songs a playlist needs in the catalog to be a task (the challenge's playlists have >= 10).
MIN_SONGS = 20
#: Songs per ranked continuation (the challenge's 500).
N = 500
SEED_COUNTS = (1, 5, 10)
#: Songs per artist per page of 10, for every method.
CAP = 2
PAGE = 10
#: The challenge's cap on clicks (a list with no right song).
MAX_CLICKS = 51
#: Longest playlist Engine.playlist makes.
PLAYLIST_LENGTH = 50
#: Co-occurrence weights the tuning scan tries for each blend.
WEIGHT_GRID = (0.0, 0.03, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
#: What the scan maximises: NDCG, mean over the seed counts, on tuning playlists.
OBJECTIVE = "ndcg"
METRICS = (
    "r_prec",
    "ndcg",
    "clicks",
    "hit10",
    "new_r_prec",
    "new_ndcg",
    "new_clicks",
    "new_hit10",
    "sim10",
)
LOWER_IS_BETTER = frozenset({"clicks", "new_clicks"})
#: Said, not judged: how close the first 10 sound to the first seed (what a blend costs in sound).
NEUTRAL = frozenset({"sim10"})
METHODS = (
    "random",
    "popular",
    "popular_playlists",
    "study",
    "global_mean",
    "recommend",
    "foryou",
    "playlist",
    "cooc",
    "recommend_cooc",
    "foryou_cooc",
)
METHOD_LABELS = {
    "random": "random songs",
    "popular": "most popular (catalog popularity)",
    "popular_playlists": "most frequent in tuning playlists",
    "study": "study's way from the first seed",
    "global_mean": "nearest neighbours of the seeds' mean",
    "recommend": "Clusterfy recommend (first seed)",
    "foryou": "Clusterfy for-you (seeds as likes)",
    "playlist": "Clusterfy !playlist foryou (50 songs)",
    "cooc": "co-occurrence alone (tuning playlists)",
    "recommend_cooc": "recommend + co-occurrence",
    "foryou_cooc": "for-you + co-occurrence",
}
#: Paired differences reported: (method, against).
PAIRS = (
    ("foryou", "popular_playlists"),
    ("foryou", "popular"),
    ("foryou", "cooc"),
    ("foryou", "study"),
    ("foryou", "global_mean"),
    ("recommend", "study"),
    ("recommend", "popular_playlists"),
    ("playlist", "foryou"),
    ("recommend_cooc", "recommend"),
    ("foryou_cooc", "foryou"),
    ("foryou_cooc", "cooc"),
)


# -- the split -------------------------------------------------------------------------------
def held_out(playlist_id: str, split_seed: int = 0) -> bool:
    """Whether a playlist is held out: a stable hash of its id (half of them)."""
    return bool(hashlib.sha256(f"{split_seed}:{playlist_id}".encode()).digest()[0] & 1)


def tuning_half(playlist_id: str, split_seed: int = 0) -> str:
    """Within the tuning playlists: "A" builds the scan's co-occurrence, "B" is scored."""
    return "A" if hashlib.sha256(f"tune{split_seed}:{playlist_id}".encode()).digest()[0] & 1 else "B"


@dataclass(frozen=True)
class Split:
    """Playlist ids (with >= MIN_SONGS songs) per side, sorted."""

    tuning: tuple[str, ...]
    held: tuple[str, ...]
    tune_a: tuple[str, ...]
    tune_b: tuple[str, ...]


def split_playlists(members: dict[str, np.ndarray], split_seed: int = 0, min_songs: int = MIN_SONGS) -> Split:
    big = sorted(p for p, v in members.items() if len(v) >= min_songs)
    tuning = tuple(p for p in big if not held_out(p, split_seed))
    return Split(
        tuning=tuning,
        held=tuple(p for p in big if held_out(p, split_seed)),
        tune_a=tuple(p for p in tuning if tuning_half(p, split_seed) == "A"),
        tune_b=tuple(p for p in tuning if tuning_half(p, split_seed) == "B"),
    )


# -- tasks -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One playlist with ``k`` seeds: what a method gets and what it is judged against."""

    playlist: str
    seeds: tuple[int, ...]
    truth: frozenset[int]


def make_task(playlist: str, songs: np.ndarray, k: int, group: np.ndarray) -> Task:
    """Seeds = the first ``k`` songs of a fixed shuffle of the playlist; truth = the rest,
    without copies of a seed (same song group)."""
    rng = np.random.default_rng(zlib.crc32(playlist.encode()))
    shuffled = np.asarray(songs)[rng.permutation(len(songs))]
    seeds = tuple(int(i) for i in shuffled[:k])
    seed_groups = {int(group[i]) for i in seeds}
    truth = frozenset(int(i) for i in shuffled[k:] if int(group[i]) not in seed_groups)
    return Task(playlist, seeds, truth)


# -- the common rules ------------------------------------------------------------------------
def finish(
    ranking: Sequence[int],
    seeds: Sequence[int],
    n: int,
    group: np.ndarray,
    artist: np.ndarray,
    cap: int = CAP,
) -> list[int]:
    """A method's raw ranking under the common rules: no seed (nor a copy), no song twice,
    at most ``cap`` songs per artist in each page of ``PAGE`` (a song over its artist's
    share waits for the next page, keeping its place in the ranking)."""
    seen = {int(group[s]) for s in seeds}
    out: list[int] = []
    waiting: list[int] = []  # songs over their artist's share of the current page, in ranking order
    counts: dict[int, int] = {}
    it = iter(ranking)
    while len(out) < n:
        if len(out) % PAGE == 0:
            counts = {}
        pick = -1
        for pos, i in enumerate(waiting):
            if counts.get(int(artist[i]), 0) < cap:
                pick = waiting.pop(pos)
                break
        if pick < 0:
            for raw in it:
                i = int(raw)
                g = int(group[i])
                if g in seen:
                    continue
                seen.add(g)
                if counts.get(int(artist[i]), 0) >= cap:
                    waiting.append(i)
                    continue
                pick = i
                break
        if pick < 0:  # the ranking ran out; what waits would break this page's cap
            break
        out.append(pick)
        counts[int(artist[pick])] = counts.get(int(artist[pick]), 0) + 1
    return out[:n]


# -- measures --------------------------------------------------------------------------------
def _discount(n: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, n + 2, dtype=np.float64))


def measures(ranked: Sequence[int], truth: frozenset[int] | set[int], n: int = N) -> dict[str, float]:
    """R-precision, NDCG, clicks and hit@10 of one ranked list (see the module docstring).

    ``n`` is the list length the method was asked for: the ideal DCG counts min(|truth|, n)
    hits, so a shorter list is not rewarded for being short. NaN when the truth is empty.
    """
    if not truth:
        return {"r_prec": math.nan, "ndcg": math.nan, "clicks": math.nan, "hit10": math.nan}
    rel = np.asarray([1.0 if int(i) in truth else 0.0 for i in ranked], dtype=np.float64)
    r = len(truth)
    r_prec = float(rel[:r].sum()) / r
    dcg = float((rel * _discount(rel.shape[0])).sum()) if rel.size else 0.0
    idcg = float(_discount(min(r, n)).sum())
    hits = np.nonzero(rel)[0]
    clicks = float(hits[0] // PAGE) if hits.size else float(MAX_CLICKS)
    return {
        "r_prec": r_prec,
        "ndcg": dcg / idcg,
        "clicks": clicks,
        "hit10": float(rel[:PAGE].any()),
    }


def task_measures(ranked: Sequence[int], task: Task, artist: np.ndarray, n: int = N) -> dict[str, float]:
    """:func:`measures`, and the same counting only songs by artists none of the seeds is by."""
    out = measures(ranked, task.truth, n)
    seed_artists = {int(artist[s]) for s in task.seeds}
    new_list = [i for i in ranked if int(artist[i]) not in seed_artists]
    new_truth = frozenset(i for i in task.truth if int(artist[i]) not in seed_artists)
    for key, value in measures(new_list, new_truth, n).items():
        out[f"new_{key}"] = value
    return out


# -- methods ---------------------------------------------------------------------------------
@dataclass
class Context:
    """What the methods share: the engine over the model, a song-only recommender, the
    standardised unit vectors, popularity orders and the co-occurrence signals."""

    engine: Engine
    study: Recommender
    unit_rows: np.ndarray  # (n, d) float32 unit standardised features, row order
    order_rows: np.ndarray  # song index of each row
    popular_order: np.ndarray
    tuning_popular_order: np.ndarray
    cooc: CoOccurrence
    weights: dict[str, float] = field(default_factory=dict)
    n: int = N

    @property
    def taste(self) -> TasteModel:
        return self.engine._taste_model()

    @property
    def group(self) -> np.ndarray:
        return self.engine.recommender.group_

    @property
    def artist(self) -> np.ndarray:
        return self.engine.recommender.artist_code_

    @property
    def ids(self) -> Sequence[str]:
        return self.engine.table.ids


def _popularity_order(values: np.ndarray) -> np.ndarray:
    idx = np.arange(values.shape[0])
    return order(np.nan_to_num(values.astype(np.float64), nan=-1.0), descending=True, key=idx)


def build_context(
    model: MoodModel, members: dict[str, np.ndarray], tuning: Sequence[str], n: int = N
) -> Context:
    """The methods' shared state; the co-occurrence and playlist popularity from ``tuning`` only."""
    engine = Engine(model)
    n_songs = engine.n_songs
    # the engine's own co-occurrence is built from every playlist, held-out ones too: no
    # method may see it (the blends below use the tuning-only one they are given)
    engine.cooc = CoOccurrence.empty_for(n_songs)
    counts = np.zeros(n_songs)
    for p in tuning:
        counts[members[p]] += 1
    pop = _popularity_order(np.asarray(engine.recommender.popularity_, dtype=np.float64))
    # most frequent in tuning playlists, then the catalog's popularity
    rank_in_pop = np.empty(n_songs, dtype=np.int64)
    rank_in_pop[pop] = np.arange(n_songs)
    tuning_pop = np.lexsort((rank_in_pop, -counts))
    return Context(
        engine=engine,
        study=Recommender(model, artist_weight=0.0, table=engine.table),
        unit_rows=np.asarray(model.unit_vectors_, dtype=np.float64),
        order_rows=np.asarray(model.order_),
        popular_order=pop,
        tuning_popular_order=tuning_pop,
        cooc=CoOccurrence.build({p: members[p] for p in tuning}, n_songs),
        n=n,
    )


def _slack(ctx: Context) -> int:
    """Raw ranking length: room for the rules to drop seeds, copies and capped artists."""
    return 3 * ctx.n + 50


def m_random(ctx: Context, task: Task) -> list[int]:
    rng = np.random.default_rng(zlib.crc32(f"random:{task.playlist}:{len(task.seeds)}".encode()))
    return rng.choice(ctx.engine.n_songs, size=min(_slack(ctx), ctx.engine.n_songs), replace=False).tolist()


def m_popular(ctx: Context, task: Task) -> list[int]:
    return ctx.popular_order[: _slack(ctx)].tolist()


def m_popular_playlists(ctx: Context, task: Task) -> list[int]:
    return ctx.tuning_popular_order[: _slack(ctx)].tolist()


def m_study(ctx: Context, task: Task) -> list[int]:
    return [i for i, _ in ctx.study.recommend(task.seeds[0], _slack(ctx), per_artist=0)]


def m_global_mean(ctx: Context, task: Task) -> list[int]:
    rows = ctx.engine.model.row_of_song_[np.asarray(task.seeds)]
    q = ctx.unit_rows[rows].mean(axis=0)
    sims = ctx.unit_rows @ q
    best = top(sims, _slack(ctx), descending=True, key=ctx.order_rows)
    return ctx.order_rows[best].tolist()


def m_recommend(ctx: Context, task: Task) -> list[int]:
    return [i for i, _ in ctx.engine.recommender.recommend(task.seeds[0], _slack(ctx), per_artist=0)]


def recommend_blend(ctx: Context, seed: int, co: CoOccurrence, weight: float, size: int) -> list[int]:
    """Recommend's audio ranking from one seed plus its co-occurring songs (any mood),
    re-ranked by audio + weight * co-occurrence: engine.cooccur.blend_recommend, as
    Engine.recommend blends (there over a smaller pool, one page at a time)."""
    found = ctx.engine.recommender.recommend(seed, size, per_artist=0)
    if weight <= 0:
        return [i for i, _ in found]
    ranked = blend_recommend(
        found, co.scores([seed]), lambda extra: ctx.taste.similarity([seed], extra)[0], weight
    )
    return [b.song for b in ranked]


def foryou_blend(
    ctx: Context, seeds: Sequence[int], co: CoOccurrence | None, weight: float, size: int
) -> list[int]:
    """For-you with the seeds as likes (newest first = the order given), co-occurrence
    merged into ``collab`` as Engine.foryou merges it with server co-likes (engine.cooccur.merge_collab)."""
    taste = ctx.taste
    profile = taste.profile(list(seeds))
    collab: dict[int, float] = {}
    evidence = 0.0
    if co is not None and weight > 0:
        collab, evidence, _ = merge_collab({}, 0.0, co.scores(seeds), weight)
    picks = taste.foryou(profile, size, collab=collab, evidence=evidence, per_artist=0)
    return [p.index for p in picks]


def m_recommend_cooc(ctx: Context, task: Task) -> list[int]:
    return recommend_blend(ctx, task.seeds[0], ctx.cooc, ctx.weights.get("recommend_cooc", 0.0), _slack(ctx))


def m_foryou(ctx: Context, task: Task) -> list[int]:
    return foryou_blend(ctx, task.seeds, None, 0.0, _slack(ctx))


def m_foryou_cooc(ctx: Context, task: Task) -> list[int]:
    return foryou_blend(ctx, task.seeds, ctx.cooc, ctx.weights.get("foryou_cooc", 0.0), _slack(ctx))


def m_playlist(ctx: Context, task: Task) -> list[int]:
    ids = ctx.ids
    made = ctx.engine.playlist("foryou", PLAYLIST_LENGTH, liked_ids=[ids[i] for i in task.seeds])
    return [s.index for s in made.songs]


def m_cooc(ctx: Context, task: Task) -> list[int]:
    found = ctx.cooc.ranked(task.seeds, _slack(ctx))
    return found + ctx.tuning_popular_order[: _slack(ctx)].tolist()


METHOD_FUNCS: dict[str, Callable[[Context, Task], list[int]]] = {
    "random": m_random,
    "popular": m_popular,
    "popular_playlists": m_popular_playlists,
    "study": m_study,
    "global_mean": m_global_mean,
    "recommend": m_recommend,
    "foryou": m_foryou,
    "playlist": m_playlist,
    "cooc": m_cooc,
    "recommend_cooc": m_recommend_cooc,
    "foryou_cooc": m_foryou_cooc,
}


def list_length(method: str, n: int) -> int:
    return min(n, PLAYLIST_LENGTH) if method == "playlist" else n


def run_method(ctx: Context, method: str, task: Task) -> list[int]:
    """One method's continuation under the common rules."""
    raw = METHOD_FUNCS[method](ctx, task)
    return finish(raw, task.seeds, list_length(method, ctx.n), ctx.group, ctx.artist)


# -- evaluation ------------------------------------------------------------------------------
def sound_closeness(ctx: Context, seed: int, picks: Sequence[int]) -> float:
    """Mean cosine of the picks to the seed on Clusterfy's ranking vectors (song + artist
    sound): what "% similar" shows a member."""
    if not picks:
        return math.nan
    return float(ctx.taste.similarity([seed], list(picks))[0].mean())


def evaluate(
    ctx: Context, tasks: Sequence[Task], methods: Sequence[str], say: Callable[[str], None] = lambda _m: None
) -> dict[str, dict[str, np.ndarray]]:
    """Per method and measure, one value per task (NaN where the measure is undefined)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for method in methods:
        t0 = time.perf_counter()
        rows = []
        for t in tasks:
            ranked = run_method(ctx, method, t)
            row = task_measures(ranked, t, ctx.artist, ctx.n)
            row["sim10"] = sound_closeness(ctx, t.seeds[0], ranked[:PAGE])
            rows.append(row)
        out[method] = {m: np.asarray([r[m] for r in rows], dtype=np.float64) for m in METRICS}
        say(f"  {method}: {len(tasks)} tasks in {time.perf_counter() - t0:.1f} s")
    return out


def bootstrap(
    values: dict[str, dict[str, np.ndarray]],
    reps: int,
    rng: np.random.Generator,
    pairs: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """Means with 95% intervals over playlists, and paired differences for ``pairs``
    (the same resamples for every method; a measure's undefined playlists are left out of
    every method's mean, so the differences stay paired)."""
    methods = list(values)
    m_tasks = next(iter(values.values()))["ndcg"].shape[0]
    idx = rng.integers(0, m_tasks, size=(reps, m_tasks))
    counts = np.zeros((reps, m_tasks))
    np.add.at(counts, (np.repeat(np.arange(reps), m_tasks), idx.ravel()), 1.0)
    table: dict[str, dict[str, Interval]] = {m: {} for m in methods}
    boots: dict[str, dict[str, np.ndarray]] = {m: {} for m in methods}
    for metric in METRICS:
        ok = np.all([np.isfinite(values[m][metric]) for m in methods], axis=0)
        w = counts[:, ok]
        for m in methods:
            v = values[m][metric][ok]
            boots[m][metric] = (w @ v) / np.maximum(w.sum(axis=1), 1.0)
            table[m][metric] = _summary(
                float(v.mean()) if v.size else math.nan, boots[m][metric], int(ok.sum())
            )
    diffs: dict[str, dict[str, Interval]] = {}
    for a, b in pairs:
        if a not in values or b not in values:
            continue
        name = f"{a} - {b}"
        diffs[name] = {}
        for metric in METRICS:
            point = table[a][metric]["mean"] - table[b][metric]["mean"]
            s = _summary(point, boots[a][metric] - boots[b][metric], table[a][metric]["n"])
            verdict = _verdict("similarity" if metric in NEUTRAL else "ndcg", s["lo"], s["hi"])
            if metric in LOWER_IS_BETTER and verdict != "tie":
                verdict = "win" if verdict == "loss" else "loss"
            s["verdict"] = verdict
            diffs[name][metric] = s
    return {"methods": table, "differences": diffs}


def tasks_for(
    members: dict[str, np.ndarray], playlists: Sequence[str], k: int, group: np.ndarray
) -> list[Task]:
    return [make_task(p, members[p], k, group) for p in playlists]


def scan_weights(
    ctx: Context,
    members: dict[str, np.ndarray],
    split: Split,
    seed_counts: Sequence[int],
    grid: Sequence[float],
    max_playlists: int,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The co-occurrence weight of each blend, chosen on tuning playlists: co-occurrence of
    tuning half A, NDCG (mean over seed counts) on up to ``max_playlists`` of half B."""
    co_a = CoOccurrence.build({p: members[p] for p in split.tune_a}, ctx.engine.n_songs)
    scored = list(split.tune_b[:max_playlists])
    blends: dict[str, Callable[[Task, float], list[int]]] = {
        "recommend_cooc": lambda t, w: recommend_blend(ctx, t.seeds[0], co_a, w, _slack(ctx)),
        "foryou_cooc": lambda t, w: foryou_blend(ctx, t.seeds, co_a, w, _slack(ctx)),
    }
    result: dict[str, Any] = {"playlists_a": len(split.tune_a), "playlists_b_scored": len(scored), "scan": {}}
    for name, fn in blends.items():
        means: dict[float, float] = {}
        for w in grid:
            per_k = []
            for k in seed_counts:
                vals = [
                    task_measures(
                        finish(fn(t, w), t.seeds, ctx.n, ctx.group, ctx.artist), t, ctx.artist, ctx.n
                    )[OBJECTIVE]
                    for t in tasks_for(members, scored, k, ctx.group)
                ]
                per_k.append(float(np.nanmean(vals)))
            means[w] = float(np.mean(per_k))
            say(f"  scan {name} weight {w:g}: {OBJECTIVE} {means[w]:.4f}")
        best = max(grid, key=lambda w: (round(means[w], 6), -w))
        result["scan"][name] = {"grid": {str(w): v for w, v in means.items()}, "chosen": best}
        ctx.weights[name] = best
    return result


# -- report ----------------------------------------------------------------------------------
def _cell(x: Interval, digits: int = 3) -> str:
    return f"{x['mean']:.{digits}f} ({x['lo']:.{digits}f}–{x['hi']:.{digits}f})"


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"Playlist continuation: {result['n_held']} held-out playlists (of {result['n_eligible']} with "
        f">= {MIN_SONGS} songs; {result['n_tuning']} tuning), lists of {result['n']}, "
        f"<= {CAP} per artist per page of {PAGE}; 95% bootstrap intervals over playlists.",
    ]
    scan = result.get("scan", {}).get("scan", {})
    for name, s in scan.items():
        grid = ", ".join(f"{w}: {v:.4f}" for w, v in s["grid"].items())
        lines.append(f"weight scan {name} (tuning half B, {OBJECTIVE}): {grid} -> {s['chosen']}")
    cols = METRICS
    for k, res in result["by_seeds"].items():
        lines.append("")
        lines.append(f"## {k} seed(s)")
        lines.append("| method | " + " | ".join(cols) + " |")
        lines.append("|---" * (len(cols) + 1) + "|")
        for m, row in res["methods"].items():
            digits = {c: (2 if "clicks" in c else 3) for c in cols}
            lines.append(
                f"| {METHOD_LABELS.get(m, m)} | " + " | ".join(_cell(row[c], digits[c]) for c in cols) + " |"
            )
        lines.append("")
        for name, d in res["differences"].items():
            parts = [
                f"{c} {d[c]['mean']:+.3f} ({d[c]['lo']:+.3f} to {d[c]['hi']:+.3f}) {d[c]['verdict']}"
                for c in ("r_prec", "ndcg", "clicks", "new_ndcg")
            ]
            lines.append(f"- {name}: " + "; ".join(parts))
    return "\n".join(lines)


# -- run -------------------------------------------------------------------------------------
def run(
    model: MoodModel,
    *,
    playlists_column: Sequence[Sequence[str]] | None = None,
    n: int = N,
    seed_counts: Sequence[int] = SEED_COUNTS,
    methods: Sequence[str] = METHODS,
    reps: int = 2000,
    split_seed: int = 0,
    grid: Sequence[float] = WEIGHT_GRID,
    scan_playlists: int = 80,
    max_held: int | None = None,
    min_songs: int = MIN_SONGS,
    say: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """The whole benchmark on a fitted model whose songs carry ``playlists`` (or the given
    per-song column of playlist ids)."""
    column = list(playlists_column) if playlists_column is not None else model.songs_["playlists"].tolist()
    members = playlist_members(column)
    split = split_playlists(members, split_seed, min_songs)
    ctx = build_context(model, members, split.tuning, n)
    say(f"{len(split.tuning)} tuning and {len(split.held)} held-out playlists")
    scan = (
        scan_weights(ctx, members, split, seed_counts, grid, scan_playlists, say)
        if any(m.endswith("_cooc") for m in methods)
        else {}
    )
    held = list(split.held[:max_held] if max_held else split.held)
    rng = np.random.default_rng(12345)
    by_seeds: dict[str, Any] = {}
    for k in seed_counts:
        say(f"{k} seed(s):")
        tasks = tasks_for(members, held, k, ctx.group)
        values = evaluate(ctx, tasks, methods, say)
        by_seeds[str(k)] = bootstrap(values, reps, rng, PAIRS)
    return {
        "n": n,
        "split_seed": split_seed,
        "n_eligible": len(split.tuning) + len(split.held),
        "n_tuning": len(split.tuning),
        "n_held": len(held),
        "tuning_playlists": list(split.tuning),
        "held_playlists": held,
        "weights": dict(ctx.weights),
        "scan": scan,
        "by_seeds": by_seeds,
    }


def _default_model(path: str | None) -> MoodModel:
    from engine.paths import DEFAULT_CATALOG
    from engine.storage.model_cache import obtain_model

    return obtain_model(DEFAULT_CATALOG, model_path=Path(path) if path else None, progress=lambda _m: None)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks playlists", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="a saved model of the default catalog (built and cached if absent)")
    ap.add_argument("--n", type=int, default=N, help="songs per continuation (default 500)")
    ap.add_argument("--seeds", default=",".join(map(str, SEED_COUNTS)), help="seed counts, e.g. 1,5,10")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--reps", type=int, default=2000, help="bootstrap resamples")
    ap.add_argument("--split-seed", type=int, default=0)
    ap.add_argument("--scan-playlists", type=int, default=80, help="tuning half-B playlists the scan scores")
    ap.add_argument("--max-held", type=int, default=None, help="score only the first N held-out playlists")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    def say(m: str) -> None:
        print(m, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    model = _default_model(args.model)
    result = run(
        model,
        n=args.n,
        seed_counts=[int(x) for x in args.seeds.split(",") if x.strip()],
        methods=[m for m in args.methods.split(",") if m],
        reps=args.reps,
        split_seed=args.split_seed,
        scan_playlists=args.scan_playlists,
        max_held=args.max_held,
        say=say,
    )
    result["seconds"] = time.perf_counter() - t0
    if args.json:
        print(json.dumps(json_safe(result), indent=1))
    else:
        print(format_report(result))
        print(f"\n({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
