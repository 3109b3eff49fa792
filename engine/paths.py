"""Where Clusterfy finds its catalog and keeps built models.

The bundled catalog ships in the repository's ``data/``; models built from a catalog
are cached where the user can write (never inside the installed package), keyed by the
catalog's content so a changed file is rebuilt rather than served stale.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CATALOG = PROJECT_ROOT / "data" / "single_genre_artists_sample.csv"


def default_catalog(env: Mapping[str, str] | None = None) -> Path:
    """``CLUSTERFY_CATALOG`` of ``env`` (default: ``os.environ``) if set, else the bundled sample."""
    configured = (os.environ if env is None else env).get("CLUSTERFY_CATALOG", "").strip()
    return Path(configured).expanduser() if configured else BUNDLED_CATALOG


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``CLUSTERFY_CACHE_DIR``, else ``$XDG_CACHE_HOME/clusterfy``, else ``~/.cache/clusterfy``
    (read from ``env``, default ``os.environ``)."""
    e = os.environ if env is None else env
    configured = e.get("CLUSTERFY_CACHE_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    xdg = e.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "clusterfy"


def catalog_fingerprint(catalog: Path) -> str:
    """Short SHA-256 of the catalog's bytes: the cache key of models built from it."""
    digest = hashlib.sha256()
    with open(catalog, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def cached_model_path(catalog: Path, k: int | str) -> Path:
    """Cache file for the model of ``catalog`` at ``k`` in the current format."""
    # Imported here: the artifact module pulls in scikit-learn, and the bot reads paths
    # while validating its settings, where a config error should answer at once.
    from .artifact import FORMAT_VERSION

    return cache_dir() / f"model-{catalog_fingerprint(catalog)}-k{k}-v{FORMAT_VERSION}.joblib"
