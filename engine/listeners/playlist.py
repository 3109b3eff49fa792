"""Playlists: choose songs, order them for smooth transitions, export them.

Pure numpy (never imports discord). Ordering works on the songs' standardised audio
features (z-scores of tempo, energy, valence, ...), because a transition is heard in
those numbers, not in the artist's overall sound the recommender also uses:

1. greedy nearest neighbour from the first song (the seed stays first);
2. 2-opt on the open path: reverse any stretch whose reversal shortens the total
   distance, until no reversal helps (a journey keeps both ends fixed);
3. no artist twice in a row: a song that follows its own artist is swapped with the
   nearest position where the swap breaks no other pair, choosing the cheapest swap.

The selection itself caps every artist at ``PER_ARTIST`` songs.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..links import listen_url
from ..results import Playlist
from ..stable_order import rounded
from ..text import fold

#: Default, and largest, playlist length.
DEFAULT_LENGTH = 15
MAX_LENGTH = 50
#: Songs by one artist in one playlist.
PER_ARTIST = 2
#: 2-opt passes at most (each is O(n^2) on <= 50 songs; it converges in a few).
MAX_2OPT_PASSES = 20


@dataclass(frozen=True)
class PlaylistSong:
    """One entry of an exported playlist (plain values, so it can be stored and rebuilt)."""

    id: str
    title: str
    artist: str
    duration_s: int
    features: dict[str, float]


def path_length(z: np.ndarray, order: Sequence[int]) -> float:
    """Total feature distance of consecutive songs along ``order``."""
    if len(order) < 2:
        return 0.0
    pts = z[np.asarray(order)]
    return float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())


def mean_step(z: np.ndarray, order: Sequence[int]) -> float:
    """Mean feature distance between consecutive songs (the smoothness figure)."""
    return path_length(z, order) / max(1, len(order) - 1)


def order_smoothly(z: np.ndarray, artists: Sequence[int], *, fix_last: bool = False) -> list[int]:
    """Positions 0..n-1 of the rows of ``z`` in a smooth order starting at row 0.

    ``fix_last`` keeps row n-1 last (a journey's destination).
    """
    n = z.shape[0]
    if n <= 2:
        return list(range(n))
    # rounded (engine.stable_order): the greedy choice and the 2-opt swaps compare these
    dist = rounded(np.linalg.norm(z[:, None, :] - z[None, :, :], axis=2))
    last = n - 1 if fix_last else None
    order = [0]
    left = set(range(1, n)) - ({last} if last is not None else set())
    while left:
        cur = order[-1]
        nxt = min(left, key=lambda j: (dist[cur, j], j))
        order.append(nxt)
        left.remove(nxt)
    if last is not None:
        order.append(last)
    order = _two_opt(order, dist, fix_last)
    return _separate_artists(order, dist, list(artists), fix_last)


def _two_opt(order: list[int], dist: np.ndarray, fix_last: bool) -> list[int]:
    n = len(order)
    end = n - 1 if fix_last else n
    for _ in range(MAX_2OPT_PASSES):
        improved = False
        for i in range(1, end - 1):
            for j in range(i + 1, end):
                a, b = order[i - 1], order[i]
                c = order[j]
                d = order[j + 1] if j + 1 < n else None
                before = dist[a, b] + (dist[c, d] if d is not None else 0.0)
                after = dist[a, c] + (dist[b, d] if d is not None else 0.0)
                if after < before - 1e-9:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
        if not improved:
            break
    return order


def _cost(order: list[int], dist: np.ndarray) -> float:
    return float(sum(dist[order[i], order[i + 1]] for i in range(len(order) - 1)))


def _adjacent_same(order: list[int], artists: list[int]) -> list[int]:
    return [i for i in range(1, len(order)) if artists[order[i]] == artists[order[i - 1]]]


def _separate_artists(order: list[int], dist: np.ndarray, artists: list[int], fix_last: bool) -> list[int]:
    """Swap songs until no artist plays twice in a row (cheapest fixing swap each time)."""
    n = len(order)
    for _ in range(n * 2):
        bad = _adjacent_same(order, artists)
        if not bad:
            return order
        i = bad[0]
        count = len(bad)
        best: tuple[float, list[int]] | None = None
        for j in range(1, n - (1 if fix_last else 0)):
            if j == i:
                continue
            trial = order.copy()
            trial[i], trial[j] = trial[j], trial[i]
            if len(_adjacent_same(trial, artists)) < count:
                c = _cost(trial, dist)
                if best is None or c < best[0]:
                    best = (c, trial)
        if best is None:
            break  # cannot be fixed (an artist holds most of a tiny list)
        order = best[1]
    return order


def cap_artists(indices: Sequence[int], artist_code: np.ndarray, n: int, cap: int = PER_ARTIST) -> list[int]:
    """The first ``n`` of ``indices`` (ranked candidates) with at most ``cap`` songs per artist."""
    counts: dict[int, int] = {}
    out: list[int] = []
    for i in indices:
        a = int(artist_code[i])
        if counts.get(a, 0) < cap:
            counts[a] = counts.get(a, 0) + 1
            out.append(int(i))
            if len(out) == n:
                break
    return out


def playlist_files(playlist: Playlist) -> dict[str, str]:
    """The playlist as ``.m3u`` and ``.csv`` text, keyed by a file name safe on every system."""
    rows = [
        PlaylistSong(
            s.id,
            s.name,
            s.artist,
            int(round(s.features.get("duration_ms", 0) / 1000))
            if math.isfinite(s.features.get("duration_ms", 0))
            else 0,
            s.features,
        )
        for s in playlist.songs
    ]
    stem = re.sub(r"[^a-z0-9]+", "-", fold(playlist.title)).strip("-")[:40] or "playlist"
    return {f"clusterfy-{stem}.m3u": to_m3u(playlist.title, rows), f"clusterfy-{stem}.csv": to_csv(rows)}


def to_m3u(name: str, songs: Sequence[PlaylistSong]) -> str:
    """Extended M3U: one #EXTINF line (seconds, "Artist - Title") and a link per song."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(name)}"]
    for s in songs:
        lines.append(f"#EXTINF:{int(s.duration_s)},{_one_line(s.artist)} - {_one_line(s.title)}")
        lines.append(listen_url(s.id, s.title, s.artist))
    return "\n".join(lines) + "\n"


def to_csv(songs: Sequence[PlaylistSong]) -> str:
    """CSV with position, id, title, artist, link and every audio feature."""
    feats = list(songs[0].features) if songs else []
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["position", "id", "title", "artist", "link", *feats])
    for pos, s in enumerate(songs, 1):
        w.writerow(
            [
                pos,
                s.id,
                _cell(s.title),
                _cell(s.artist),
                listen_url(s.id, s.title, s.artist),
                *(f"{s.features.get(f, float('nan')):.6g}" for f in feats),
            ]
        )
    return out.getvalue()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    t = _one_line(text)
    return "'" + t if t[:1] in ("=", "+", "-", "@") else t
