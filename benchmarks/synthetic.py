"""Synthetic catalogs of any size, made from the real bundled catalog.

Benchmarks need catalogs far bigger than the bundled 3,242 songs but with the same
shape of data (the same clusters, genres, artists and messy titles), so rows are
resampled from the real catalog and jittered rather than drawn from thin air::

    from benchmarks.synthetic import make_catalog, write_study_csv
    songs = make_catalog(100_000, seed=0)        # canonical song table
    write_study_csv(songs, "/tmp/big.csv")       # the study's 23-column CSV layout

``make_catalog`` returns the same table :func:`engine.catalog.load_catalog` returns
(same columns and dtypes), so it can go straight into ``MoodModel.fit`` or be written
out and loaded back. The same ``(n, seed)`` always gives the same catalog.

What it does to each resampled row:

* audio features get Gaussian noise of :data:`NOISE` x that feature's standard
  deviation in the real catalog, are clipped to the valid range and rounded the way
  Spotify files round them (so a CSV round trip is exact);
* every song gets a fresh, unique 22-character Spotify-style id;
* about :data:`TITLE_VARIANT_SHARE` of titles get a word or number appended from a
  small vocabulary ("Reprise", "Part 2", "Night" ...), so titles repeat less exactly;
* about :data:`ARTIST_SWAP_SHARE` of songs are credited to another real artist (with
  that artist's genres), so artists span more moods.

No rows come out as duplicates, so loading the written CSV keeps all ``n`` songs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from engine.catalog import load_catalog
from engine.features import AUDIO_FEATURES, FEATURE_RANGES
from engine.paths import STUDY_SAMPLE_FILE
from engine.text import artist_key, title_key

__all__ = ["make_catalog", "write_study_csv", "real_catalog", "STUDY_COLUMNS"]

#: Noise on each feature, as a fraction of its standard deviation in the real catalog.
NOISE = 0.05
#: Share of titles that get a word or number appended.
TITLE_VARIANT_SHARE = 0.5
#: Share of songs credited to another real artist.
ARTIST_SWAP_SHARE = 0.3
#: What gets appended to titles.
TITLE_WORDS = (
    "Reprise",
    "Interlude",
    "Night",
    "Blue",
    "Again",
    "Part 2",
    "II",
    "Dream",
    "Home",
    "Sunrise",
    "Outro",
    "Forever",
    "2",
    "3",
    "7",
    "99",
)

#: Decimal places the real files use, per feature (duration_ms is whole milliseconds).
_DECIMALS = dict.fromkeys(AUDIO_FEATURES, 3) | {
    "speechiness": 4,
    "acousticness": 6,
    "instrumentalness": 6,
    "duration_ms": 0,
}
_BASE62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))

#: The 23 columns of the study's single_genre_artists.csv: its own columns around the audio
#: features Clusterfy reads (engine.features.AUDIO_FEATURES: one list for the engine and this
#: file, so a feature added there is written here too) and the three it ignores (key, mode,
#: time_signature). The loader finds columns by name, so the features come in the engine's
#: order rather than interleaved as in the study's file.
STUDY_COLUMNS = (
    "id_songs",
    "name_song",
    "popularity_songs",
    "explicit",
    "id_artists",
    "release_date",
    *AUDIO_FEATURES,
    "key",
    "mode",
    "time_signature",
    "followers",
    "genres",
    "name_artists",
    "popularity_artists",
)


@lru_cache(maxsize=1)
def real_catalog() -> pd.DataFrame:
    """The cleaned bundled catalog (cached; treat as read-only)."""
    songs, _ = load_catalog(STUDY_SAMPLE_FILE)
    return songs


def _spotify_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    ids: np.ndarray = np.array([], dtype=object)
    while len(ids) < n:  # collisions among 62**22 ids never happen; loop for certainty
        chars = _BASE62[rng.integers(0, 62, size=(n - len(ids), 22))]
        ids = pd.unique(np.concatenate([ids, np.array(["".join(r) for r in chars], dtype=object)]))
    return ids


def _keys(values: pd.Series, key) -> list[str]:
    """``key`` of each value, computed once per distinct value (titles repeat a lot)."""
    cache = {v: key(v) for v in pd.unique(values.to_numpy(dtype=object))}
    return [cache[v] for v in values]


def make_catalog(n: int, seed: int = 0) -> pd.DataFrame:
    """A canonical song table of ``n`` songs resampled from the bundled catalog.

    Parameters
    ----------
    n : int
        Number of songs (at least 1).
    seed : int
        Seed of everything random; the same ``(n, seed)`` gives the same table.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, name, artist, genres, year, popularity, explicit, name_key,
        artist_key`` and the ten audio features, as :func:`engine.catalog.load_catalog`
        returns them, with a RangeIndex.
    """
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    n = int(n)
    rng = np.random.default_rng(seed)
    real = real_catalog()
    src = real.iloc[rng.integers(0, len(real), size=n)].reset_index(drop=True)

    out = pd.DataFrame({"id": pd.Series(_spotify_ids(rng, n), dtype=object)})
    # Titles: some get a word or number appended.
    names = src["name"].to_numpy(dtype=object).copy()
    vary = rng.random(n) < TITLE_VARIANT_SHARE
    words = np.array(TITLE_WORDS, dtype=object)[rng.integers(0, len(TITLE_WORDS), size=n)]
    names[vary] = names[vary] + " " + words[vary]
    out["name"] = names
    # Artists: some songs go to another real artist, with that artist's genres.
    artists = src["artist"].to_numpy(dtype=object).copy()
    genres = src["genres"].to_numpy(dtype=object).copy()
    swap = rng.random(n) < ARTIST_SWAP_SHARE
    donors = real.iloc[rng.integers(0, len(real), size=int(swap.sum()))]
    artists[swap] = donors["artist"].to_numpy(dtype=object)
    genres[swap] = donors["genres"].to_numpy(dtype=object)
    out["artist"] = artists
    out["genres"] = genres
    out["year"] = src["year"].astype("Int64")
    out["popularity"] = src["popularity"].astype(float)
    out["explicit"] = src["explicit"].astype(bool)
    out["name_key"] = _keys(out["name"], title_key)
    out["artist_key"] = _keys(out["artist"], artist_key)

    std = real[list(AUDIO_FEATURES)].std().to_numpy()
    X = src[list(AUDIO_FEATURES)].to_numpy(dtype=np.float64)
    X = X + rng.normal(0.0, 1.0, size=X.shape) * (NOISE * std)
    for j, feature in enumerate(AUDIO_FEATURES):
        lo, hi = FEATURE_RANGES[feature]
        out[feature] = np.round(np.clip(X[:, j], lo, hi), _DECIMALS[feature])
    return out


def write_study_csv(songs: pd.DataFrame, path: str | Path, seed: int = 0) -> Path:
    """Write a canonical song table as a CSV in the study's 23-column layout.

    Columns the canonical table lacks (key, mode, time_signature, followers, artist ids
    and popularity) are filled with plausible seeded values; Clusterfy ignores them.
    """
    rng = np.random.default_rng(seed)
    n = len(songs)
    artists = songs["artist"].astype(str)
    artist_codes, artist_names = pd.factorize(artists)
    artist_ids = _spotify_ids(rng, len(artist_names))
    frame = pd.DataFrame(
        {
            "id_songs": songs["id"].astype(str).to_numpy(),
            "name_song": songs["name"].astype(str).to_numpy(),
            "popularity_songs": songs["popularity"].fillna(0).round().astype(int).to_numpy(),
            "duration_ms": songs["duration_ms"].round().astype(np.int64).to_numpy(),
            "explicit": songs["explicit"].astype(int).to_numpy(),
            "id_artists": artist_ids[artist_codes],
            "release_date": songs["year"].astype("string").fillna("").to_numpy(),
            "key": rng.integers(0, 12, size=n),
            "mode": rng.integers(0, 2, size=n),
            "time_signature": rng.choice([3, 4, 4, 4, 5], size=n),
            "followers": rng.integers(100, 1_000_000, size=len(artist_names))[artist_codes],
            "genres": [str(list(g)) for g in songs["genres"]],
            "name_artists": artists.to_numpy(),
            "popularity_artists": rng.integers(0, 80, size=len(artist_names))[artist_codes],
        }
    )
    for feature in AUDIO_FEATURES:
        if feature != "duration_ms":
            frame[feature] = songs[feature].to_numpy()
    target = Path(path)
    frame[list(STUDY_COLUMNS)].to_csv(target, index=False)
    return target
