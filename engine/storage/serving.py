"""The serving arrays: what an engine derives from a model, saved once and mapped by every process.

At a million songs, building the song table's text columns, the recommender's ranking
blocks, the resolver's name indexes and the word-search rows costs seconds and hundreds
of MB, and every bot process paid it at every start. Saved beside the artifact as plain
``.npy`` files (engine.storage.artifact) and opened with ``mmap_mode="r"``, they cost a
process only page-table entries: the pages live once in the kernel's page cache, shared by
all processes that map them. ``.npy`` is loaded with ``allow_pickle=False``, so a file here
can hold data, never code, and each file's SHA-256 is checked before it is mapped (once:
engine.storage.verified remembers files already checked, so later starts only ``stat`` them).

This module only writes, checks and maps array files and names them; which arrays there
are is the parts' business (engine.parts.ServingParts.arrays, each part's ``arrays()``).
Names are ``<part>.<array>``: ``table.``, ``rec.``, ``res.``, ``ws.`` and ``co.`` (playlist
co-occurrence, engine.cooccur) for the engine's parts and ``model.`` for the fitted model's
own large arrays (see :data:`MODEL_ARRAYS`).
"""

from __future__ import annotations

import hashlib
import logging
import mmap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..paths import file_sha256
from .verified import VerifiedFiles

if TYPE_CHECKING:
    from ..fitted import FittedModel

logger = logging.getLogger(__name__)

#: The fitted model's per-song arrays, saved as files and mapped instead of pickled.
MODEL_ARRAYS = (
    "labels_",
    "order_",
    "row_of_song_",
    "unit_vectors_",
    "centroid_distance_",
    "coords_2d_",
    "feature_values_",
)
#: Files smaller than this are read into memory rather than mapped (a map costs a page
#: anyway, and numpy cannot map an empty array).
MAP_MIN_BYTES = 4096


class ServingError(ValueError):
    """An arrays file that does not match its record; the artifact turns this into ArtifactError."""


@dataclass(frozen=True)
class ServingArrays:
    """An engine's precomputed arrays by name, for a model of ``n_songs`` songs."""

    n_songs: int
    arrays: Mapping[str, np.ndarray] = field(default_factory=dict)

    def part(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays of one part (``"table"``, ``"rec"``, ``"res"``, ``"ws"``), without the prefix."""
        return part_of(self.arrays, prefix)


def prefixed(prefix: str, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``arrays`` named ``<prefix>.<name>``: how a part nests its pieces' arrays."""
    return {f"{prefix}.{name}": arr for name, arr in arrays.items()}


def part_of(arrays: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays named ``<prefix>.<name>``, by ``name`` (the inverse of :func:`prefixed`)."""
    head = prefix + "."
    return {name[len(head) :]: arr for name, arr in arrays.items() if name.startswith(head)}


def serving_of(model: FittedModel) -> ServingArrays | None:
    """The arrays built or mapped with ``model`` (engine.storage.artifact attaches them), if any fit it."""
    serving = model.__dict__.get("_serving")
    if isinstance(serving, ServingArrays) and serving.n_songs == len(model.labels_):
        return serving
    return None


def write_arrays(directory: Path, arrays: Mapping[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Write each array as ``<name>.npy`` in ``directory``; the record entry of each file."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    for name, arr in arrays.items():
        path = directory / f"{name}.npy"
        arr = np.asarray(arr)
        # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
        np.save(path, arr if arr.flags.c_contiguous else np.ascontiguousarray(arr), allow_pickle=False)
        files[name] = {"file": path.name, "sha256": file_sha256(path), "bytes": path.stat().st_size}
    return files


def listed_file(directory: Path, entry: object) -> Path:
    """The file a record entry names in ``directory``, when it is there with the recorded size."""
    if not isinstance(entry, Mapping):
        raise ServingError("the record lists a file without its checksum")
    name = str(entry.get("file", ""))
    path = directory / name
    if not name or path.parent != directory or not path.is_file():
        raise ServingError(f"file {name or '?'} is missing")
    if path.stat().st_size != entry.get("bytes"):
        raise ServingError(f"file {path.name} has the wrong size")
    return path


def checked_file(directory: Path, entry: object) -> Path:
    """The file a record entry names in ``directory``, after its size and SHA-256 match."""
    path = listed_file(directory, entry)
    expected = entry.get("sha256") if isinstance(entry, Mapping) else None
    if file_sha256(path) != expected:
        raise ServingError(f"file {path.name} does not match its SHA-256")
    return path


def map_arrays(directory: Path, files: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Every array ``files`` lists, each mapped read-only once its SHA-256 matches.

    A file a past start already found right (engine.storage.verified: same inode, size
    and change time) is mapped without being read again; the others are hashed through
    their map, and stamped once every file passed. The arrays are plain read-only
    ndarrays over the map (np.memmap's Python ``__getitem__`` costs microseconds per
    scalar read, and the resolver reads scalars). Headers are read with ``allow_pickle``
    off: object arrays are refused.
    """
    verified = VerifiedFiles(directory)
    arrays: dict[str, np.ndarray] = {}
    for name, entry in files.items():
        path = listed_file(directory, entry)
        try:
            if path.stat().st_size < MAP_MIN_BYTES:  # tiny: read, not mapped
                path = checked_file(directory, entry)
                arr = np.load(path, allow_pickle=False)
                arr.flags.writeable = False
            else:
                arr = _mapped_array(path, str(entry["sha256"]), verified)
        except (OSError, ValueError) as exc:
            raise ServingError(f"file {path.name} is unreadable ({exc})") from None
        arrays[str(name)] = arr
    verified.save({str(e["file"]) for e in files.values() if isinstance(e, Mapping) and "file" in e})
    return arrays


def _mapped_array(path: Path, sha256: str, verified: VerifiedFiles) -> np.ndarray:
    """The .npy array in ``path`` over a read-only map of the file, after checking its SHA-256
    (hashing the map, unless ``verified`` trusts the file)."""
    with open(path, "rb") as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise ValueError(f".npy format {version} is not one this reads")
        offset = fh.tell()
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if not verified.trusts(path, sha256):
        if hashlib.sha256(mapped).hexdigest() != sha256:
            mapped.close()
            raise ServingError(f"file {path.name} does not match its SHA-256")
        verified.checked(path, sha256)
    if dtype.hasobject:
        raise ServingError(f"file {path.name} holds Python objects, which are never loaded")
    return np.ndarray(shape, dtype=dtype, buffer=mapped, offset=offset, order="F" if fortran else "C")


__all__ = [
    "MODEL_ARRAYS",
    "ServingArrays",
    "ServingError",
    "checked_file",
    "listed_file",
    "map_arrays",
    "part_of",
    "prefixed",
    "serving_of",
    "write_arrays",
]
