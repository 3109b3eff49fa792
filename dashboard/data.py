"""The dashboard's data layer: settings, the cached engine, and the few derived tables.

Everything here calls the engine (``obtain_model``, ``Engine``, ``evaluate_k``,
``build_model``, ``save_model``); nothing re-implements it. Heavy objects are cached with
``st.cache_resource`` so every page and every browser tab shares one fitted model, as the
bot does. Failures a user can fix (a missing catalog, a k out of range, a model file that
fails its checksum) become :class:`SettingsError` with a message saying what to try, which
the app shows with ``st.error`` instead of a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from engine.catalog import CatalogError
from engine.evaluation import KResult, evaluate_k
from engine.features import FEATURE_LABELS
from engine.model import MoodModel
from engine.paths import cached_model_path, catalog_files, default_catalog
from engine.service import Engine
from engine.storage.artifact import ArtifactError
from engine.storage.model_cache import obtain_model

logger = logging.getLogger(__name__)

#: k values the sidebar accepts (the bot's CLUSTERFY_K range) and "Try k" offers.
K_MIN, K_MAX = 2, 50
TRY_K_CHOICES: tuple[str, ...] = ("auto", *(str(k) for k in range(2, 13)))
#: k values of the elbow chart (measured on request, then kept on disk).
ELBOW_KS = range(2, 11)
#: Most points the map draws; the counts and filters always use every song.
MAP_MAX_POINTS = 5_000


class SettingsError(Exception):
    """Settings the dashboard cannot start from; ``message`` says what was wrong, ``hint`` what to try."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Settings:
    """Where the model comes from: the same three knobs as the bot (catalog, k, model file)."""

    catalog: Path
    k: int | str
    model_path: Path | None

    def target_path(self) -> Path:
        """The file the bot loads for these settings: CLUSTERFY_MODEL if set, else the cache file."""
        return self.model_path if self.model_path is not None else cached_model_path(self.catalog, self.k)


@dataclass
class Context:
    """What every page gets: the settings and the engine serving them."""

    settings: Settings
    engine: Engine

    @property
    def model(self) -> MoodModel:
        return self.engine.model


def env_defaults() -> dict[str, str]:
    """Sidebar defaults, read like the bot reads them (CLUSTERFY_CATALOG, CLUSTERFY_K, CLUSTERFY_MODEL)."""
    return {
        "catalog": str(default_catalog()),
        "k": os.environ.get("CLUSTERFY_K", "").strip() or "4",
        "model": os.environ.get("CLUSTERFY_MODEL", "").strip(),
    }


def parse_k(text: str, lo: int = K_MIN, hi: int = K_MAX) -> int | str:
    """A k typed by a person: a whole number in [lo, hi] or "auto"; SettingsError otherwise."""
    t = (text or "").strip().lower()
    if t == "auto":
        return "auto"
    if not t.isdigit() or not lo <= int(t) <= hi:
        raise SettingsError(
            f"k must be a whole number from {lo} to {hi}, or auto (got “{text.strip()[:40]}”)",
            "Type 4 (the study's choice) or auto (best silhouette over k=2..10).",
        )
    return int(t)


def parse_settings(catalog: str, k: str, model: str) -> Settings:
    """Check the sidebar's text before any work starts, so each mistake gets its own message."""
    k_value = parse_k(k)
    model_path = Path(model.strip()).expanduser() if model and model.strip() else None
    cat_text = (catalog or "").strip()
    if not cat_text:
        raise SettingsError(
            "the catalog path is empty",
            f"Type the path of a Spotify-features CSV (or a folder of them), e.g. {default_catalog()}",
        )
    cat = Path(cat_text).expanduser()
    if model_path is None or not model_path.exists():
        try:
            catalog_files(cat)  # the engine's rules: a file, a folder of CSVs, or paths joined by ':'
        except CatalogError as exc:
            raise SettingsError(
                str(exc), f"Check the path, or use the default catalog: {default_catalog()}"
            ) from None
    return Settings(catalog=cat, k=k_value, model_path=model_path)


def _file_key(path: Path | None) -> str:
    """Path plus size and mtime of every file it names: a changed file is a new cache key.

    Cheaper than the content hash the model cache uses, which would re-read a 100k-song
    catalog on every click; the model cache still checks the content when a model loads.
    """
    if path is None:
        return ""
    try:
        files = catalog_files(path) if not path.is_file() else [path]
        return "|".join(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
    except (OSError, CatalogError):
        return str(path)


@st.cache_resource(
    show_spinner="Loading the mood model (built once per catalog and cached; "
    "a 100k-song catalog takes about a minute the first time)…",
    max_entries=4,
)
def _engine_for(catalog: str, k: int | str, model_path: str, _keys: tuple[str, str]) -> Engine:
    model = obtain_model(catalog, model_path or None, k)
    return Engine(model)


def load_context(settings: Settings) -> Context:
    """The engine for ``settings`` (shared across sessions); SettingsError for anything fixable."""
    try:
        engine = _engine_for(
            str(settings.catalog),
            settings.k,
            str(settings.model_path or ""),
            (_file_key(settings.catalog), _file_key(settings.model_path)),
        )
    except ArtifactError as exc:
        raise SettingsError(
            f"the model file cannot be used: {exc}",
            "Clear the model file field to use the cache, or rebuild it with: python3 run.py engine fit",
        ) from None
    except CatalogError as exc:
        raise SettingsError(
            f"the catalog cannot be used: {exc}",
            f"Check the file, or use the bundled catalog: {default_catalog()}",
        ) from None
    except ValueError as exc:  # too few songs for k, and the like
        raise SettingsError(f"no model could be fitted: {exc}", "Try a smaller k.") from None
    return Context(settings=settings, engine=engine)


def forget_engines() -> None:
    """Drop cached engines (after a model was saved over the file one was loaded from)."""
    _engine_for.clear()


# -- derived tables ----------------------------------------------------------------------------
def _elbow_file(model: MoodModel) -> Path:
    """Disk cache of a model's elbow figures, keyed by its scaled songs and K-Means settings."""
    import hashlib

    from engine.paths import cache_dir

    digest = hashlib.sha256(np.ascontiguousarray(model.transform(model.songs_)).tobytes())
    digest.update(f"{model.n_init}|{model.random_state}|{list(ELBOW_KS)}".encode())
    return cache_dir() / f"elbow-{digest.hexdigest()[:16]}.json"


def cached_elbow(model: MoodModel) -> list[KResult] | None:
    """The model's own evaluation (k=auto) or figures measured earlier, else None."""
    existing = getattr(model, "evaluation_", None)
    if existing:
        return list(existing)
    try:
        rows = json.loads(_elbow_file(model).read_text(encoding="utf-8"))
        return [KResult(**row) for row in rows]
    except (OSError, ValueError, TypeError):
        return None


def measure_elbow(model: MoodModel, progress: Callable[[int, KResult], None] | None = None) -> list[KResult]:
    """Inertia, silhouette and Davies–Bouldin over k=2..10 (engine.evaluate_k), kept on disk.

    The same settings as the model's own fit (restarts, seed), so the model's k reads the
    same figures here as on the Overview's metrics. About 40 s of CPU on 3k songs.
    """
    n = len(model.labels_)
    ks = range(ELBOW_KS.start, min(ELBOW_KS.stop, n))
    results = evaluate_k(
        model.transform(model.songs_),
        ks,
        n_init=model.n_init,
        random_state=model.random_state,
        progress=progress,
    )
    target = _elbow_file(model)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps([r.to_dict() for r in results]), encoding="utf-8")
    except OSError as exc:
        logger.warning("elbow figures not cached: %s", exc)
    return results


def model_key(ctx: Context) -> str:
    """Identifies the served model for per-model caches."""
    s = ctx.settings
    return f"{_file_key(s.catalog)}|{s.k}|{_file_key(s.model_path)}|{len(ctx.model.labels_)}"


@st.cache_resource(max_entries=4)
def song_frame(_engine: Engine, key: str) -> pd.DataFrame:
    """One row per song with what the map and the filters need (built once per model)."""
    model = _engine.model
    songs = model.songs_
    coords = np.asarray(model.coords_2d_)
    labels = np.asarray(model.labels_)
    mood_labels = np.array([m.label for m in model.moods_], dtype=object)
    genres = songs["genres"].tolist()
    year = pd.to_numeric(songs["year"], errors="coerce") if "year" in songs else np.nan
    pop = pd.to_numeric(songs["popularity"], errors="coerce") if "popularity" in songs else np.nan
    return pd.DataFrame(
        {
            "row": np.arange(len(songs)),
            "id": songs["id"].astype(str).to_numpy(),
            "x": coords[:, 0],
            "y": coords[:, 1],
            "cluster": labels,
            "mood": mood_labels[labels],
            "title": songs["name"].astype(str).to_numpy(),
            "artist": songs["artist"].astype(str).to_numpy(),
            "genre": [g[0] if isinstance(g, (tuple, list)) and g else "" for g in genres],
            "genres": [", ".join(g[:3]) if isinstance(g, (tuple, list)) else "" for g in genres],
            "year": np.asarray(year, dtype=float),
            "popularity": np.asarray(pop, dtype=float),
        }
    )


def sample_rows(frame: pd.DataFrame, limit: int | None = None, seed: int = 0) -> pd.DataFrame:
    """At most ``limit`` (default :data:`MAP_MAX_POINTS`) rows, a seeded random sample.

    Seeded so the same points are drawn on every rerun and the map does not flicker.
    """
    limit = MAP_MAX_POINTS if limit is None else limit
    if len(frame) <= limit:
        return frame
    return frame.sample(n=limit, random_state=seed)


def feature_label(feature: str) -> str:
    return FEATURE_LABELS.get(feature, feature)


class ProgressBar:
    """An ``st.progress`` bar fed by the engine's progress messages.

    The engine reports in words ("fitting K-Means…", "  k=5: silhouette…"); the fraction
    is inferred from which step a message names, so the bar moves without the engine
    knowing about it.
    """

    def __init__(self, k: int | str, container: object | None = None) -> None:
        self.k = k
        self.bar = (container or st).progress(0.0, text="starting…")
        self.done = 0.0

    def __call__(self, message: str) -> None:
        text = message.strip()
        frac = self.done
        m = re.match(r"k=(\d+):", text)
        if text.startswith("loading catalog"):
            frac = 0.02
        elif text.startswith("rows read"):
            frac = 0.08
        elif text.startswith("evaluating k="):
            frac = 0.1
        elif m and self.k == "auto":
            frac = 0.1 + 0.75 * (int(m.group(1)) - 1) / 9
        elif text.startswith("fitting K-Means"):
            frac = 0.15
        elif text.startswith("chose k") or text.startswith("silhouette"):
            frac = max(frac, 0.85)
        elif text.startswith("computing the 2-D map"):
            frac = 0.9
        self.done = min(max(frac, self.done), 0.99)
        self.bar.progress(self.done, text=text[:120])

    def finish(self, text: str) -> None:
        self.bar.progress(1.0, text=text)


def refit(catalog: Path, k: int | str, progress: Callable[[str], None]) -> MoodModel:
    """A new model of ``catalog`` at ``k`` (engine.storage.model_cache.build_model); SettingsError if
    it cannot be."""
    from engine.storage.model_cache import build_model

    try:
        return build_model(catalog, k, progress=progress)
    except CatalogError as exc:
        raise SettingsError(
            f"the catalog cannot be used: {exc}", "Check the catalog path in the sidebar."
        ) from None
    except ValueError as exc:
        raise SettingsError(f"k={k} cannot be fitted: {exc}", "Try a smaller k.") from None


# -- showing problems --------------------------------------------------------------------------
def show_settings_error(err: SettingsError) -> None:
    """One red box: what was wrong, then what to try."""
    st.error(f"**Cannot use these settings:** {err.message}" + (f"\n\n{err.hint}" if err.hint else ""))


def show_engine_error(exc: Exception) -> None:
    """An EngineError shown as the bot shows it: its message, then what to try."""
    message = getattr(exc, "message", str(exc))
    suggestions = tuple(getattr(exc, "suggestions", ()))[:5]
    st.error(message + (f"\n\nTry: {' · '.join(suggestions)}" if suggestions else ""))


def current() -> Context:
    """The context the app entry loaded for this run (pages only run after it succeeded)."""
    ctx = st.session_state.get("clusterfy_ctx")
    if ctx is None:  # a page opened before the entry script ran: nothing to show yet
        st.info("Loading… open the Overview page first.")
        st.stop()
    return ctx
