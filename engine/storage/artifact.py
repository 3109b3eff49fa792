"""Save and load a fitted model as one joblib file with a checksum beside it.

joblib is pickle, and unpickling runs code: so a file is loaded only when the SHA-256
recorded beside it at save time matches its bytes, and the recorded format version is
one this code reads. Anything else is refused with a message saying what to do.

Since format 3 an artifact is three things, named by its record:

* ``model.joblib``: the fitted model without its song table and per-song arrays (small:
  the scaler, K-Means, moods, metrics);
* ``model.joblib.arrays-<token>/``: the model's per-song arrays and the engine's serving
  arrays (engine.storage.serving), one ``.npy`` per array, memory-mapped at load so processes
  share them instead of rebuilding them; and ``songs.joblib``, the song table, read only
  when something asks for ``model.songs_`` (reports, charts of the whole table);
* ``model.joblib.sha256.json``: format, and the SHA-256 and size of every file above.

Every file is checked against the record before it is used: the pickle and the arrays
at load, the song table when it is first read.

Since format 5 the record also holds the model's served state (engine.served: features,
moods, cluster validation) and the arrays folder its small arrays (``served.*``: scaler
mean and scale, centres, profiles, cluster bounds). :func:`load_served` builds a
:class:`~engine.served.ServedModel` from them and never opens the pickle: no code runs,
and no scikit-learn is imported (what the engine, the bot and the CLI's serving commands
load); :func:`load_model` unpickles the estimator (fitting, evaluation, the dashboard).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..fitted import check_fitted
from ..parts import ServingParts
from ..paths import file_sha256
from ..served import SMALL_ARRAYS, ServedModel, served_state
from .format import FORMAT_NAME, FORMAT_VERSION
from .serving import (
    MODEL_ARRAYS,
    ServingArrays,
    ServingError,
    checked_file,
    map_arrays,
    serving_of,
    write_arrays,
)

if TYPE_CHECKING:
    from ..model import MoodModel

logger = logging.getLogger(__name__)

#: The served model's small arrays are saved as ``served.<name>``.
SERVED_PREFIX = "served."

#: The arrays folder beside ``model.joblib`` is ``model.joblib.arrays-<token>``.
ARRAYS_INFIX = ".arrays-"
#: The song table's file inside the arrays folder.
SONGS_FILE = "songs.joblib"


#: The command that builds a model afresh: what a refusal tells the operator to run.
FIT_COMMAND = "python -m engine fit"


class ArtifactError(RuntimeError):
    """A model file that must not or cannot be loaded; the message says why.

    ``fix`` is the command the message tells the operator to run (:data:`FIT_COMMAND`), or
    "" when it names none, so a front end adds its own hint without reading the wording.
    """

    def __init__(self, message: str, *, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


def checksum_path(path: Path) -> Path:
    """Where the checksum record of ``path`` lives."""
    return path.with_name(path.name + ".sha256.json")


def save_model(model: MoodModel, path: str | Path) -> Path:
    """Write ``model``, its arrays, its song table and the checksum record atomically.

    The pickle goes to a temp file and is renamed; the arrays and the song table go to a
    new folder; the record, renamed into place last, names both. A crash mid-save leaves
    the previous artifact intact rather than half a file; older arrays folders are
    removed afterwards (a process still mapping them keeps its pages: an unlinked file
    lives until it is unmapped). The serving arrays are the model's own (it was loaded
    with them) or exported by the one assembler of the parts (engine.parts); the model
    keeps them, so an engine made from it next does not build them again.
    """
    import joblib  # saving and unpickling only: a served start never imports it

    check_fitted(model)
    target = Path(path)
    serving = serving_of(model) or ServingParts.build(model).arrays()
    served, small = served_state(model)
    stored = copy.copy(model)  # pickled without what is saved as files
    for attr in (*MODEL_ARRAYS, "songs_", "_serving", "_songs_loader", "_estimator_loader", "_estimator"):
        stored.__dict__.pop(attr, None)
    arrays = {
        **serving.arrays,
        **{f"model.{a}": getattr(model, a) for a in MODEL_ARRAYS},
        **{SERVED_PREFIX + name: arr for name, arr in small.items()},
    }
    arrays_dir: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        arrays_dir = target.with_name(target.name + ARRAYS_INFIX + secrets.token_hex(6))
        files = write_arrays(arrays_dir, arrays)
        songs_path = arrays_dir / SONGS_FILE
        joblib.dump(model.songs_, songs_path)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        os.close(fd)
        joblib.dump({"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "model": stored}, tmp)
        record: dict[str, Any] = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "sha256": file_sha256(Path(tmp)),
            "engine_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "songs": int(len(model.labels_)),
            "k": int(model.n_clusters_),
            "arrays": {"dir": arrays_dir.name, "files": files},
            "served": served,
            "song_table": {
                "file": SONGS_FILE,
                "sha256": file_sha256(songs_path),
                "bytes": songs_path.stat().st_size,
            },
        }
        tmp_record = Path(tmp + ".json")
        tmp_record.write_text(json.dumps(record, indent=2), encoding="utf-8")
        os.replace(tmp, target)
        os.replace(tmp_record, checksum_path(target))
    except OSError as exc:
        if arrays_dir is not None:
            shutil.rmtree(arrays_dir, ignore_errors=True)
        raise ArtifactError(f"could not save the model to {target}: {exc.strerror or exc}") from None
    for old in target.parent.glob(target.name + ARRAYS_INFIX + "*"):
        if old != arrays_dir and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    model.__dict__["_serving"] = serving
    logger.info("saved model to %s (sha256 %s) with %d arrays", target, record["sha256"][:12], len(files))
    return target


def copy_artifact(source: str | Path, target: str | Path) -> Path:
    """Copy a saved artifact (the file, its arrays folder and its record) to ``target``.

    The arrays folder is named after the file, so copying only the file and its record
    leaves the copy without arrays (refused at load); this keeps the three together.
    """
    src, dst = Path(source), Path(target)
    record = read_record(src)
    arrays = record.get("arrays")
    if not isinstance(arrays, dict) or not isinstance(arrays.get("dir"), str):
        raise ArtifactError(f"{src} names no arrays folder; rebuild it with: {FIT_COMMAND}", fix=FIT_COMMAND)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    name = dst.name + ARRAYS_INFIX + secrets.token_hex(6)
    shutil.copytree(src.parent / arrays["dir"], dst.parent / name)
    arrays["dir"] = name
    checksum_path(dst).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return dst


def read_record(path: Path) -> dict[str, object]:
    """The checksum record beside ``path``, validated for shape."""
    rec_path = checksum_path(path)
    if not rec_path.exists():
        raise ArtifactError(
            f"refusing to load {path}: no checksum record {rec_path.name} beside it "
            f"(only models saved by Clusterfy are loaded; rebuild with: {FIT_COMMAND})",
            fix=FIT_COMMAND,
        )
    try:
        record = json.loads(rec_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise ArtifactError(
            f"refusing to load {path}: its checksum record is unreadable; rebuild with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        ) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT_NAME:
        raise ArtifactError(f"refusing to load {path}: not a Clusterfy model record")
    return record


def load_model(path: str | Path) -> MoodModel:
    """Load a model saved by :func:`save_model`, verifying format and SHA-256 first.

    A save over the same path while this reads it (an operator refitting a live model)
    can swap the files between two reads; when the record changed meanwhile, the load
    is tried once more on the new files rather than refused.
    """
    p = Path(path)
    before = _record_stamp(p)
    try:
        return _load(p)
    except ArtifactError:
        if before is None or _record_stamp(p) in (None, before):
            raise
        logger.info("%s was saved again while being loaded; loading the new one", p)
        return _load(p)


def _record_stamp(p: Path) -> tuple[int, int, int] | None:
    """Identity of the record file now (a save replaces it: new inode), None if absent."""
    try:
        st = checksum_path(p).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _checked_record(p: Path) -> dict[str, object]:
    """The record of the artifact at ``p``, refused unless it is this format's."""
    if not p.is_file():
        raise ArtifactError(f"no model file at {p} (build one with: {FIT_COMMAND})", fix=FIT_COMMAND)
    record = read_record(p)
    version = record.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(
            f"refusing to load {p}: it has model format v{version}, this Clusterfy reads "
            f"v{FORMAT_VERSION}; rebuild it with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        )
    return record


def load_served(path: str | Path) -> ServedModel:
    """The served model of an artifact saved by :func:`save_model`: its record's served
    state and its arrays (checked, mapped), without unpickling anything.

    What serving loads (the engine, the bot, the CLI's serving commands): it imports no
    scikit-learn. Refused like :func:`load_model` when the format or a checksum is wrong.
    """
    p = Path(path)
    before = _record_stamp(p)
    try:
        return _load_served(p)
    except ArtifactError:
        if before is None or _record_stamp(p) in (None, before):
            raise
        logger.info("%s was saved again while being loaded; loading the new one", p)
        return _load_served(p)


def _load_served(p: Path) -> ServedModel:
    record = _checked_record(p)
    _check_pickle(
        p, record
    )  # never opened here, but a file that is not the one saved means a broken artifact
    state = record.get("served")
    per_song, small, rest, read_songs = _map_checked(p, record)
    try:
        if not isinstance(state, dict):
            raise KeyError("served")
        model = ServedModel(state, small, per_song)
    except (KeyError, ValueError, TypeError) as exc:
        raise ArtifactError(
            f"refusing to load {p}: its served state is incomplete ({exc}); rebuild it with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        ) from None
    model.__dict__["_serving"] = ServingArrays(n_songs=len(model.labels_), arrays=rest)
    model.defer_songs(read_songs)
    model.defer_estimator(lambda: _load(p))  # reports only (engine.served.ESTIMATOR_ONLY)
    return model


def _load(p: Path) -> MoodModel:
    import joblib

    from ..model import MoodModel  # the estimator: unpickling it imports scikit-learn anyway

    record = _checked_record(p)
    _check_pickle(p, record)
    try:
        payload = joblib.load(p)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "unusable file"
        raise ArtifactError(
            f"could not load {p}: {type(exc).__name__}; rebuild it with: {FIT_COMMAND}", fix=FIT_COMMAND
        ) from None
    if (
        not isinstance(payload, dict)
        or payload.get("format_version") != FORMAT_VERSION
        or not isinstance(payload.get("model"), MoodModel)
    ):
        raise ArtifactError(f"refusing to use {p}: it does not hold a Clusterfy model")
    model: MoodModel = payload["model"]
    _attach_arrays(p, record, model)
    check_fitted(model)
    return model


def _check_pickle(p: Path, record: dict[str, object]) -> None:
    """Refuse ``p`` unless its bytes are the ones the record's SHA-256 names."""
    try:
        actual = file_sha256(p)
    except OSError as exc:
        raise ArtifactError(f"could not read {p}: {exc.strerror or exc}") from None
    if actual != record.get("sha256"):
        raise ArtifactError(
            f"refusing to load {p}: its SHA-256 does not match the record (the file is "
            f"corrupt or was modified); rebuild it with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        )


def _attach_arrays(p: Path, record: dict[str, object], model: MoodModel) -> None:
    """Map the arrays ``record`` names into ``model`` and defer its song table (both checked)."""
    per_song, _small, rest, read_songs = _map_checked(p, record)
    model.__dict__.update(per_song)
    model.__dict__["_serving"] = ServingArrays(n_songs=len(model.labels_), arrays=rest)
    model.defer_songs(read_songs)


def _map_checked(
    p: Path, record: dict[str, object]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], Any]:
    """The arrays ``record`` names, checked and mapped: the model's per-song ones, the
    served model's small ones, the serving arrays; and a reader of the song table."""
    arrays = record.get("arrays")
    name = arrays.get("dir") if isinstance(arrays, dict) else None
    if not isinstance(arrays, dict) or not isinstance(name, str) or name in ("", ".", "..") or "/" in name:
        raise ArtifactError(
            f"refusing to load {p}: its record names no arrays folder of its own; "
            f"rebuild it with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        )
    directory = p.parent / name
    files = arrays.get("files")
    try:
        if not isinstance(files, dict) or "/" in name or not directory.is_dir():
            raise ServingError(f"the arrays folder {name} is missing")
        mapped = map_arrays(directory, files)
        missing = [a for a in MODEL_ARRAYS if f"model.{a}" not in mapped]
        if missing:
            raise ServingError(f"the arrays folder lacks the model's {', '.join(missing)}")
        per_song = {attr: mapped.pop(f"model.{attr}") for attr in MODEL_ARRAYS}
        small = {
            name[len(SERVED_PREFIX) :]: mapped.pop(name)
            for name in list(mapped)
            if name.startswith(SERVED_PREFIX)
        }
    except ServingError as exc:
        raise ArtifactError(
            f"refusing to load {p}: {exc} (the artifact is incomplete, corrupt or was modified); "
            f"rebuild it with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        ) from None
    n = len(per_song["labels_"])
    if n != record.get("songs") or any(len(per_song[a]) != n for a in MODEL_ARRAYS):
        raise ArtifactError(f"refusing to load {p}: its arrays disagree on the number of songs; rebuild it")
    missing_small = [name for name in SMALL_ARRAYS if name not in small]
    if missing_small and "served" in record:
        raise ArtifactError(
            f"refusing to load {p}: the arrays folder lacks the served {', '.join(missing_small)}; "
            f"rebuild it with: {FIT_COMMAND}",
            fix=FIT_COMMAND,
        )
    entry = record.get("song_table")

    def read_songs() -> Any:
        # checked when read, not at every start: serving never reads it
        import joblib

        try:
            return joblib.load(checked_file(directory, entry))
        except ServingError as exc:
            raise ArtifactError(
                f"refusing to read the song table of {p}: {exc}; rebuild it with: {FIT_COMMAND}",
                fix=FIT_COMMAND,
            ) from None

    return per_song, small, mapped, read_songs
