"""One song, one entry: copies of a song, within a file and across files, become one row.

Public tables list a song several times: once per playlist it is in (TidyTuesday), once
per decade it charted in (Hit Predictor), as single and album release under two ids (the
chart file), and the same song turns up in several files. Copies are found by

* the same Spotify id;
* the same title and first artist after folding, guest credits dropped but version tags
  kept (``Song (feat. X)`` is ``Song``; ``Song - Live`` and ``Song - Remix`` are other
  songs);
* the same recording under another version name: the same title without any tags and
  the same first artist, with every audio feature within 2% of its range (``Song`` and
  ``Song - 2011 Remaster`` sharing one analysis).

Each group becomes one row that keeps the best-known facts of every copy: the id, title,
features and file of the preferred copy (a Spotify id first, then the most popular, then
the earlier file and row), the fullest artist credit, every genre and playlist, the
earliest year, the highest popularity, the streams of every release. A Spotify id that
two rows of one file give to different titles is a source error: the first is kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..features import AUDIO_FEATURES, FEATURE_RANGES
from ..text import artist_key
from .cleaning import DERIVED_ID_PREFIX, MATCH_KEYS, add_match_keys, canonical_columns
from .report import DROP_ID_CONFLICT, MERGE_SAME_ID, MERGE_SAME_RECORDING, MERGE_SAME_SONG, NOTE_REISSUE_YEAR

#: Two copies whose title (all tags dropped) and first artist agree are one recording when
#: every feature differs by at most this share of the feature's range.
SAME_RECORDING_TOLERANCE = 0.02


@dataclass
class MergeResult:
    """The merged table (rows in the order of each group's first row) and what merging did."""

    songs: pd.DataFrame
    #: Rows folded into another row's song, per reason.
    merged: Counter[str]
    #: Rows dropped, per reason (only ids a source gave to two titles).
    dropped: Counter[str]
    #: Merged songs whose facts were reconciled, per note (e.g. a reissue year).
    notes: Counter[str]


def merge_copies(
    songs: pd.DataFrame, file_no: np.ndarray | None = None, features: tuple[str, ...] = AUDIO_FEATURES
) -> MergeResult:
    """``songs`` with every group of copies merged into one row.

    ``file_no`` says which file each row came from (0 for all when None).
    """
    if not set(MATCH_KEYS) <= set(songs.columns):
        songs = songs.copy()
        add_match_keys(songs)
    n = len(songs)
    files = np.zeros(n, dtype=np.int64) if file_no is None else np.asarray(file_no, dtype=np.int64)
    ids = songs["id"].astype(str).to_numpy(dtype=object)
    real_id = ~songs["id"].astype(str).str.startswith(DERIVED_ID_PREFIX).to_numpy()
    pop = songs["popularity"].to_numpy(dtype=float)
    # Preference: a Spotify id, then the most popular (unknown last), then a title without a
    # version tag, then one with its guest credit (as Spotify writes it), then the file by name
    # (not by position: the order files are given in changes nothing) and the row order.
    file_rank = pd.Series(songs["source"].tolist()).rank(method="dense").to_numpy()
    plain = songs["_song"].tolist()  # folded title without guest credits, version tags kept
    tagged = np.array([k != p for k, p in zip(songs["name_key"], plain)], dtype=bool)
    no_guest = ~songs["_guest"].to_numpy(dtype=bool)
    order = np.lexsort(
        (np.arange(n), file_rank, no_guest, tagged, np.where(np.isnan(pop), np.inf, -pop), ~real_id)
    )
    pref = np.empty(n, dtype=np.int64)
    pref[order] = np.arange(n)

    primary = songs["_lead"].tolist()
    bare = songs["name_key"].tolist()  # title with every tag dropped (engine.text.title_key)
    song_title = songs["_song"].tolist()

    # A Spotify id one file gives to two different titles: a source error, the first kept.
    # (Across files the id is the better witness: "If You Leave" and "If You Leave - From
    # 'Pretty In Pink'" with one id are one song, merged below.)
    dropped: Counter[str] = Counter()
    conflict = _id_conflicts(ids, real_id, bare, pref, files)
    dropped[DROP_ID_CONFLICT] = int(conflict.sum())
    alive = np.flatnonzero(~conflict)

    rows_a: list[np.ndarray] = []
    rows_b: list[np.ndarray] = []
    reason_of: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # Derived ids equal only when title and artist fold equal: that is the song key's reason.
    id_keys = np.where(real_id, ids, None)
    for reason, keys in (
        (MERGE_SAME_ID, id_keys),
        (MERGE_SAME_SONG, np.array([f"{t}\x1f{p}" for t, p in zip(song_title, primary)], dtype=object)),
    ):
        a, b = _same_key_pairs(keys[alive], alive)
        reason_of[reason] = (a, b)
        rows_a.append(a)
        rows_b.append(b)
    a, b = _same_recording_pairs(songs, alive, bare, primary, features)
    reason_of[MERGE_SAME_RECORDING] = (a, b)
    rows_a.append(a)
    rows_b.append(b)
    ea, eb = np.concatenate(rows_a), np.concatenate(rows_b)
    graph = coo_matrix((np.ones(len(ea), dtype=np.int8), (ea, eb)), shape=(n, n))
    _, label = connected_components(graph, directed=False)

    group_rows: dict[int, list[int]] = {}
    for row in alive.tolist():
        group_rows.setdefault(int(label[row]), []).append(row)
    merged: Counter[str] = Counter()
    linked = {reason: set(a.tolist()) | set(b.tolist()) for reason, (a, b) in reason_of.items()}
    keep_rows: list[int] = []
    multi: list[list[int]] = []
    for members in group_rows.values():
        if len(members) == 1:
            keep_rows.append(members[0])
            continue
        members.sort(key=lambda r: pref[r])
        keep_rows.append(members[0])
        multi.append(members)
        for row in members[1:]:
            reason = next(
                (r for r in (MERGE_SAME_ID, MERGE_SAME_SONG) if row in linked[r]), MERGE_SAME_RECORDING
            )
            merged[reason] += 1

    out = songs.copy()
    notes = _combine(out, multi, files, pref)
    first_of = {members[0]: min(members) for members in multi}
    keep_rows.sort(key=lambda r: first_of.get(r, r))
    result = out.iloc[keep_rows].reset_index(drop=True)
    return MergeResult(result[[*canonical_columns(features), *MATCH_KEYS]], merged, dropped, notes)


def _id_conflicts(
    ids: np.ndarray, real_id: np.ndarray, bare: list[str], pref: np.ndarray, files: np.ndarray
) -> np.ndarray:
    """Rows whose Spotify id another, preferred row *of the same file* gives to a different title."""
    conflict = np.zeros(len(ids), dtype=bool)
    best: dict[tuple[int, str], int] = {}
    for row in np.argsort(pref, kind="stable").tolist():
        if not real_id[row]:
            continue
        first = best.setdefault((int(files[row]), ids[row]), row)
        if first != row and bare[first] != bare[row]:
            conflict[row] = True
    return conflict


def _same_key_pairs(keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining each row to the first row with the same key (a star per group; None: no key)."""
    codes, _ = pd.factorize(pd.Series(keys, dtype=object))  # None -> -1
    valid = codes >= 0
    positions = np.arange(len(codes))
    first = np.full(len(codes), -1, dtype=np.int64)
    if valid.any():
        first[valid] = pd.Series(positions[valid]).groupby(codes[valid]).transform("min").to_numpy()
    link = valid & (first != positions)
    return rows[link], rows[first[link]]


def _same_recording_pairs(
    songs: pd.DataFrame, rows: np.ndarray, bare: list[str], primary: list[str], features: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Edges between rows of the same bare title and first artist whose features agree."""
    keys = pd.Series([f"{bare[r]}\x1f{primary[r]}" for r in rows.tolist()], dtype=object)
    codes, _ = pd.factorize(keys)
    sizes = np.bincount(codes)
    shared = sizes[codes] > 1
    if not shared.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    feats = songs[list(features)].to_numpy(dtype=float)
    span = np.array([FEATURE_RANGES[f][1] - FEATURE_RANGES[f][0] for f in features], dtype=float)
    span[~np.isfinite(span) | (span <= 0)] = 1.0
    a: list[int] = []
    b: list[int] = []
    groups: dict[int, list[int]] = {}
    for code, row in zip(codes[shared].tolist(), rows[shared].tolist()):
        groups.setdefault(code, []).append(row)
    for members in groups.values():
        for i, row in enumerate(members):
            for other in members[:i]:
                if (np.abs(feats[row] - feats[other]) / span <= SAME_RECORDING_TOLERANCE).all():
                    a.append(row)
                    b.append(other)
                    break
    return np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)


def _combine(out: pd.DataFrame, groups: list[list[int]], files: np.ndarray, pref: np.ndarray) -> Counter[str]:
    """Write each group's merged facts onto its preferred row (``group[0]``), in place; the notes."""
    notes: Counter[str] = Counter()
    if not groups:
        return notes
    lists = {
        c: out[c].tolist() for c in ("artists", "genres", "playlists", "playlist_names", "sources", "id")
    }
    text = {c: out[c].tolist() for c in ("artist", "artist_key", "name", "name_key", "popularity_basis")}
    nums = {
        c: out[c].to_numpy(dtype=float, na_value=np.nan).copy()
        for c in ("year", "decade", "popularity", "streams", "weeks_on_chart", "hit")
    }
    artists, ids, leads = lists["artists"], lists["id"], out["_lead"].tolist()
    for group in groups:
        head = group[0]
        # The fullest credit of the same lead artist ("ZAYN, PARTYNEXTDOOR" over "ZAYN").
        same_lead = [r for r in group if artists[r] and leads[r] == leads[head]]
        fullest = (
            max(same_lead, key=lambda r: (len(artists[r]), r == head, artists[r])) if same_lead else head
        )
        new_artists = artists[fullest]
        for c in ("genres", "sources"):
            members = sorted(group, key=lambda r: files[r]) if c == "sources" else group
            lists[c][head] = tuple(dict.fromkeys(x for r in members for x in lists[c][r]))
        pairs = dict.fromkeys(
            (p, nm) for r in group for p, nm in zip(lists["playlists"][r], lists["playlist_names"][r])
        )
        lists["playlists"][head] = tuple(p for p, _ in pairs)
        lists["playlist_names"][head] = tuple(nm for _, nm in pairs)
        year, decade, pop = (nums[c][group] for c in ("year", "decade", "popularity"))
        first_year = _nanmin(year)
        # A decade given alone (the Hit Predictor's) dates the song's chart run; a year from
        # another copy that falls in a later decade is a reissue or compilation date.
        charted = _nanmin(decade[~np.isfinite(year)])
        if np.isfinite(first_year) and np.isfinite(charted) and first_year // 10 * 10 > charted:
            notes[NOTE_REISSUE_YEAR] += 1
            first_year = np.nan
        nums["year"][head] = first_year
        nums["decade"][head] = first_year // 10 * 10 if np.isfinite(first_year) else _nanmin(decade)
        nums["popularity"][head] = _nanmax(pop)
        if np.isfinite(pop).any() and not text["popularity_basis"][head]:
            text["popularity_basis"][head] = next(
                text["popularity_basis"][r] for r in group if text["popularity_basis"][r]
            )
        # One stream count per release (id): two releases of a song add up.
        per_id: dict[str, float] = {}
        for r in group:
            streams = nums["streams"][r]
            if np.isfinite(streams):
                per_id[ids[r]] = max(per_id.get(ids[r], 0.0), streams)
        nums["streams"][head] = sum(per_id.values()) if per_id else np.nan
        for c in ("weeks_on_chart", "hit"):
            nums[c][head] = _nanmax(nums[c][group])
        if new_artists != artists[head]:
            artists[head] = new_artists
            text["artist"][head] = ", ".join(new_artists)
            text["artist_key"][head] = artist_key(text["artist"][head])
    for c in ("artists", "genres", "playlists", "playlist_names", "sources"):
        out[c] = lists[c]
    for c in ("artist", "artist_key", "popularity_basis"):
        out[c] = text[c]
    for c, arr in nums.items():
        out[c] = pd.array(arr, dtype="Int64") if c in ("year", "decade") else arr
    return notes


def _nanmin(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.min()) if len(finite) else np.nan


def _nanmax(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if len(finite) else np.nan
