"""Where Clusterfy finds its catalog and keeps built models.

The bundled catalog ships in the repository's ``data/`` and, in an installed package,
as the package data ``clusterfy_data`` (the same folder, mapped by pyproject.toml), so
the default catalog is found from a checkout and from a plain ``pip install .`` alike.
Models built from a catalog are cached where the user can write (never inside the
installed package), keyed by the content of every catalog file so a changed file is
rebuilt rather than served stale.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from .storage.format import FORMAT_VERSION  # a leaf: no scikit-learn import for reading paths

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The study sample's file name (the one file most tests and benchmarks pin).
STUDY_SAMPLE_NAME = "single_genre_artists_sample.csv"
#: The three files of the catalog bundled before issue 21 (6,326 songs): the study sample and
#: two lists of well-known songs. Still bundled, and still a catalog of their own.
SMALL_UNION_NAMES = (STUDY_SAMPLE_NAME, "top_hits_2000_2019.csv", "well_known_songs.csv")
#: Every bundled file, in load order (the folder's order, by name): the default catalog,
#: about 77,000 songs. The three larger tables ship gzip-compressed.
DEFAULT_FILE_NAMES = (
    "hit_predictor_1960_2019.csv.gz",
    STUDY_SAMPLE_NAME,
    "spotify_top_songs_audio_features.csv.gz",
    "tidytuesday_spotify_songs.csv.gz",
    "top_hits_2000_2019.csv",
    "well_known_songs.csv",
)
#: Files a catalog folder contributes (anything else in it, e.g. a README, is ignored).
CATALOG_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


class CatalogError(ValueError):
    """A catalog file that cannot be used; the message says why.

    ``names_fix`` is True when the message also says what to try (a path to check, a
    package to install, the columns a table could use), so a front end adds its own hint
    only when it does not — without reading the wording.
    """

    def __init__(self, message: str, *, names_fix: bool = False) -> None:
        super().__init__(message)
        self.names_fix = names_fix


def bundled_data_dir() -> Path:
    """The folder holding the bundled CSVs: the checkout's ``data/``, else the package data."""
    checkout = PROJECT_ROOT / "data"
    if (checkout / STUDY_SAMPLE_NAME).is_file():
        return checkout
    try:
        from importlib.resources import files

        packaged = Path(str(files("clusterfy_data")))
    except (ImportError, TypeError, ValueError):  # not installed: report the checkout path
        return checkout
    return packaged if (packaged / STUDY_SAMPLE_NAME).is_file() else checkout


BUNDLED_DATA_DIR = bundled_data_dir()
#: The study sample alone (3,288 rows, 3,096 songs): what most tests and benchmarks pin.
STUDY_SAMPLE_FILE = BUNDLED_DATA_DIR / STUDY_SAMPLE_NAME
#: The study sample and the two lists of well-known songs: the 6,326-song catalog that was
#: the default before issue 21 (``CLUSTERFY_CATALOG`` set to these three files gives it).
SMALL_UNION_FILES = tuple(BUNDLED_DATA_DIR / name for name in SMALL_UNION_NAMES)
#: Every bundled file: the default catalog is their union.
DEFAULT_CATALOG_FILES = tuple(BUNDLED_DATA_DIR / name for name in DEFAULT_FILE_NAMES)
#: The default catalog: the bundled folder, i.e. the union of :data:`DEFAULT_CATALOG_FILES`.
DEFAULT_CATALOG = BUNDLED_DATA_DIR


def default_catalog(env: Mapping[str, str] | None = None) -> Path:
    """``CLUSTERFY_CATALOG`` of ``env`` (default: ``os.environ``) if set, else the bundled folder.

    The value may be one file, a folder, or several of them joined by ``os.pathsep``
    (':' on Linux and macOS, ';' on Windows); :func:`catalog_files` expands it.
    """
    configured = (os.environ if env is None else env).get("CLUSTERFY_CATALOG", "").strip()
    if not configured:
        return DEFAULT_CATALOG
    parts = [p.strip() for p in configured.split(os.pathsep) if p.strip()]
    return Path(os.pathsep.join(str(Path(p).expanduser()) for p in parts))


def catalog_files(catalog: str | Path | Sequence[str | Path]) -> list[Path]:
    """The files a catalog setting names, in load order.

    A file is itself; a folder gives its CSV/Parquet files sorted by name (hidden ones
    skipped); a string or path holding ``os.pathsep`` and a sequence give the files of
    each part, in the order given. The same file named twice is read once.
    """
    if isinstance(catalog, (str, os.PathLike)):
        text = str(catalog)
        parts = (
            [text]
            if Path(text).expanduser().exists() or os.pathsep not in text
            else [p for p in text.split(os.pathsep) if p.strip()]
        )
    else:
        parts = [str(p) for p in catalog]
    if not parts:
        raise CatalogError(
            "no catalog file given (set CLUSTERFY_CATALOG to a CSV file or a folder)", names_fix=True
        )
    out: list[Path] = []
    seen: set[Path] = set()
    for part in parts:
        for path in _files_of(Path(part.strip()).expanduser()):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(path)
    return out


def _files_of(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(
            p
            for p in path.iterdir()
            if p.name.lower().endswith(CATALOG_SUFFIXES) and not p.name.startswith(".") and p.is_file()
        )
        if not found:
            raise CatalogError(
                f"catalog folder holds no CSV or Parquet file: {path} "
                "(point CLUSTERFY_CATALOG at a folder of catalog files, or at a file)",
                names_fix=True,
            )
        return found
    if not path.exists():
        raise CatalogError(
            f"catalog file not found: {path} (check the path or CLUSTERFY_CATALOG)", names_fix=True
        )
    return [path]


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


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB blocks (catalog fingerprints, artifact checks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def catalog_fingerprint(catalog: str | Path | Sequence[str | Path]) -> str:
    """Short SHA-256 of the catalog's content: the cache key of models built from it.

    One file: the hash of its bytes. Several (a folder or a list): the hash of every
    file's name and content hash in load order, so editing, adding, removing, renaming
    or reordering any file gives a new key.
    """
    files = catalog_files(catalog)
    if len(files) == 1:
        return file_sha256(files[0])[:16]
    digest = hashlib.sha256(b"clusterfy multi-file catalog\n")
    for path in files:
        digest.update(f"{path.name}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()[:16]


def cached_model_path(catalog: str | Path | Sequence[str | Path], k: int | str) -> Path:
    """Cache file for the model of ``catalog`` at ``k`` in the current format."""
    return cache_dir() / f"model-{catalog_fingerprint(catalog)}-k{k}-v{FORMAT_VERSION}.joblib"
