"""Load Spotify-features tables into Clusterfy's canonical song table.

One job per module, in the order a file goes through them:

* :mod:`.reading` -- a CSV (plain or gzip) or Parquet file as text cells;
* :mod:`.layout` -- which column is the title, the artists, each feature, by the names
  such tables use (``track``/``track_name``/``song``, ``danceability_%`` ...);
* :mod:`.values` and :mod:`.artists` -- the values as each file writes them (note-name
  keys, ``Major``/``Minor``, ``4 beats``, ``spotify:track:`` URIs, three date forms,
  decades, guests written into the artist);
* :mod:`.cleaning` -- one file's rows in canonical columns, broken rows dropped;
* :mod:`.merging` -- one song, one entry, within a file and across files;
* :mod:`.popularity` -- one 0-100 popularity, estimated where a file says it otherwise;
* :mod:`.report` -- what happened, per file and across files;
* :mod:`.loading` -- :func:`load_catalog`, which runs them all.
"""

from __future__ import annotations

from ..paths import CatalogError
from .artists import COMMA_ARTIST_NAMES, ArtistVocabulary, split_artists, title_guests
from .cleaning import DERIVED_ID_PREFIX, HITS_UNKNOWN_YEAR, canonical_columns, derived_id
from .layout import KNOWN_LAYOUTS, ROLE_ALIASES, recognise
from .loading import clean_catalog, load_catalog, union_catalogs
from .merging import SAME_RECORDING_TOLERANCE
from .popularity import BASIS_HIT, BASIS_SPOTIFY, BASIS_STREAMS, BASIS_UNKNOWN
from .reading import read_table
from .report import (
    DROP_ID_CONFLICT,
    DROP_MISSING_FEATURE,
    DROP_MISSING_TITLE,
    DROP_NA_ROW,
    DROP_OUT_OF_RANGE,
    MERGE_SAME_ID,
    MERGE_SAME_RECORDING,
    MERGE_SAME_SONG,
    NOTE_BAD_YEAR,
    NOTE_PLACEHOLDER_YEAR,
    NOTE_REISSUE_YEAR,
    NOTE_UNION_NO_YEAR,
    CleaningReport,
)
from .values import normalise_genre

__all__ = [
    "BASIS_HIT",
    "BASIS_SPOTIFY",
    "BASIS_STREAMS",
    "BASIS_UNKNOWN",
    "COMMA_ARTIST_NAMES",
    "DERIVED_ID_PREFIX",
    "DROP_ID_CONFLICT",
    "DROP_MISSING_FEATURE",
    "DROP_MISSING_TITLE",
    "DROP_NA_ROW",
    "DROP_OUT_OF_RANGE",
    "HITS_UNKNOWN_YEAR",
    "KNOWN_LAYOUTS",
    "MERGE_SAME_ID",
    "MERGE_SAME_RECORDING",
    "MERGE_SAME_SONG",
    "NOTE_BAD_YEAR",
    "NOTE_PLACEHOLDER_YEAR",
    "NOTE_REISSUE_YEAR",
    "NOTE_UNION_NO_YEAR",
    "ROLE_ALIASES",
    "SAME_RECORDING_TOLERANCE",
    "ArtistVocabulary",
    "CatalogError",
    "CleaningReport",
    "canonical_columns",
    "clean_catalog",
    "derived_id",
    "load_catalog",
    "normalise_genre",
    "read_table",
    "recognise",
    "split_artists",
    "title_guests",
    "union_catalogs",
]
