"""The serving parts of a model, assembled in one place: song table, resolver, recommender
and word search.

A fresh fit builds them from the model's song table; a loaded artifact takes them over the
arrays saved with it (engine.storage.serving), mapped, with nothing rebuilt; saving exports
their arrays. The engine, the artifact's save and the tests all go through
:class:`ServingParts`, so the three ways can never assemble the parts differently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cooccur import CoOccurrence
from .recommend import ARTIST_WEIGHT, Recommender, check_artist_weight
from .resolver import SongResolver
from .song_table import SongTable
from .storage.serving import ServingArrays, prefixed, serving_of
from .words.word_search import WordSearch

if TYPE_CHECKING:
    from .fitted import FittedModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class ServingParts:
    """What an engine serves with, all over one shared :class:`SongTable`.

    Read-only after assembly: one set of parts serves concurrent requests.
    """

    #: Ids, names, artists, genres, years, id → row: shared by the resolver, the
    #: recommender and the Songs a front end gets.
    table: SongTable
    resolver: SongResolver
    recommender: Recommender
    word_search: WordSearch
    #: Songs people put in the same playlists (engine.cooccur): empty for a catalog without
    #: a ``playlists`` column, so a fresh server has a collaborative signal only when the
    #: data carries one.
    cooc: CoOccurrence

    @classmethod
    def build(cls, model: FittedModel, artist_weight: float = ARTIST_WEIGHT) -> ServingParts:
        """Every part built from the model's song table (a fit, or saved arrays that did not fit)."""
        table = SongTable.from_model(model)
        rec = Recommender(model, artist_weight=artist_weight, table=table)
        return cls(table, SongResolver(model.songs_, table=table), rec, WordSearch(rec), _cooccurrence(model))

    @classmethod
    def from_arrays(
        cls, model: FittedModel, serving: ServingArrays, artist_weight: float = ARTIST_WEIGHT
    ) -> ServingParts:
        """The parts over saved arrays, as they are (mapped ones stay mapped).

        Nothing is rebuilt but the recommender's ranking blocks when ``artist_weight`` is
        not the one they were saved for. KeyError or ValueError when the arrays do not
        fit ``model``.
        """
        table = SongTable.from_arrays(serving.part("table"))
        resolver = SongResolver(None, table=table, arrays=serving.part("res"))
        rec = Recommender(model, artist_weight=artist_weight, table=table, arrays=serving.part("rec"))
        cooc = CoOccurrence.from_arrays(serving.part("co"), len(table))
        return cls(table, resolver, rec, WordSearch(rec, arrays=serving.part("ws")), cooc)

    @classmethod
    def for_model(cls, model: FittedModel, artist_weight: float = ARTIST_WEIGHT) -> ServingParts:
        """The parts ``model`` serves with: over its saved arrays when it has some, else built.

        Saved arrays that do not fit the model (a hand-edited record, an older layout) are
        not fatal: the parts are built instead, with a warning, as for a fresh fit.
        """
        check_artist_weight(artist_weight)  # a bad weight is the caller's error, not the arrays'
        serving = serving_of(model)
        if serving is not None:
            try:
                return cls.from_arrays(model, serving, artist_weight)
            except (KeyError, ValueError) as exc:
                logger.warning("the model's saved arrays do not fit it (%s); building them instead", exc)
        return cls.build(model, artist_weight)

    def arrays(self) -> ServingArrays:
        """Every part's arrays, named ``<part>.<name>``: what the artifact saves and maps."""
        return ServingArrays(
            n_songs=len(self.table),
            arrays={
                **prefixed("table", self.table.arrays()),
                **prefixed("rec", self.recommender.arrays()),
                **prefixed("res", self.resolver.arrays()),
                **prefixed("ws", self.word_search.arrays()),
                **prefixed("co", self.cooc.arrays()),
            },
        )


def _cooccurrence(model: FittedModel) -> CoOccurrence:
    """Co-occurrence from *all* the catalog's playlists (what ships; the benchmark measures a
    version built from its tuning playlists only), or none without a ``playlists`` column."""
    songs = model.songs_
    if "playlists" not in songs.columns:
        return CoOccurrence.empty_for(len(model.labels_))
    return CoOccurrence.from_songs(songs["playlists"].tolist())


__all__ = ["ServingParts"]
