"""Offline evaluation of "for you", the hybrid, playlists' smoothness, and their speed.

Simulated listeners are drawn from the real bundled catalog (3,242 songs, single-genre
artists): each likes songs of one to three tastes (a taste is a genre or an artist with
enough songs); a fifth of each listener's likes is hidden, the rest are their 👍 in a
random order (the order is their recency). Every method gives 10 songs, never a visible
like; a hit is a hidden like in them.

- ``popular``          most popular songs of the catalog;
- ``random_clusters``  random songs of the liked songs' mood clusters (in proportion);
- ``study_last``       the study's way from the last liked song (its cluster, cosine);
- ``global_mean``      nearest neighbours (all clusters) of the mean liked song;
- ``foryou``           the engine's ``TasteModel.foryou`` (audio only).

Metrics: hit-rate@10 (share of listeners with at least one hidden like in the 10) and
nDCG@10 (binary relevance, ideal = all hidden likes first).

Tuning and reporting rows: listeners with an even number are the *tuning* half (the
constants TAU and FORYOU_PER_ARTIST were chosen on them, see ``--tune``); the tables
report the *odd* half only. Servers likewise: even servers tune HYBRID_WEIGHT and
EVIDENCE_K, odd servers are reported.

Hybrid: simulated servers of 3 taste groups x 6 members; a group shares a canon of 40
songs of one or two genres and each member likes 15 of them. Each member is scored with
audio-only ``foryou`` and with the co-likes of the other members' visible likes.

    python -m benchmarks.foryou_eval [--listeners 600] [--servers 40] [--tune] [--speed]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Collection, Sequence

import numpy as np

from engine.catalog import load_catalog
from engine.listeners import taste as taste_mod
from engine.listeners.playlist import mean_step
from engine.listeners.taste import TasteModel, collaborative
from engine.model import MoodModel
from engine.paths import STUDY_SAMPLE_FILE
from engine.service import Engine

K = 10
#: One simulated listener: (visible likes in recency order, hidden likes to find).
Listener = tuple[list[int], set[int]]


# ------------------------------------------------------------------------- listeners
def tastes(engine: Engine) -> list[np.ndarray]:
    """Candidate tastes: genres with >= 15 songs and artists with >= 10 songs."""
    by_genre: dict[str, list[int]] = {}
    by_artist: dict[str, list[int]] = {}
    for i, (genres, artist) in enumerate(zip(engine.table.genres, engine.table.artists)):
        for g in genres:
            by_genre.setdefault(g, []).append(i)
        by_artist.setdefault(artist, []).append(i)
    out = [np.asarray(v) for v in by_genre.values() if len(v) >= 15]
    out += [np.asarray(v) for v in by_artist.values() if len(v) >= 10]
    return out


def make_listeners(engine: Engine, n: int, seed: int = 0) -> list[Listener]:
    """(visible likes in recency order, hidden likes) per simulated listener."""
    rng = np.random.default_rng(seed)
    pool = tastes(engine)
    out: list[Listener] = []
    for _ in range(n):
        chosen = rng.choice(len(pool), size=int(rng.integers(1, 4)), replace=False)
        liked: set[int] = set()
        for t in chosen:
            songs = pool[t]
            take = min(len(songs), int(rng.integers(6, 16)))
            liked |= set(rng.choice(songs, size=take, replace=False).tolist())
        liked_list = rng.permutation(sorted(liked)).tolist()
        n_hidden = max(1, round(len(liked_list) / 5))
        out.append((liked_list[n_hidden:], set(liked_list[:n_hidden])))
    return out


# --------------------------------------------------------------------------- methods
class Methods:
    """The baselines and ours over one engine; each returns K indices."""

    def __init__(self, engine: Engine, seed: int = 0) -> None:
        self.e = engine
        self.t = TasteModel(engine.recommender)
        self.rng = np.random.default_rng(seed)
        rec = engine.recommender
        self.unit = np.asarray(engine.model.unit_vectors_, dtype=np.float64)[rec._row_of]  # by index
        self.labels = np.asarray(engine.model.labels_)
        self.pop_order = np.argsort(-np.nan_to_num(rec.popularity_, nan=-1), kind="stable")

    @staticmethod
    def _top(scores: np.ndarray, banned: set[int]) -> list[int]:
        order = np.argsort(-scores, kind="stable")
        return [int(i) for i in order[: K + len(banned) + 1] if int(i) not in banned][:K]

    def popular(self, visible: list[int]) -> list[int]:
        banned = set(visible)
        return [int(i) for i in self.pop_order[: K + len(banned)] if int(i) not in banned][:K]

    def random_clusters(self, visible: list[int]) -> list[int]:
        banned = set(visible)
        clusters = self.labels[visible]
        out: list[int] = []
        while len(out) < K:
            c = clusters[self.rng.integers(len(clusters))]
            members = np.flatnonzero(self.labels == c)
            i = int(members[self.rng.integers(len(members))])
            if i not in banned and i not in out:
                out.append(i)
        return out

    def study_last(self, visible: list[int]) -> list[int]:
        last = visible[0]  # newest first
        members = np.flatnonzero(self.labels == self.labels[last])
        scores = np.full(self.labels.shape[0], -np.inf)
        scores[members] = self.unit[members] @ self.unit[last]
        return self._top(scores, set(visible))

    def global_mean(self, visible: list[int]) -> list[int]:
        mean = self.unit[visible].mean(axis=0)
        return self._top(self.unit @ mean, set(visible))

    def foryou(self, visible: list[int]) -> list[int]:
        profile = self.t.profile(visible)
        return [
            p.index
            for p in self.t.foryou(profile, K, exclude=visible, per_artist=taste_mod.FORYOU_PER_ARTIST)
        ]


def metrics(picks: list[int], hidden: set[int]) -> tuple[float, float]:
    hits = [1.0 if i in hidden else 0.0 for i in picks[:K]]
    dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits))
    ideal = sum(1 / math.log2(r + 2) for r in range(min(len(hidden), K)))
    return float(any(hits)), dcg / ideal if ideal else 0.0


def evaluate(listeners: Sequence[Listener], method: Callable[[list[int]], list[int]]) -> tuple[float, float]:
    scores = np.asarray([metrics(method(v), h) for v, h in listeners])
    return float(scores[:, 0].mean()), float(scores[:, 1].mean())


# ------------------------------------------------------------------------------ hybrid
def make_servers(engine: Engine, n: int, seed: int = 1) -> list[list[Listener]]:
    """Servers of 3 groups x 6 members sharing a canon; returns per server a list of
    (visible, hidden) per member."""
    rng = np.random.default_rng(seed)
    by_genre: dict[str, list[int]] = {}
    for i, genres in enumerate(engine.table.genres):
        for g in genres:
            by_genre.setdefault(g, []).append(i)
    genre_songs = [np.asarray(v) for v in by_genre.values() if len(v) >= 20]
    servers: list[list[Listener]] = []
    for _ in range(n):
        members: list[Listener] = []
        for g in rng.choice(len(genre_songs), size=3, replace=False):
            songs = genre_songs[g]
            if rng.random() < 0.5:
                songs = np.union1d(songs, genre_songs[rng.integers(len(genre_songs))])
            canon = rng.choice(songs, size=min(40, len(songs)), replace=False)
            for _ in range(6):
                liked = rng.choice(canon, size=min(15, len(canon)), replace=False).tolist()
                members.append((liked[3:], set(liked[:3])))
        servers.append(members)
    return servers


def evaluate_hybrid(
    methods: Methods, servers: Sequence[Sequence[Listener]], hybrid: bool
) -> tuple[float, float]:
    rows = []
    for members in servers:
        for m, (visible, hidden) in enumerate(members):
            profile = methods.t.profile(visible)
            collab: dict[int, float] = {}
            evidence = 0.0
            if hybrid:
                # the other members' likes (the simulation has no dislikes)
                others: dict[object, tuple[Collection[int], Collection[int]]] = {
                    o: (v, []) for o, (v, _) in enumerate(members) if o != m
                }
                collab, evidence = collaborative(profile.anchors.tolist(), others)
            picks = [
                p.index
                for p in methods.t.foryou(profile, K, exclude=visible, collab=collab, evidence=evidence)
            ]
            rows.append(metrics(picks, hidden))
    a = np.asarray(rows)
    return float(a[:, 0].mean()), float(a[:, 1].mean())


# ---------------------------------------------------------------------------- playlists
def smoothness(engine: Engine, n_seeds: int, seed: int = 2) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    rec = engine.recommender
    got: dict[str, list[float]] = {"ours": [], "random order": [], "by similarity to seed": []}
    for s in rng.choice(engine.n_songs, size=n_seeds, replace=False).tolist():
        try:
            pl = engine.playlist(engine.table.ids[s], 15)
        except Exception:  # noqa: BLE001 - a seed whose cluster is too small
            continue
        z = rec.standardised([x.index for x in pl.songs])
        got["ours"].append(mean_step(z, range(len(z))))
        got["random order"].append(
            float(
                np.mean(
                    [mean_step(z, [0, *rng.permutation(np.arange(1, len(z))).tolist()]) for _ in range(20)]
                )
            )
        )
        got["by similarity to seed"].append(
            mean_step(z, np.argsort(np.linalg.norm(z - z[0], axis=1), kind="stable").tolist())
        )
    return {k: float(np.mean(v)) for k, v in got.items()} | {"playlists": len(got["ours"])}


# ------------------------------------------------------------------------------- speed
def speed(n_songs: int, n_ratings: int = 200, calls: int = 30) -> dict[str, tuple[float, float]]:
    """p50 wall and p50 CPU milliseconds (of the calling thread) per operation.

    The CPU figure barely moves with the machine's load (these requests run their small
    matrix products on the calling thread, see engine.listeners.taste.single_threaded_blas), so it
    is the one to compare between runs on a shared machine.
    """
    from benchmarks.synthetic import make_catalog

    songs = make_catalog(n_songs, seed=0)
    engine = Engine(MoodModel(4).fit(songs, progress=lambda _m: None))
    rng = np.random.default_rng(3)
    ids = engine.table.ids
    liked = [ids[i] for i in rng.choice(engine.n_songs, size=int(n_ratings * 0.7), replace=False)]
    disliked = [ids[i] for i in rng.choice(engine.n_songs, size=n_ratings - len(liked), replace=False)]
    shown = [ids[i] for i in rng.choice(engine.n_songs, size=500, replace=False)]
    engine.foryou(liked, 10, disliked_ids=disliked, exclude_ids=shown)  # warm up
    out: dict[str, tuple[float, float]] = {}
    for name, fn in {
        "foryou 10": lambda: engine.foryou(liked, 10, disliked_ids=disliked, exclude_ids=shown),
        "playlist 15 from a song": lambda: engine.playlist(
            ids[int(rng.integers(len(ids)))], 15, liked_ids=liked, disliked_ids=disliked
        ),
        "playlist 15 foryou": lambda: engine.playlist("foryou", 15, liked_ids=liked, disliked_ids=disliked),
        "playlist 15 journey": lambda: engine.playlist(
            f"{ids[int(rng.integers(len(ids)))]} -> {ids[int(rng.integers(len(ids)))]}", 15
        ),
    }.items():
        wall, cpu = [], []
        for _ in range(calls):
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        out[name] = (float(np.median(wall)), float(np.median(cpu)))
    return out


# -------------------------------------------------------------------------------- main
def table(rows: dict[str, tuple[float, float]]) -> str:
    lines = ["| method | hit-rate@10 | nDCG@10 |", "|---|---|---|"]
    lines += [f"| {k} | {h:.3f} | {d:.3f} |" for k, (h, d) in rows.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.foryou_eval", description=__doc__.split("\n")[0])
    ap.add_argument("--listeners", type=int, default=600)
    ap.add_argument("--servers", type=int, default=40)
    ap.add_argument("--playlists", type=int, default=100)
    ap.add_argument("--tune", action="store_true", help="grid-search the constants on the tuning half")
    ap.add_argument(
        "--speed",
        type=int,
        default=0,
        metavar="SONGS",
        help="also time foryou and playlist at this catalog size (e.g. 100000)",
    )
    args = ap.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.WARNING)

    songs, _ = load_catalog(STUDY_SAMPLE_FILE)
    engine = Engine(MoodModel(4).fit(songs, progress=lambda _m: None))
    methods = Methods(engine)
    listeners = make_listeners(engine, args.listeners)
    tune_rows, report_rows = listeners[0::2], listeners[1::2]
    servers = make_servers(engine, args.servers)
    tune_servers, report_servers = servers[0::2], servers[1::2]

    if args.tune:
        print("tuning on the even listeners (TAU x FORYOU_PER_ARTIST):")
        for tau in (0.01, 0.02, 0.03, 0.05, 0.1):
            for cap in (2, 3, 0):
                taste_mod.TAU, taste_mod.FORYOU_PER_ARTIST = tau, cap
                h, d = evaluate(tune_rows, methods.foryou)
                print(f"  TAU={tau:<5} cap={cap}: hit {h:.3f} nDCG {d:.3f}")
        print("tuning on the even servers (HYBRID_WEIGHT x EVIDENCE_K):")
        for w in (0.5, 1.0, 2.0):
            for evidence_k in (1.0, 3.0, 10.0):
                taste_mod.HYBRID_WEIGHT, taste_mod.EVIDENCE_K = w, evidence_k
                h, d = evaluate_hybrid(methods, tune_servers, True)
                print(f"  w={w} k={evidence_k}: hit {h:.3f} nDCG {d:.3f}")
        return 0

    print(
        f"for you on {len(report_rows)} reported listeners (odd rows; constants tuned on the "
        f"{len(tune_rows)} even ones), bundled catalog of {engine.n_songs:,} songs"
    )
    rows = {
        name: evaluate(report_rows, getattr(methods, name))
        for name in ("popular", "random_clusters", "study_last", "global_mean", "foryou")
    }
    print(table(rows))
    best_baseline = max(v for k, v in rows.items() if k != "foryou")
    beats = all(rows["foryou"][j] > max(v[j] for k, v in rows.items() if k != "foryou") for j in (0, 1))
    print(f"foryou beats every baseline on both metrics: {beats} (best baseline {best_baseline})")

    audio = evaluate_hybrid(methods, report_servers, False)
    hybrid = evaluate_hybrid(methods, report_servers, True)
    print(f"\nhybrid on {len(report_servers)} reported servers (odd; 18 members each)")
    print(table({"foryou, audio only": audio, "foryou, hybrid (co-likes)": hybrid}))
    print(f"hybrid beats audio-only: {hybrid[0] > audio[0] and hybrid[1] > audio[1]}")

    sm = smoothness(engine, args.playlists)
    print(
        f"\nplaylist smoothness over {sm.pop('playlists')} song playlists of 15 "
        "(mean feature distance between consecutive songs, z units; lower is smoother)"
    )
    print("| order | mean step |\n|---|---|")
    for k, v in sm.items():
        print(f"| {k} | {v:.3f} |")

    if args.speed:
        load = os.getloadavg()[0]
        print(f"\nspeed at {args.speed:,} songs, member with 200 ratings (load average {load:.1f})")
        print("| operation | p50 wall | p50 CPU |\n|---|---|---|")
        for k, (wall_ms, cpu_ms) in speed(args.speed).items():
            print(f"| {k} | {wall_ms:.1f} ms | {cpu_ms:.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
