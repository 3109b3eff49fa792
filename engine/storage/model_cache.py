"""Get a ready model: load the configured artifact, or build one from a catalog and cache it.

This is what the CLI and the bot call on start-up, so a first run with nothing but the
bundled catalog just works, and later runs load the cached artifact in about a second.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from ..fitted import Progress
from ..paths import cached_model_path, catalog_files, default_catalog
from .artifact import ArtifactError, load_model, load_served, save_model

if TYPE_CHECKING:
    from ..fitted import FittedModel
    from ..model import MoodModel

logger = logging.getLogger(__name__)


def build_model(catalog: Path, k: int | str = 4, progress: Progress | None = None) -> MoodModel:
    """Load and clean ``catalog`` and fit a model on it."""
    # Imported here: a start that loads a cached model never reads a catalog, nor fits.
    from ..catalog import load_catalog
    from ..model import MoodModel

    say = progress or (lambda msg: logger.info("%s", msg))
    files = catalog_files(catalog)
    say(
        f"loading catalog {catalog}"
        if len(files) == 1
        else f"loading catalog of {len(files)} files: {', '.join(f.name for f in files)}"
    )
    songs, report = load_catalog(catalog)
    for line in report.lines():
        say(line)
    model = MoodModel(n_clusters=k).fit(songs, progress=say)
    model.cleaning_report_ = report
    return model


@overload
def obtain_model(
    catalog: str | Path | None = ...,
    model_path: str | Path | None = ...,
    k: int | str = ...,
    progress: Progress | None = ...,
    *,
    served: Literal[False] = ...,
) -> MoodModel: ...


@overload
def obtain_model(
    catalog: str | Path | None = ...,
    model_path: str | Path | None = ...,
    k: int | str = ...,
    progress: Progress | None = ...,
    *,
    served: bool,
) -> FittedModel: ...


def obtain_model(
    catalog: str | Path | None = None,
    model_path: str | Path | None = None,
    k: int | str = 4,
    progress: Progress | None = None,
    *,
    served: bool = False,
) -> FittedModel:
    """The model to serve.

    An explicit ``model_path`` that exists is loaded (and never overwritten); one that
    does not exist yet is built from the catalog and saved there. Without one, the
    model is cached per catalog content (every file of a multi-file catalog) and ``k``
    in the user cache directory. ``catalog`` may be a file, a folder or several paths
    joined by ``os.pathsep`` (see :func:`engine.paths.catalog_files`).

    ``served``: an existing artifact is loaded as its :class:`~engine.served.ServedModel`
    (no scikit-learn imported: what serving wants), else as the estimator. A model built
    here is the fresh estimator either way (the fit imported scikit-learn already).
    """
    load = load_served if served else load_model
    say = progress or (lambda msg: logger.info("%s", msg))
    catalog_path = Path(catalog).expanduser() if catalog else default_catalog()
    if model_path is not None:
        target = Path(model_path).expanduser()
        if target.exists():
            return load(target)
    else:
        catalog_files(catalog_path)  # every file exists, every folder holds some: else CatalogError
        target = cached_model_path(catalog_path, k)
        if target.exists():
            say(f"loading cached model {target}")
            return load(target)
    with _build_lock(target):
        if target.exists():  # another process built it while this one waited
            say(f"loading the model another process just built: {target}")
            return load(target)
        say(f"no model yet at {target}: building it from the catalog (first run only)")
        model = build_model(catalog_path, k, progress=say)
        try:
            save_model(model, target)
        except ArtifactError as exc:
            logger.warning("model built but not cached: %s", exc)
    return model


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """One builder per artifact: bot processes sharing a cache start together, and the
    others wait for the first one's model instead of building and saving their own over it.

    An advisory ``flock`` on ``<target>.lock`` (released when the process dies, so a killed
    builder never blocks the next start); where it is unavailable, no lock.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: one process per cache, as before
        yield
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fh = open(target.with_name(target.name + ".lock"), "a+b")
    except OSError as exc:
        logger.warning("could not lock %s for building (%s); building without a lock", target, exc)
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
