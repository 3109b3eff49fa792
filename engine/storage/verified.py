"""Which array files were hashed and found right, so a later start need not read them again.

Every start checked every mapped array's SHA-256 before serving from it: at a million
songs that is ~830 MB read and hashed, 0.57 s of a 1.2 s start, paid by every shard and
every restart although the files had not changed since the last start checked them.

So a successful check leaves a stamp beside the files (``.verified.json``): per file its
SHA-256 and identity (device, inode, size, modification and change times). A later load
trusts a file without reading it only when the record still names that SHA-256 and the
file's identity is unchanged. Any write to a file, a rename over it, a ``touch`` or a
``chmod`` moves its change time (ctime), which no user can set back, so an unchanged
identity means unchanged bytes (what ``make`` and git's index rely on, with git's guard
for "racily clean" files: a file whose ctime is not well before the stamp was written
could still have been changed in the same clock tick, so it is hashed again next time).
A copied or restored artifact has new inodes and is hashed once, then stamped.

What this gives up: bit rot under an unchanged inode is no longer caught at start
(the filesystem's business, as for any memory-mapped database). The stamp is written
only when the folder is writable; otherwise every start hashes, as before.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Collection
from pathlib import Path

logger = logging.getLogger(__name__)

STAMP_NAME = ".verified.json"
#: A file changed less than this before the stamp was written is not trusted by it
#: (file times come from a coarse kernel clock, ticks of a few ms; a second is ample).
RACY_NS = 1_000_000_000

Identity = tuple[int, int, int, int, int]


def identity(path: Path) -> Identity:
    """What changes whenever the file's bytes may have: device, inode, size, mtime, ctime."""
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


class VerifiedFiles:
    """The stamp of one arrays folder: which files need no hashing, and what to stamp next."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._trusted: dict[str, tuple[str, Identity]] = {}
        self._checked: dict[str, tuple[str, Identity]] = {}
        self._changed = False
        try:
            raw = json.loads((directory / STAMP_NAME).read_text(encoding="utf-8"))
            written = int(raw["written_ns"])
            for name, (sha, values) in raw["files"].items():
                dev, ino, size, mtime, ctime = (int(x) for x in values)
                if ctime < written - RACY_NS:
                    self._trusted[str(name)] = (str(sha), (dev, ino, size, mtime, ctime))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no stamp (or a broken one): every file is hashed, then stamped

    def trusts(self, path: Path, sha256: str) -> bool:
        """True when ``path`` is the very file a past check found to have ``sha256``."""
        entry = self._trusted.get(path.name)
        if entry is None or entry[0] != sha256:
            return False
        try:
            same = identity(path) == entry[1]
        except OSError:
            return False
        if same:
            self._checked[path.name] = entry
        return same

    def checked(self, path: Path, sha256: str) -> None:
        """``path`` was just hashed and has ``sha256``: stamp it when :meth:`save` runs."""
        try:
            self._checked[path.name] = (sha256, identity(path))
            self._changed = True
        except OSError:
            pass

    def save(self, names: Collection[str] | None = None) -> None:
        """Write the stamp (best effort) when some file was hashed this time.

        Written after a whole load succeeded, so a folder with one bad file is never
        stamped as good; ``names``: the files the record lists (others are dropped).
        """
        if not self._changed:
            return
        files = {
            n: [sha, list(ident)] for n, (sha, ident) in self._checked.items() if names is None or n in names
        }
        body = json.dumps({"written_ns": time.time_ns(), "files": files}, separators=(",", ":"))
        try:
            fd, tmp = tempfile.mkstemp(prefix=".verified-", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(body)
                os.replace(tmp, self.directory / STAMP_NAME)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:  # read-only folder: hash again at the next start
            logger.debug("could not stamp %s as checked: %s", self.directory, exc)


__all__ = ["RACY_NS", "STAMP_NAME", "VerifiedFiles", "identity"]
