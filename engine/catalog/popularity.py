"""One 0-100 popularity people can steer by, estimated where a file says it another way.

Spotify's popularity (0-100) comes with the study sample, the hits lists and the
TidyTuesday table. The chart table says how popular a song is in streams and weeks on
the chart; the Hit Predictor table says only whether a song reached the Billboard Hot
100 (and in which decade). ``popularity>50``, autocomplete order and the choice among
songs sharing a famous title all need one scale, so those signals are mapped onto it,
calibrated on the songs that have both (the catalog's own overlap):

* **streams**: an isotonic (monotone) regression of popularity on log10(streams), fitted
  on the songs with both a measured popularity and chart streams. More streams never
  give a lower estimate.
* **hit**: the mean measured popularity of songs with the same hit flag and decade,
  shrunk towards the flag's overall mean (:data:`SHRINK` pseudo-songs) where a decade
  has few songs.

A song with a measured popularity keeps it (basis ``spotify``); a song with streams gets
the streams estimate (``streams``), else one with a hit flag gets the hit estimate
(``hit``); with no signal, or too few songs to calibrate on, popularity stays unknown
(NaN), never a made-up 0. The report carries, per signal, a check on songs held out of
the fit (split by lead artist): mean absolute error and Spearman correlation, next to a
constant guess. The fit used at load time is then made on every overlapping song.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..text import fold

logger = logging.getLogger(__name__)

BASIS_SPOTIFY = "spotify"
BASIS_STREAMS = "streams"
BASIS_HIT = "hit"
BASIS_UNKNOWN = "unknown"
#: Fewer songs with both a measured popularity and a signal than this: no estimate.
MIN_CALIBRATION = 50
#: Pseudo-songs of the flag's overall mean added to each (flag, decade) group.
SHRINK = 20.0
#: A fitted signal -> popularity estimate: fit(signal, popularity) gives predict(signal).
Fit = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def complete_popularity(songs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, object]]:
    """``songs`` with popularity estimated where it is unknown, and what the report says about it."""
    measured = songs["popularity"].to_numpy(dtype=float)
    known = np.isfinite(measured)
    popularity = measured.copy()
    basis = np.where(known, BASIS_SPOTIFY, "").astype(object)
    lead = (
        songs["_lead"].tolist()
        if "_lead" in songs
        else [fold(a[0]) if len(a) else "" for a in songs["artists"]]
    )
    held_of = {k: _held_out(k) for k in set(lead)}
    held = np.array([held_of[k] for k in lead], dtype=bool)
    checks: list[str] = []
    fits: dict[str, object] = {}

    def calibrate(name: str, signal: np.ndarray, fit: Fit, both: np.ndarray, todo: np.ndarray) -> None:
        """Estimate the ``todo`` songs from ``signal``, fitted on the songs that have
        ``both`` (a measured popularity and the signal), with its held-out check; with
        too few of those, say so and leave them unknown."""
        if both.sum() >= MIN_CALIBRATION and todo.any():
            checks.append(_check(name, signal, measured, both, held, fit))
            estimate = fit(signal[both], measured[both])
            popularity[todo] = estimate(signal[todo])
            basis[todo] = name
            fits[name] = int(both.sum())
        elif todo.any():
            checks.append(f"{name}: only {int(both.sum())} songs also have a popularity; left unknown")

    streams = songs["streams"].to_numpy(dtype=float)
    has_streams = np.isfinite(streams) & (streams > 0)
    x = np.log10(np.where(has_streams, streams, 1.0))
    calibrate(BASIS_STREAMS, x, _fit_streams, known & has_streams, ~known & has_streams)

    hit = songs["hit"].to_numpy(dtype=float)
    decade = songs["decade"].to_numpy(dtype=float, na_value=np.nan)
    has_hit = np.isfinite(hit)
    groups = np.c_[hit, np.nan_to_num(decade, nan=-1.0)]
    calibrate(BASIS_HIT, groups, _fit_hits, known & has_hit, ~np.isfinite(popularity) & has_hit)

    popularity = np.round(np.clip(popularity, 0.0, 100.0), 1)
    basis[~np.isfinite(popularity)] = BASIS_UNKNOWN
    out = songs.assign(popularity=popularity, popularity_basis=basis.astype(str))
    counts = pd.Series(basis).value_counts()
    summary = {
        "songs": {b: int(counts.get(b, 0)) for b in (BASIS_SPOTIFY, BASIS_STREAMS, BASIS_HIT, BASIS_UNKNOWN)},
        "calibrated_on": fits,
        "checks": checks,
    }
    return out, summary


def _held_out(lead: str) -> bool:
    """The check's split: by lead artist, the same hash as benchmarks/quality.py."""
    return bool(hashlib.sha256(f"0:{lead}".encode()).digest()[0] & 1)


def _fit_streams(x: np.ndarray, y: np.ndarray):
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=100.0).fit(x, y)
    return lambda q: model.predict(q)


def _fit_hits(groups: np.ndarray, y: np.ndarray):
    """Mean popularity per (hit flag, decade), shrunk towards the flag's mean."""
    frame = pd.DataFrame({"hit": groups[:, 0], "decade": groups[:, 1], "y": y})
    flag_mean = frame.groupby("hit")["y"].mean().to_dict()
    overall = float(frame["y"].mean())
    stats = frame.groupby(["hit", "decade"])["y"].agg(["mean", "count"])
    table = {
        key: (row["count"] * row["mean"] + SHRINK * flag_mean[key[0]]) / (row["count"] + SHRINK)
        for key, row in stats.iterrows()
    }

    def estimate(q: np.ndarray) -> np.ndarray:
        return np.array(
            [table.get((h, d), flag_mean.get(h, overall)) for h, d in zip(q[:, 0].tolist(), q[:, 1].tolist())]
        )

    return estimate


def _check(name: str, x: np.ndarray, y: np.ndarray, both: np.ndarray, held: np.ndarray, fit) -> str:
    """Fit on the tune side of the overlap, score on the held-out side (vs a constant guess)."""
    tune, test = both & ~held, both & held
    if tune.sum() < MIN_CALIBRATION // 2 or test.sum() < MIN_CALIBRATION // 2:
        return f"{name}: {int(both.sum())} songs to calibrate on, too few to check on held-out ones"
    guess = fit(x[tune], y[tune])(x[test])
    mae = float(np.abs(guess - y[test]).mean())
    const = float(np.abs(float(np.mean(y[tune])) - y[test]).mean())
    rho = _spearman(guess, y[test])
    return (
        f"{name}: calibrated on {int(both.sum()):,} songs with both; on {int(test.sum()):,} held-out ones "
        f"(lead artists not in the fit) mean abs. error {mae:.1f} vs {const:.1f} for a constant, "
        f"Spearman {rho:.2f}"
    )


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])
