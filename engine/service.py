"""The engine's one front door for the bot, the console and the CLI.

Transport-agnostic (never imports discord): it takes the text people type and returns
the plain frozen dataclasses of :mod:`engine.results`. Every way a request can fail
*because of its input* becomes an :mod:`engine.errors` subclass carrying a message to
show and what to try instead, so a front end needs one ``except EngineError`` and never
sees a traceback; the net under every method (:func:`engine.guards.guarded`) turns a
bug into an ``UnexpectedError``, logged with its traceback.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from . import cooccur
from .blas import single_threaded_blas
from .cooccur import Blended, CoOccurrence, blend_recommend, merge_collab
from .counts import DEFAULT_COUNT, MAX_PICKS, MIN_COUNT
from .dialogue import Dialogue, DialogueState, Turn
from .errors import (
    AmbiguousSongError,
    EngineError,
    InvalidTargetsError,
    NoMatchError,
    NoResultsError,
    UnknownMoodError,
)
from .filters import Target, describe_targets, parse_targets, split_query
from .fitted import Progress, check_fitted
from .guards import clamp_int, dedupe_targets, guarded, id_set, one_line
from .language import Request, RequestReader
from .listeners.journey import Journeys
from .listeners.playlist import (
    DEFAULT_LENGTH,
    MAX_LENGTH,
    cap_artists,
    mean_step,
    order_smoothly,
    playlist_files,
)
from .listeners.taste import TasteModel, TasteProfile, collaborative
from .moods import ARCHETYPES, Mood
from .parts import ServingParts
from .reasons import Reasons, in_playlists_with
from .recommend import ARTIST_WEIGHT, Recommender
from .resolver import STATUS_AMBIGUOUS, STATUS_EMPTY, Resolution, SongResolver
from .results import ClusterReport, ForYou, Pick, Playlist, Recommendation, Song, TasteMatch, VibeResult
from .song_table import SongTable
from .stable_order import order, score_key
from .storage.model_cache import obtain_model
from .text import MAX_QUERY_CHARS, fold
from .words.mood_words import MAX_MOOD_CHARS, MoodQuery, MoodWordError, MoodWords, describe_aims
from .words.vocabulary import Aim
from .words.word_search import WordSearch, word_points

if TYPE_CHECKING:
    from .fitted import FittedModel

logger = logging.getLogger(__name__)

#: Deepest "more" page served; beyond it a user has seen the whole cluster anyway.
MAX_PAGE = 10_000
#: Typo tolerance for mood words in autocomplete (rapidfuzz ratio, 0..100).
MOOD_FUZZY_CUTOFF = 70.0


class Engine:
    """Everything a front end asks of Clusterfy, over one fitted :class:`MoodModel`.

    Construction takes the serving parts (song table, resolver, recommender, word
    search) from :class:`engine.parts.ServingParts`, over the arrays a loaded artifact
    mapped or built once, and the reasons and mood word index; every method afterwards
    is read-only, so one Engine can serve concurrent requests from worker threads.
    """

    def __init__(self, model: FittedModel, *, artist_weight: float = ARTIST_WEIGHT) -> None:
        check_fitted(model)
        single_threaded_blas()  # matrix-vector products only: see engine.blas
        self.model = model
        # over the arrays a loaded artifact mapped, else built from the song table (engine.parts)
        parts = ServingParts.for_model(model, artist_weight)
        #: Ids, names, artists, genres, years, id → row: one table shared by the resolver,
        #: the recommender and the Songs built here (flat columns: building a Song from
        #: them costs microseconds, .iloc costs far more).
        self.table: SongTable = parts.table
        self.resolver: SongResolver = parts.resolver
        self.recommender: Recommender = parts.recommender
        self.word_search: WordSearch = parts.word_search
        #: Songs people put in the same playlists (engine.cooccur; empty without playlist data).
        self.cooc: CoOccurrence = parts.cooc
        #: English for the picks: why a pick goes with its seed, how a song fits its mood.
        self.reasons = Reasons.of_model(model)
        self.moods: list[Mood] = list(model.moods_)
        self.n_songs: int = len(self.table)
        self.mood_words = MoodWords(self.moods)
        self._word_points: list[tuple[str, float, float]] | None = None
        self._rng = np.random.default_rng()

    # -- plain language ------------------------------------------------------------------------
    @functools.cached_property
    def reader(self) -> RequestReader:
        """Reads chat messages as requests over this catalog (engine.language)."""
        return RequestReader(self.resolver, self.mood_words)

    @functools.cached_property
    def dialogue(self) -> Dialogue:
        """Answers requests turn by turn (engine.dialogue)."""
        return Dialogue(self)

    @guarded
    def converse(
        self,
        state: DialogueState | None,
        text: str,
        *,
        now: float | None = None,
        exclude_ids: Collection[str] = frozenset(),
        liked_ids: Sequence[str] = (),
        disliked_ids: Sequence[str] = (),
        choice: str | None = None,
        request: Request | None = None,
    ) -> Turn:
        """One plain-language turn: ``text`` read and answered in ``state`` (None: a new
        conversation). The returned Turn carries the next state, to keep for the next turn.

        ``exclude_ids`` are songs never to show again (already shown, disliked);
        ``choice`` the song a member picked when a title was ambiguous; ``request`` the
        text already read (front ends that read it first to decide how to answer).
        """
        if request is None:
            request = self.reader.read(text)
        return self.dialogue.turn(
            state or DialogueState(),
            request,
            now=time.time() if now is None else float(now),
            exclude_ids=id_set(exclude_ids),
            liked_ids=liked_ids,
            disliked_ids=disliked_ids,
            choice=choice if isinstance(choice, str) else None,
        )

    @classmethod
    def load(
        cls,
        catalog: str | Path | None = None,
        model_path: str | Path | None = None,
        k: int | str = 4,
        progress: Progress | None = None,
    ) -> Engine:
        """Engine over the cached model of ``catalog`` (built on first use), see obtain_model.

        Start-up is operator territory, not user input, so CatalogError/ArtifactError
        and ValueError propagate unchanged for the caller to report.
        """
        return cls(obtain_model(catalog, model_path, k, progress=progress, served=True))

    # -- songs -------------------------------------------------------------------------------
    def _song(self, index: int) -> Song:
        return self._songs([index])[0]

    def _songs(self, indices: Sequence[int]) -> list[Song]:
        """Songs at valid ``indices``; array lookups done once for the whole list.

        Every recommendation builds eleven of these, so the Songs are made without the
        frozen dataclass ``__init__`` (which sets each field through
        ``object.__setattr__``, half the cost of a Song): the same fields, no checks
        skipped, since that ``__init__`` checks nothing.
        """
        idx = np.asarray(indices, dtype=np.intp)
        feats = self.recommender.features
        table = self.table
        moods, ids, names, artists, genres = (self.moods, table.ids, table.names, table.artists, table.genres)
        out: list[Song] = []
        # (cluster, year, popularity) of every song in one fancy index
        for i, (cluster, year, pop), x in zip(
            idx.tolist(), table.numbers[idx].tolist(), self.recommender.X_[idx].tolist()
        ):
            song = object.__new__(Song)
            c = int(cluster)
            song.__dict__.update(
                index=i,
                id=ids[i],
                name=names[i],
                artist=artists[i],
                year=None if math.isnan(year) else int(year),
                popularity=None if math.isnan(pop) else pop,
                genres=genres[i],
                cluster=c,
                mood=moods[c],
                features=dict(zip(feats, x)),
            )
            out.append(song)
        return out

    @guarded
    def song(self, index: int) -> Song:
        """The song at ``index`` (row of the song table); NoMatchError when there is none."""
        if (
            isinstance(index, bool)
            or not isinstance(index, (int, np.integer))
            or not 0 <= int(index) < self.n_songs
        ):
            number = (
                f" #{int(index)}"
                if isinstance(index, (int, np.integer))
                and not isinstance(index, bool)
                and abs(int(index)) < 10**12
                else ""
            )
            raise NoMatchError(f"there is no song{number} (songs are numbered 0 to {self.n_songs - 1:,})")
        return self._song(int(index))

    @guarded
    def song_by_id(self, song_id: str) -> Song | None:
        """The song with this id (also autocomplete values), or None."""
        row = self.resolver.by_id(song_id) if isinstance(song_id, str) else None
        return None if row is None else self._song(int(row))

    @guarded
    def search(self, query: str, limit: int = 10) -> Resolution:
        """Ranked candidate songs for free text; never raises on odd input."""
        return self.resolver.resolve(
            query if isinstance(query, str) else "", clamp_int(limit, 1, MAX_PICKS, 10)
        )

    @guarded
    def find_song(self, query: str) -> Song:
        """The one song ``query`` names (a title, "title by artist", an id).

        Raises NoMatchError (with did-you-mean titles) or AmbiguousSongError (with the
        candidates to choose from) rather than guessing.
        """
        if not isinstance(query, str):
            raise NoMatchError("type a song title to look for")
        row = self.resolver.by_id(query)
        if row is not None:
            return self._song(int(row))
        res = self.resolver.resolve(query)
        best = res.best
        if best is not None:
            return self._song(best.index)
        shown = one_line(res.query or query, 80)
        if res.status == STATUS_AMBIGUOUS:
            raise AmbiguousSongError(
                f"several songs match “{shown}”; which one did you mean?",
                res.candidates,
                tuple(self.resolver.label(c.index) for c in res.candidates[:5]),
            )
        if res.status == STATUS_EMPTY:
            raise NoMatchError("type a song title to look for", ("la java", "title by artist"))
        raise NoMatchError(
            f"no song matches “{shown}”", tuple(self.resolver.label(c.index) for c in res.suggestions)
        )

    def _seed_and_targets(self, query: str | int) -> tuple[Song, list[Target]]:
        """The seed song of a request and the targets typed along with it."""
        if isinstance(query, (int, np.integer)) and not isinstance(query, bool):
            return self.song(int(query)), []
        if not isinstance(query, str):
            raise NoMatchError("type a song title to start from")
        row = self.resolver.by_id(query)
        if row is not None:  # an autocomplete value or a "more" follow-up: never split it
            return self._song(int(row)), []
        title, targets = split_query(query[: MAX_QUERY_CHARS * 4])
        if not title.strip():
            if targets:
                raise NoMatchError(
                    f"name a song as well as the targets ({describe_targets(targets)})",
                    (f"la java {targets[0].text}",),
                )
            raise NoMatchError("type a song title to start from", ("la java", "title by artist"))
        return self.find_song(title), targets

    @staticmethod
    def _where(where: str | Sequence[Target] | None) -> list[Target]:
        """Targets from the ``where`` argument: text is parsed strictly, Targets pass through."""
        if where is None:
            return []
        if isinstance(where, str):
            return parse_targets(where[: MAX_QUERY_CHARS * 4]) if where.strip() else []
        try:
            items = list(where)
        except TypeError:
            raise InvalidTargetsError(
                "targets must be text such as energy>0.7", (f"not text: {type(where).__name__}",)
            ) from None
        bad = [type(t).__name__ for t in items if not isinstance(t, Target)]
        if bad:
            raise InvalidTargetsError(
                "targets must be text such as energy>0.7", tuple(f"not a target: {b}" for b in bad[:5])
            )
        return items

    # -- recommendations -----------------------------------------------------------------------
    @guarded
    def recommend(
        self,
        query: str | int,
        n: int = DEFAULT_COUNT,
        *,
        exclude_ids: Collection[str] = frozenset(),
        page: int = 0,
        per_artist: int = 2,
        where: str | Sequence[Target] = "",
        liked_ids: Sequence[str] = (),
        disliked_ids: Sequence[str] = (),
    ) -> Recommendation:
        """Songs that sound like the song ``query`` names, from its mood.

        ``query`` may carry targets ("hey jude energy>0.6"); ``where`` adds more. ``n`` is
        clamped to 1..MAX_PICKS (engine.counts; front ends refuse out-of-range counts
        before this). Raises NoMatchError/AmbiguousSongError for the seed,
        InvalidTargetsError for bad targets and NoResultsError when targets, exclusions
        or paging leave nothing. ``liked_ids``/``disliked_ids`` (the member's 👍/👎) re-rank
        a pool three times the pages' size: songs close to a 👍 rise, close to a 👎 sink.
        """
        seed, targets = self._seed_and_targets(query)
        targets = dedupe_targets(targets + self._where(where))
        n = clamp_int(n, MIN_COUNT, MAX_PICKS, DEFAULT_COUNT)
        page = clamp_int(page, 0, MAX_PAGE, 0)
        per_artist = clamp_int(per_artist, 0, MAX_PICKS, 2)
        excluded = id_set(exclude_ids)
        co = self.cooc.scores([seed.index]) if cooccur.RECOMMEND_WEIGHT > 0 else {}
        blended: dict[int, Blended] = {}
        if co:
            ranked = self._with_playlists(seed.index, co, n, page, per_artist, excluded, targets, blended)
            if liked_ids or disliked_ids:
                found = self._shape(ranked, liked_ids, disliked_ids, n, skip=page * n)
            else:
                found = ranked[page * n : (page + 1) * n]
        elif liked_ids or disliked_ids:
            pool = self.recommender.recommend(
                seed.index,
                min(3 * (page + 1) * n, 300),
                exclude_ids=excluded,
                per_artist=per_artist,
                targets=targets,
            )
            found = self._shape(pool, liked_ids, disliked_ids, n, skip=page * n)
        else:
            found = self.recommender.recommend(
                seed.index, n, exclude_ids=excluded, page=page, per_artist=per_artist, targets=targets
            )
        if not found:
            raise self._no_results(seed.mood, targets, like=seed, narrowed=bool(excluded) or page > 0)
        indices = [i for i, _ in found]
        reasons = self.reasons.reasons(seed.index, indices)
        for j, i in enumerate(indices):
            b = blended.get(i)
            if b is not None and b.share >= cooccur.REASON_SHARE:
                reasons[j] = in_playlists_with(seed.name, reasons[j])
        picks = tuple(
            Pick(song, float(blended[i].audio if i in blended else s), why)
            for song, (i, s), why in zip(self._songs(indices), found, reasons)
        )
        return Recommendation(seed=seed, picks=picks, targets=tuple(targets), page=page)

    def _with_playlists(
        self,
        seed: int,
        co: dict[int, float],
        n: int,
        page: int,
        per_artist: int,
        excluded: Collection[str],
        targets: Sequence[Target],
        blended: dict[int, Blended],
    ) -> list[tuple[int, float]]:
        """Recommend's audio pool for pages up to ``page`` blended with the seed's playlist
        co-occurrence (engine.cooccur.blend_recommend), best first, no copies, the artist cap
        per page as the recommender applies it; fills ``blended`` for the reasons. Feedback
        shaping, when asked, re-ranks this whole pool as it re-ranks the audio one."""
        rec = self.recommender
        pool = rec.recommend(
            seed, min(3 * (page + 1) * n, 300), exclude_ids=excluded, per_artist=per_artist, targets=targets
        )
        groups = {int(rec.group_[seed])} | {int(rec.group_[i]) for i in self._indices(excluded, 50_000)}
        mask = rec.song_mask(targets)
        taste = self._taste_model()

        def allowed(i: int) -> bool:
            return int(rec.group_[i]) not in groups and (mask is None or bool(mask[i]))

        ranked = blend_recommend(
            pool, co, lambda extra: taste.similarity([seed], extra)[0], cooccur.RECOMMEND_WEIGHT, allowed
        )
        seen: set[int] = set()
        unique: list[int] = []
        for b in ranked:
            g = int(rec.group_[b.song])
            if g not in seen:
                seen.add(g)
                unique.append(b.song)
                blended[b.song] = b
        if per_artist:
            unique = cap_artists(unique, rec.artist_code_, len(unique), per_artist * (page + 1))
        return [(i, blended[i].score) for i in unique]

    def _no_results(
        self, mood: Mood, targets: Sequence[Target], *, like: Song | None, narrowed: bool
    ) -> NoResultsError:
        """Say which constraint emptied the answer, so the user knows what to change."""
        what = f"{mood.label} songs" + (f" like {like.name}" if like is not None else "")
        if targets:
            wording = describe_targets(targets)
            mask = self.recommender.target_rows_mask(targets)
            rows = self.model.cluster_rows(mood.cluster)
            in_mood = 0 if mask is None else int(np.count_nonzero(mask[rows]))
            if in_mood == 0 or not narrowed:
                return NoResultsError(
                    f"no {mood.label} songs with {wording}; widen the range",
                    ("widen the range", "drop a target"),
                )
            return NoResultsError(
                f"no more {what} with {wording}: you have seen them all; widen the range",
                ("widen the range", "drop a target"),
            )
        if narrowed:
            return NoResultsError(
                f"no more {what}: you have seen them all", ("try another song", f"vibe {mood.key}")
            )
        return NoResultsError(f"no other {what} in this catalog", ("try another song",))

    @guarded
    def vibe(
        self,
        mood: str,
        n: int = DEFAULT_COUNT,
        *,
        exclude_ids: Collection[str] = frozenset(),
        seed: int | None = None,
        where: str | Sequence[Target] = "",
        liked_ids: Sequence[str] = (),
        disliked_ids: Sequence[str] = (),
    ) -> VibeResult:
        """Songs for a mood, different on each call unless ``seed`` is given.

        ``mood`` is vocabulary words ("sad but danceable", typos tolerated) or a cluster's
        name, key, emoji or number, optionally followed by filters ("chill tempo 60-90").
        Words pick the songs nearest their target across the catalog; a cluster name
        picks that cluster's typical songs.
        """
        if not isinstance(mood, str):
            raise self._unknown(MoodWordError("name a mood", self.mood_words.suggest("")))
        text, targets = split_query(mood[:MAX_MOOD_CHARS])
        query = self._parse_mood(text)
        targets = dedupe_targets(targets + self._where(where))
        n = clamp_int(n, MIN_COUNT, MAX_PICKS, DEFAULT_COUNT)
        rng_seed = clamp_int(seed, 0, 2**63 - 1, -1) if seed is not None else -1
        # Unseeded calls share one generator: a fresh default_rng() reads OS entropy on
        # every call. Generator methods hold their bit generator's lock, so sharing is safe.
        rng = self._rng if rng_seed < 0 else np.random.default_rng(rng_seed)
        excluded = id_set(exclude_ids)
        if query.cluster is not None and not query.words:
            m = query.cluster
            found = self._feedback_shaped(
                lambda k: self.recommender.vibe(m.cluster, k, exclude_ids=excluded, rng=rng, targets=targets),
                n,
                liked_ids,
                disliked_ids,
                m.cluster,
            )
            if not found:
                raise self._no_results(m, targets, like=None, narrowed=bool(excluded))
            indices = [i for i, _ in found]
            reasons = self.reasons.vibe_reasons(indices)
            picks = tuple(
                Pick(song, float(s), why) for song, (_, s), why in zip(self._songs(indices), found, reasons)
            )
            return VibeResult(
                mood=m,
                picks=picks,
                targets=tuple(targets),
                query=m.label,
                meaning=m.description,
                sources=((m, len(picks)),),
                by_cluster=True,
                emoji=m.emoji,
            )
        aims = self.word_search.usable(query.aims)
        if not aims:
            raise UnknownMoodError(
                f"this catalog has none of the features “{query.text}” is about",
                self.mood_words.suggest(query.text),
            )
        within = query.cluster
        cluster = None if within is None else within.cluster
        found = self._feedback_shaped(
            lambda k: self.word_search.pick(
                aims, k, exclude_ids=excluded, rng=rng, targets=targets, cluster=cluster
            ),
            n,
            liked_ids,
            disliked_ids,
            cluster,
        )
        if not found:
            if within is not None:
                raise self._no_results(within, targets, like=None, narrowed=bool(excluded))
            raise self._no_word_results(query, targets, narrowed=bool(excluded))
        indices = [i for i, _ in found]
        reasons = self.word_search.reasons(aims, indices)
        songs = self._songs(indices)
        picks = tuple(Pick(song, float(s), why) for song, (_, s), why in zip(songs, found, reasons))
        sources = self._sources(songs, aims)
        return VibeResult(
            mood=sources[0][0],
            picks=picks,
            targets=tuple(targets),
            query=query.text,
            meaning=describe_aims(aims),
            sources=sources,
            by_cluster=within is not None,
            emoji=query.emoji,
            corrections=query.corrections,
            ignored=query.ignored,
        )

    def _feedback_shaped(
        self,
        draw: Callable[[int], list[tuple[int, float]]],
        n: int,
        liked_ids: Sequence[str],
        disliked_ids: Sequence[str],
        cluster: int | None,
    ) -> list[tuple[int, float]]:
        """``draw(n)``; with 👍/👎 that can matter, a pool three times as large re-ranked by them.

        Only rated songs of ``cluster`` (of any mood when None) count: songs of another
        mood are never close enough to move a pick.
        """
        labels = self.model.labels_
        liked = [i for i in self._indices(liked_ids, 200) if cluster is None or labels[i] == cluster]
        disliked = [i for i in self._indices(disliked_ids, 200) if cluster is None or labels[i] == cluster]
        if not (liked or disliked):
            return draw(n)
        ids = self.table.ids
        return self._shape(draw(3 * n), [ids[i] for i in liked], [ids[i] for i in disliked], n)

    def _sources(self, songs: Sequence[Song], aims: dict[str, Aim]) -> tuple[tuple[Mood, int], ...]:
        """Clusters the picks come from, most picks first; ties go to the best-fitting centre."""
        counts: dict[int, int] = {}
        for song in songs:
            counts[song.cluster] = counts.get(song.cluster, 0) + 1
        misfit = self.word_search.centroid_misfit(aims)
        ranked = sorted(counts, key=lambda c: (-counts[c], score_key(float(misfit[c])), c))
        return tuple((self.moods[c], counts[c]) for c in ranked)

    def _no_word_results(
        self, query: MoodQuery, targets: Sequence[Target], *, narrowed: bool
    ) -> NoResultsError:
        what = f"songs for “{query.text}”"
        if targets:
            wording = describe_targets(targets)
            mask = self.recommender.target_rows_mask(targets)
            if mask is None or not narrowed or not mask.any():
                return NoResultsError(
                    f"no {what} with {wording}; widen the range", ("widen the range", "drop a target")
                )
            return NoResultsError(
                f"no more {what} with {wording}: you have seen them all; widen the range",
                ("widen the range", "drop a target"),
            )
        return NoResultsError(f"no more {what}: you have seen them all", ("try another mood",))

    # -- moods -----------------------------------------------------------------------------------
    def _mood_keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.moods)

    def _mood_help(self, lead: str) -> str:
        listed = ", ".join(f"{m.key} ({m.label})" for m in self.moods)
        return f"{lead}; moods: {listed}"

    def _unknown(self, exc: MoodWordError) -> UnknownMoodError:
        """The parser's error as the engine's: the closest words, and this model's moods."""
        words = ", ".join(exc.suggestions[:5])
        lead = exc.message + (f"; try {words}" if words else "")
        return UnknownMoodError(self._mood_help(lead), exc.suggestions)

    def _parse_mood(self, text: str) -> MoodQuery:
        try:
            return self.mood_words.parse(text)
        except MoodWordError as exc:
            raise self._unknown(exc) from None

    @guarded
    def parse_mood(self, text: str) -> MoodQuery:
        """What a mood text means (cluster or vocabulary words); UnknownMoodError if nothing."""
        if not isinstance(text, str):
            raise self._unknown(MoodWordError("name a mood", self.mood_words.suggest("")))
        return self._parse_mood(text[:MAX_MOOD_CHARS])

    @guarded
    def resolve_mood(self, word: str) -> Mood:
        """The cluster a mood text leads to: the one it names, or the one whose centre fits
        its words best. Case, accents, filler and typos are ignored; UnknownMoodError else."""
        query = self.parse_mood(word)
        if query.cluster is not None:
            return query.cluster
        aims = self.word_search.usable(query.aims)
        if not aims:
            raise UnknownMoodError(
                f"this catalog has none of the features “{query.text}” is about",
                self.mood_words.suggest(query.text),
            )
        # the cluster most of the word's best-fitting songs are in (what vibe calls its main mood)
        best = self.word_search.ranked(aims)[0][:50]
        counts = np.bincount(self.model.labels_[best], minlength=len(self.moods))
        misfit = self.word_search.centroid_misfit(aims)
        return self.moods[min(range(len(self.moods)), key=lambda c: (-counts[c], float(misfit[c])))]

    @guarded
    def complete_mood(self, prefix: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete choices (label shown, value): this model's moods and vocabulary words.

        A mood shows its emoji and label and sends its key; a word shows what it sounds
        like ("sad — low positivity, low energy") and sends the word itself; an alias
        shows where it leads ("hip hop → rap"). With several words typed, the last one is
        completed and the ones before are kept ("sad but d" → "sad but dance").
        """
        limit = clamp_int(limit, 1, MAX_PICKS, MAX_PICKS)
        text = prefix[:MAX_MOOD_CHARS] if isinstance(prefix, str) else ""
        p = fold(text)
        out: list[tuple[str, str]] = []
        values: set[str] = set()

        def add(shown: str, value: str) -> None:
            if value not in values and len(out) < limit and len(value) <= 100:
                values.add(value)
                out.append((shown[:100], value))

        words = self.mood_words
        for m in self.moods:
            if not p or any(fold(w).startswith(p) for w in (m.key, m.label, *re.split(r"[/ &]+", m.label))):
                add(f"{m.emoji} {m.label}", m.key)
        head, _, last = p.rpartition(" ")
        lead = ""
        if head:
            try:
                words.parse(head)
                lead = head + " "
            except MoodWordError:
                head, last = "", p
        stem = last if head else p
        for w in words.vocabulary:  # canonical words first, in vocabulary order
            if not stem or fold(w.word).startswith(stem):
                add(
                    f"{lead}{w.emoji} {w.word} — {describe_aims(w.aims, 3)}"
                    if not lead
                    else f"{lead}{w.word}",
                    lead + w.word,
                )
        if stem:
            for form, w in words.display_forms.items():  # then aliases: "hip hop → rap"
                if form.startswith(stem):
                    add(f"{lead}{form} → {w.word}", lead + w.word)
            if not out:
                for form, _score, _ in process.extract(
                    stem,
                    list(words.display_forms),
                    scorer=fuzz.ratio,
                    score_cutoff=MOOD_FUZZY_CUTOFF,
                    limit=limit,
                ):
                    w = words.display_forms[form]
                    add(f"{lead}{form} → {w.word}" if form != w.word else f"{lead}{w.word}", lead + w.word)
        return out

    @guarded
    def complete_song(self, prefix: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete choices (label shown, song id) for a song option."""
        return [
            (s.label, s.value)
            for s in self.resolver.complete(
                prefix if isinstance(prefix, str) else "", clamp_int(limit, 1, MAX_PICKS, MAX_PICKS)
            )
        ]

    # -- reports ---------------------------------------------------------------------------------
    @guarded
    def cluster_report(self, query: str | int) -> ClusterReport:
        """Which mood a song is in, that mood's size and top genres, and how the song differs."""
        if isinstance(query, (int, np.integer)) and not isinstance(query, bool):
            song = self.song(int(query))
        elif isinstance(query, str):
            row = self.resolver.by_id(query)
            song = self._song(int(row)) if row is not None else self.find_song(query)
        else:
            raise NoMatchError("type a song title to look for")
        c = song.cluster
        size = int(self.model.sizes_[c])
        validation = self.model.validation_
        return ClusterReport(
            song=song,
            mood=song.mood,
            size=size,
            share=size / self.n_songs,
            comparison=tuple(self.reasons.compare(song.index)),
            top_genres=tuple((str(g), int(k)) for g, k in validation.top_genres.get(c, [])),
            top_artists=tuple((str(a), int(k)) for a, k in validation.top_artists.get(c, [])),
        )

    def word_points(self) -> list[tuple[str, float, float]]:
        """Each vocabulary word's place on the valence × energy plane (computed once)."""
        points = self._word_points
        if points is None:
            points = self._word_points = word_points(self.model)
        return points

    @guarded
    def moods_overview(self) -> list[dict]:
        """One dict per mood: cluster, key, label, emoji, size, share, description."""
        return self.model.summary()

    # -- listeners: taste, for you, playlists, friends (engine/listeners/) ---------------------
    def _taste_model(self) -> TasteModel:
        """The taste model, built on first use (it only holds views of the recommender)."""
        model = self.__dict__.get("_taste")
        if model is None:
            model = self.__dict__["_taste"] = TasteModel(self.recommender)
        return model

    def _journeys(self) -> Journeys:
        """The journey maker, built on first use (it keeps a float32 copy of the features)."""
        journeys = self.__dict__.get("_journeys_model")
        if journeys is None:
            journeys = self.__dict__["_journeys_model"] = Journeys(self.recommender)
        return journeys

    def _indices(self, ids: object, limit: int = 5_000) -> list[int]:
        """Song indices of known ids, order kept, duplicates and unknown ids dropped."""
        if not ids or isinstance(ids, (str, bytes)):
            ids = (ids,) if isinstance(ids, str) else ()
        if not isinstance(ids, Iterable):
            return []
        out: dict[int, None] = {}
        index_of = self.table.row_of_id
        try:
            for sid in ids:
                i = index_of.get(sid) if isinstance(sid, str) else None
                if i is not None:
                    out.setdefault(int(i), None)
                if len(out) >= limit:
                    break
        except TypeError:
            return []
        return list(out)

    @guarded
    def taste_profile(
        self, liked_ids: Sequence[str] = (), disliked_ids: Sequence[str] = (), asked_ids: Sequence[str] = ()
    ) -> TasteProfile:
        """A member's taste from song ids, each list newest first (see engine/listeners/taste.py)."""
        return self._taste_model().profile(
            self._indices(liked_ids), self._indices(disliked_ids), self._indices(asked_ids)
        )

    def _shape(
        self, found: list[tuple[int, float]], liked_ids: object, disliked_ids: object, n: int, skip: int = 0
    ) -> list[tuple[int, float]]:
        """Re-rank a candidate pool by feedback (songs near a 👍 up, near a 👎 down)."""
        liked, disliked = self._indices(liked_ids, 200), self._indices(disliked_ids, 200)
        if not found or not (liked or disliked):
            return found[skip : skip + n]
        adjust = self._taste_model().shaping([i for i, _ in found], liked, disliked)
        shaped = np.asarray([s for _, s in found], dtype=np.float64) + adjust
        ranked = order(shaped, descending=True, key=[i for i, _ in found])
        return [found[j] for j in ranked.tolist()][skip : skip + n]

    @guarded
    def foryou(
        self,
        liked_ids: Sequence[str] = (),
        n: int = 10,
        *,
        disliked_ids: Sequence[str] = (),
        asked_ids: Sequence[str] = (),
        exclude_ids: Collection[str] = frozenset(),
        server: dict[object, tuple[Sequence[str], Sequence[str]]] | None = None,
    ) -> ForYou:
        """Picks for a member from their taste; a varied starter list when there is none.

        ``server`` maps other members of the server to (liked ids, disliked ids): their
        co-likes blend in, weighted by the evidence. Never a shown, rated or asked song.
        """
        n = clamp_int(n, 1, MAX_PICKS, 10)
        taste = self._taste_model()
        profile = taste.profile(
            self._indices(liked_ids), self._indices(disliked_ids), self._indices(asked_ids)
        )
        excluded = self._indices(id_set(exclude_ids), 50_000)
        if profile.empty:
            found = taste.starter(n, set(excluded) | set(profile.negatives.tolist()))
            songs = self._songs(found)
            picks = tuple(Pick(s, 0.0, f"a well-known, typical {s.mood.label} song") for s in songs)
            return ForYou(picks=picks, starter=True, hybrid=False, profile=profile)
        collab: dict[int, float] = {}
        evidence = 0.0
        if server:
            others = {
                m: (self._indices(liked, 2_000), self._indices(disliked, 2_000))
                for m, (liked, disliked) in list(server.items())[:5_000]
            }
            collab, evidence = collaborative(profile.anchors.tolist(), others)
        from_playlists: dict[int, float] = {}
        hybrid = bool(collab) and evidence > 0  # members' co-likes (playlists are not members)
        if cooccur.FORYOU_WEIGHT > 0:
            collab, evidence, from_playlists = merge_collab(
                collab, evidence, self.cooc.scores(profile.anchors.tolist()), cooccur.FORYOU_WEIGHT
            )
        scored = taste.foryou(profile, n, exclude=excluded, collab=collab, evidence=evidence)
        if not scored:
            raise NoResultsError(
                "no new songs left for your taste: you have seen them all",
                ("rate a few more songs", "vibe chill"),
            )
        songs = self._songs([p.index for p in scored])
        rated_up = set(self._indices(liked_ids))
        chosen: list[Pick] = []
        for song, p in zip(songs, scored):
            # an anchor is a 👍 or, weighing less, a song the member only asked about
            if p.because < 0:
                why = "close to your taste"
            elif p.because in rated_up:
                why = f"because you liked {self.table.names[p.because]}"
            else:
                why = f"close to {self.table.names[p.because]}, which you asked about"
            if p.collab >= 0.3:
                # which signal lifted it: playlist co-occurrence or members' co-likes
                in_playlists = from_playlists.get(p.index, 0.0)
                if in_playlists >= 0.5 * collab.get(p.index, 0.0) and in_playlists > 0:
                    with_song = self.cooc.strongest(p.index, profile.anchors.tolist())
                    name = self.table.names[with_song] if with_song >= 0 else "your songs"
                    why = in_playlists_with(name, why)
                else:
                    why = f"liked by members with your taste · {why}"
            chosen.append(Pick(song, max(0.0, min(1.0, p.score)), one_line(why, 90)))
        return ForYou(picks=tuple(chosen), starter=False, hybrid=hybrid, profile=profile)

    @guarded
    def resolve_titles(self, text: str, limit: int = 20) -> tuple[list[Song], list[str]]:
        """Songs for comma-separated titles ("la java, in the end"): the best match of each,
        and the parts that matched nothing."""
        if not isinstance(text, str):
            return [], []
        parts = [p.strip() for p in re.split(r"[,;\n]", text[: MAX_QUERY_CHARS * 8]) if p.strip()]
        found: list[Song] = []
        missing: list[str] = []
        for part in parts[:limit]:
            try:
                song: Song | None = self.find_song(part)
            except AmbiguousSongError as exc:
                song = self._song(exc.candidates[0].index) if exc.candidates else None
            except EngineError:
                song = None
            if song is None:
                missing.append(one_line(part, 60))
            elif song not in found:
                found.append(song)
        return found, missing

    @guarded
    def playlist(
        self,
        query: str,
        n: int = 15,
        *,
        liked_ids: Sequence[str] = (),
        disliked_ids: Sequence[str] = (),
        asked_ids: Sequence[str] = (),
        exclude_ids: Collection[str] = frozenset(),
    ) -> Playlist:
        """A smooth playlist of ``n`` songs (1..50) from a song, a mood word, ``foryou`` or a
        journey ``a -> b``; no artist twice in a row, at most two per artist, no 👎 song."""
        if not isinstance(query, str) or not query.strip():
            raise EngineError(
                "say what the playlist starts from: a song, a mood, foryou, or a -> b",
                ("la java", "chill", "foryou", "la java -> in the end"),
            )
        n = clamp_int(n, 2, MAX_LENGTH, DEFAULT_LENGTH)
        text = one_line(query, MAX_QUERY_CHARS * 2)
        banned = set(self._indices(disliked_ids)) | set(self._indices(exclude_ids, 50_000))
        taste = self._taste_model()
        parts = re.split(r"\s*(?:->|→|=>)\s*", text)
        fix_last = False
        if len(parts) >= 2:
            if len(parts) > 2 or not parts[0] or not parts[1]:
                raise EngineError(
                    "a journey goes between two songs: first -> last", ("la java -> in the end",)
                )
            a, b = self.find_song(parts[0]), self.find_song(parts[1])
            if a.index == b.index:
                raise EngineError("a journey needs two different songs", ("la java -> in the end",))
            chosen = self._journeys().between(a.index, b.index, n, banned)
            kind, title, fix_last = "journey", f"{a.name} → {b.name}", True
        elif fold(text) in {"foryou", "for you", "me", "my taste", "mine"}:
            profile = taste.profile(
                self._indices(liked_ids), self._indices(disliked_ids), self._indices(asked_ids)
            )
            if profile.empty:
                raise NoResultsError(
                    "a foryou playlist needs some 👍 first",
                    ("like a few songs", "foryou start la java, in the end"),
                )
            picks = taste.foryou(profile, n, exclude=banned, per_artist=2)
            chosen = [p.index for p in picks]
            kind, title = "foryou", "For you"
        else:
            mood = self._playlist_mood(text)
            if mood is not None:
                # seeded by the request (crc32, not hash(): str hashes change per process)
                rng = np.random.default_rng(zlib.crc32(f"{fold(text)}\x00{n}".encode()))
                found = self.recommender.vibe(
                    mood.cluster,
                    3 * n,
                    rng=rng,
                    per_artist=2,
                    exclude_ids=[self.table.ids[i] for i in banned],
                )
                found = self._shape(found, liked_ids, disliked_ids, 3 * n)
                chosen = cap_artists([i for i, _ in found], self.recommender.artist_code_, n)
                kind, title = "mood", f"{mood.emoji} {mood.label}"
            else:
                seed = self.find_song(text)
                found = self.recommender.recommend(
                    seed.index, 3 * n, per_artist=2, exclude_ids=[self.table.ids[i] for i in banned]
                )
                found = self._shape(found, liked_ids, disliked_ids, 3 * n)
                chosen = cap_artists([seed.index] + [i for i, _ in found], self.recommender.artist_code_, n)
                kind, title = "song", f"Like {seed.name}"
        if len(chosen) < 2:
            raise NoResultsError("not enough songs for a playlist there", ("try another song or mood",))
        # ordered by sound alone (standardised features), see engine.listeners.playlist
        z = self.recommender.standardised(chosen)
        steps = order_smoothly(z, self.recommender.artist_code_[chosen].tolist(), fix_last=fix_last)
        return Playlist(
            title=title,
            kind=kind,
            query=text,
            songs=tuple(self._songs([chosen[i] for i in steps])),
            mean_step=mean_step(z, steps),
        )

    def _playlist_mood(self, text: str) -> Mood | None:
        """The mood a playlist text means, if it is mood words rather than a song title:
        a mood word, or a word of a mood this catalog lacks (its nearest mood by sound)."""
        folded = fold(text)
        tokens = folded.split()
        names = self.mood_words.cluster_names  # folded cluster keys and labels, also without spaces
        for form in (folded, folded.replace(" ", ""), *tokens):
            if form in names:
                return names[form]
        for arch in ARCHETYPES:
            if any(w in arch.synonyms or w == arch.key for w in tokens):
                feats = list(self.recommender.features)
                direction = np.asarray([arch.weights.get(f, 0.0) for f in feats])
                centres = np.asarray(self.model.kmeans_.cluster_centers_, dtype=np.float64)
                return self.moods[int(np.argmax(centres @ direction))]
        return None

    @guarded
    def playlist_files(self, playlist: Playlist) -> dict[str, str]:
        """The playlist as ``.m3u`` and ``.csv`` text, keyed by a safe file name."""
        return playlist_files(playlist)

    @guarded
    def taste_match(
        self, a: tuple[Sequence[str], Sequence[str]], b: tuple[Sequence[str], Sequence[str]]
    ) -> TasteMatch:
        """How alike two members' tastes are; each is (liked ids, disliked ids), newest first."""
        taste = self._taste_model()
        pa = taste.profile(self._indices(a[0]), self._indices(a[1]))
        pb = taste.profile(self._indices(b[0]), self._indices(b[1]))
        shared = tuple(
            self.moods[c]
            for c in order(np.minimum(pa.mood_share, pb.mood_share), descending=True).tolist()
            if pa.mood_share[c] >= 0.15 and pb.mood_share[c] >= 0.15
        )
        pairs = tuple((self._song(i), self._song(j)) for i, j in taste.bridges(pa, pb, 3))
        return TasteMatch(
            score=taste.compare(pa, pb), shared_moods=shared, bridges=pairs, empty=pa.empty or pb.empty
        )

    @guarded
    def blend(
        self,
        members: Sequence[tuple[Sequence[str], Sequence[str]]],
        n: int = 10,
        *,
        exclude_ids: Collection[str] = frozenset(),
    ) -> list[tuple[Pick, tuple[int, ...]]]:
        """One list in the middle of several tastes: picks and, for each, the positions of
        the members whose taste it comes from."""
        n = clamp_int(n, 1, MAX_PICKS, 10)
        taste = self._taste_model()
        profiles = [
            taste.profile(self._indices(liked), self._indices(disliked))
            for liked, disliked in list(members)[:8]
        ]
        scored = taste.blend(profiles, n, exclude=self._indices(id_set(exclude_ids), 50_000))
        out = []
        for song, p in zip(self._songs([s.index for s in scored]), scored):
            why = f"close to {self.table.names[p.because]}" if p.because >= 0 else "between your tastes"
            out.append((Pick(song, max(0.0, min(1.0, p.score)), one_line(why, 90)), p.members))
        return out


__all__ = ["Engine"]
