"""The artifact's format name and version: what a saved model says it is.

A leaf on purpose: the cache file names carry the version (engine.paths), so paths and the
artifact read it from here, and reading it costs no scikit-learn import.
"""

from __future__ import annotations

#: What an artifact's record and payload call themselves.
FORMAT_NAME = "clusterfy-model"
#: Bump when the saved object's layout changes (a pickled class moved or changed, an array
#: renamed); older files are then refused with a message saying to rebuild.
FORMAT_VERSION = 8

__all__ = ["FORMAT_NAME", "FORMAT_VERSION"]
