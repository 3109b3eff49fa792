"""One turn of a conversation: a request read, the state moved, a list drawn or a short answer.

The state machine, written once for every front end (Discord, the console, the dashboard):

- a *subject* is set by naming songs or an artist ("songs like X", "mix of X and Y",
  "more like #2") or moods ("something chill", "not sad");
- *changes* move it: critiques ("sadder", "a bit faster", "older"), mood words said of a
  songs subject ("but chill"), exclusions ("no more Drake", "no rap"), filters ("from
  the 90s", ``tempo 90-110``) — on the current subject, or on a new one in the same line;
- "more" draws the next songs of the same target; start over, help, thanks and greetings
  get a short answer without a list; something unreadable gets two or three phrasings.

A songs subject nothing has changed is answered by the recommender itself (the same list
``!recommend`` gives; with several seeds, each seed's list in turns); once changed, lists
are the songs nearest the target (:meth:`engine.words.word_search.WordSearch.nearest`),
never a song shown before, at most two per artist, re-ranked by the member's 👍/👎 like
every other list.
"""

from __future__ import annotations

import logging
import math
import re
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

from ..counts import DEFAULT_COUNT, MAX_CHAT_COUNT, MAX_PICKS
from ..features import FEATURE_LABELS
from ..filters import Target, TargetError, describe_targets, parse_targets
from ..language.lexicon import FAREWELLS, GREETINGS, PRAISE_WORDS, THANKS
from ..language.request import Critique, Mention, Ref, Request
from ..moods import format_feature
from ..words.mood_words import combine
from .state import DialogueState
from .target import (
    BOUND_FEATURES,
    CRITIQUE_STEP,
    CRITIQUE_WEIGHT,
    Space,
    aims_of,
    bound_after,
    critiqued,
    rows_of,
    shift_text,
    song_target,
    with_words,
)

if TYPE_CHECKING:
    from ..results import Pick, Song
    from ..service import Engine

logger = logging.getLogger(__name__)

TurnKind = Literal["list", "ask", "say"]

#: Phrasings offered when a message could not be read.
EXAMPLES: Final = (
    "something like In the End but calmer",
    "5 chill songs from the 90s",
    "the second one but slower",
)
#: Phrasings offered when there is nothing to refine yet.
START_EXAMPLES: Final = ("songs like Shape of You", "something chill", "sad but danceable songs")
#: Songs an artist seed stands for (their best known).
ARTIST_SEEDS: Final = 5
#: Links given in one answer ("links for #1, #2 and #3"): each is ~100 characters.
MAX_LINKS: Final = 3
#: What "surprise me" picks from: broad moods most people enjoy, not "sleep" or "angry".
SURPRISE_WORDS: Final = (
    "happy",
    "chill",
    "upbeat",
    "groovy",
    "dreamy",
    "nostalgic",
    "summer",
    "late night",
    "road trip",
    "party",
    "cozy",
    "dance",
    "soul",
    "latin",
    "jazz",
    "rock",
    "electronic",
    "acoustic",
)
#: At most this many songs of one artist in a list merged from several seeds' lists.
MERGED_PER_ARTIST: Final = 2
#: Filters said in words that work, offered when one could not be used.
FILTER_EXAMPLES: Final = ("from the 90s", "under 3 minutes", "tempo 90-110")
#: Pool drawn before the 👍/👎 re-ranking, per song shown.
SHAPE_POOL: Final = 3


@dataclass(frozen=True)
class Turn:
    """What one message did: the new state and what to answer."""

    state: DialogueState
    request: Request
    kind: TurnKind
    understood: str = ""  # one line: how the request was read
    text: str = ""  # a short answer (kind "say"), or a note under a list
    picks: tuple[Pick, ...] = ()
    subject: tuple[Song, ...] = ()  # the songs the list sounds like
    candidates: tuple[Song, ...] = ()  # kind "ask": which one did you mean
    asked: str = ""  # kind "ask": the title that was ambiguous
    examples: tuple[str, ...] = ()  # phrasings to try
    ratings: tuple[tuple[str, int], ...] = ()  # (song id, +1/-1) for the history
    error: bool = False
    restart: bool = False
    links: tuple[Song, ...] = ()  # kind "say": songs asked where to listen to (Song.link)
    about: Song | None = None  # kind "say": the shown song asked about ("who sings #2")


class Dialogue:
    """Turns over one :class:`~engine.service.Engine` (read-only; thread-safe)."""

    def __init__(
        self, engine: Engine, *, step: float = CRITIQUE_STEP, weight: float = CRITIQUE_WEIGHT
    ) -> None:
        """``step`` (sd per unit critique) and ``weight`` (of a critiqued aim) are the two
        tuned constants (engine.dialogue.target); benchmarks pass others to tune them."""
        self.engine = engine
        self.space = Space.of(engine.recommender, engine.table)
        self.step = step
        self.weight = weight

    def from_list(
        self, shown_ids: Sequence[str], *, label: str, seed_id: str | None = None, now: float, count: int = 0
    ) -> DialogueState:
        """A conversation about a list a command showed ("!recommend la java", "!vibe chill"),
        so "sadder" or "the second one" next refer to it: songs like ``seed_id`` when the
        list had one, else the shown songs' own sound, under ``label``."""
        rows = [int(i) for i in (self.engine.table.row_of_id.get(x) for x in shown_ids) if i is not None]
        seed = self.engine.table.row_of_id.get(seed_id) if seed_id else None
        n = count or len(rows) or DEFAULT_COUNT
        if seed is not None:
            return DialogueState(
                subject="songs",
                seed_ids=(self.engine.table.ids[int(seed)],),
                label=self.engine.table.names[int(seed)],
                aims=rows_of(song_target(self.space, [int(seed)])),
                plain=True,
                shown=tuple(shown_ids),
                focus=self.engine.table.ids[int(seed)],
                count=n,
                updated=now,
            )
        aims = song_target(self.space, rows) if rows else {}
        return DialogueState(
            subject="mood",
            mood=label,
            label=label,
            aims=rows_of(aims),
            plain=False,
            shown=tuple(shown_ids),
            count=n,
            updated=now,
        )

    # -- one turn ----------------------------------------------------------------------------
    def turn(
        self,
        state: DialogueState,
        request: Request,
        *,
        now: float,
        exclude_ids: Collection[str] = (),
        liked_ids: Sequence[str] = (),
        disliked_ids: Sequence[str] = (),
        choice: str | None = None,
    ) -> Turn:
        """Answer ``request`` in ``state`` (expired states count as empty).

        ``choice`` is the song id a member picked after an ambiguous title was asked about.
        Picks the message only rates beside what it asks ("not feeling #2, more like #4")
        come back as ratings with whatever the answer is.
        """
        if state.expired(now):
            state = DialogueState()
        answer = self._turn(state, request, now, exclude_ids, liked_ids, disliked_ids, choice)
        if request.rated and request.feedback and not answer.error:
            rated = []
            for ref in request.rated:
                found = self._ref(state, ref)
                if not isinstance(found, str):
                    rated.append((self.engine.table.ids[found], int(request.feedback)))
            answer = replace(answer, ratings=answer.ratings + tuple(rated))
        return answer

    def _turn(
        self,
        state: DialogueState,
        request: Request,
        now: float,
        exclude_ids: Collection[str],
        liked_ids: Sequence[str],
        disliked_ids: Sequence[str],
        choice: str | None,
    ) -> Turn:
        if request.link:
            return self._link(state, request)
        if request.about:
            return self._about(state, request)
        if request.filter_problems:  # never a list that leaves a filter out unsaid
            return _cannot_filter(state, request, request.filter_problems)
        say = self._short_answer(state, request, now)
        if say is not None:
            return say
        if request.intent == "feedback":
            return self._feedback(state, request)
        if request.intent == "more":
            if not state.active:
                return self._nothing_yet(state, request, "There is nothing to continue yet.")
            return self._answer(
                replace(state, count=_count(request, state)),
                request,
                now,
                exclude_ids,
                liked_ids,
                disliked_ids,
            )
        new = self._subject(state, request, choice, now)
        if isinstance(new, Turn):
            return new
        if new is None:
            if not state.active:
                return self._nothing_yet(state, request, "There is no list to change yet.")
            new = state
        changed = self._changes(new, request)
        if isinstance(changed, Turn):
            return changed
        return self._answer(changed, request, now, exclude_ids, liked_ids, disliked_ids)

    def _short_answer(self, state: DialogueState, request: Request, now: float) -> Turn | None:
        """Start over, help, greetings and thanks, and what could not be read."""
        intent = request.intent
        if intent == "restart":
            return Turn(
                DialogueState(updated=now),
                request,
                "say",
                text="Starting over. What would you like to hear?",
                examples=START_EXAMPLES,
                restart=True,
            )
        if intent == "help":
            return Turn(state, request, "say", text="help", examples=EXAMPLES)
        if intent == "smalltalk":
            said = set(re.findall(r"[\w']+|[^\w\s]", request.text.casefold()))
            thanks = bool(said & THANKS) or "🙏" in request.text
            # praise of a list shown ("lol these are great"), not a greeting ("hey, good morning")
            thanks = thanks or (state.active and bool(said & PRAISE_WORDS) and not said & GREETINGS)
            if thanks:
                text = "Glad you like them! 🎶"
            elif said & FAREWELLS:
                text = "Bye! 👋 Come back for more music any time."
            else:
                text = "Hi! 👋 Ask me for music in your own words."
            greeting = text.startswith("Hi!")
            return Turn(state, request, "say", text=text, examples=EXAMPLES[:2] if greeting else ())
        if intent == "unknown":
            unread = ", ".join(f"“{w}”" for w in request.ignored[:4])
            text = "I couldn't read that as a music request" + (
                f" (I didn't understand {unread})" if unread else ""
            )
            return Turn(state, request, "say", text=text + ".", examples=EXAMPLES, error=True)
        return None

    def _link(self, state: DialogueState, request: Request) -> Turn:
        """Where to listen to the shown songs asked about ("that" one when none is named)."""
        lines: list[str] = []
        songs: list[Song] = []
        focus = state.focus
        for ref in (request.refs or ("that",))[:MAX_LINKS]:
            found = self._ref(state, ref)
            if isinstance(found, str):
                return Turn(state, request, "say", text=found, examples=("#1", "the last one"), error=True)
            (song,) = self.engine._songs([found])
            songs.append(song)
            lines.append(f"🔗 {self.engine.table.label(found)}: {song.link}")
            focus = song.id
        # the text for front ends that print it; a chat front end links ``links`` itself
        return Turn(replace(state, focus=focus), request, "say", text=" · ".join(lines), links=tuple(songs))

    def _about(self, state: DialogueState, request: Request) -> Turn:
        """What a shown song is: artist, year, mood and how it sounds against its mood (the
        text for front ends that print it; a chat front end shows the song's mood card)."""
        found = self._ref(state, request.refs[0])
        if isinstance(found, str):
            return Turn(
                state, request, "say", text=found, examples=("who sings #1", "more like #1"), error=True
            )
        report = self.engine.cluster_report(found)
        mood = report.mood
        how = "; ".join(c.text for c in report.comparison[:2])
        text = f"{self.engine.table.label(found)} · {mood.emoji} {mood.label}" + (f" · {how}" if how else "")
        return Turn(replace(state, focus=report.song.id), request, "say", text=text, about=report.song)

    def _nothing_yet(self, state: DialogueState, request: Request, lead: str) -> Turn:
        return Turn(
            state, request, "say", text=f"{lead} Ask for songs first.", examples=START_EXAMPLES, error=True
        )

    # -- subjects ----------------------------------------------------------------------------
    def _subject(
        self, state: DialogueState, request: Request, choice: str | None, now: float
    ) -> DialogueState | Turn | None:
        """The state with the subject the request names, a Turn to ask or refuse, or None
        when it names none (a refinement of the current one)."""
        seeds: list[int] = []
        labels: list[str] = []
        for m in request.songs:
            if m.kind == "ambiguous" and choice is None:
                return self._ask(state, request, m)
            if m.kind == "ambiguous":
                idx = self.engine.table.row_of_id.get(choice)
                if idx is None or idx not in m.indices:
                    return self._ask(state, request, m)
                seeds.append(int(idx))
                labels.append(self.engine.table.names[int(idx)])
            elif m.kind == "unknown":
                return self._no_song(state, request, m)
            elif m.kind == "artist":
                seeds.extend(m.indices[:ARTIST_SEEDS])
                labels.append(m.name)
            else:
                seeds.append(m.indices[0])
                labels.append(self.engine.table.names[m.indices[0]])
        for ref in request.refs:
            found = self._ref(state, ref)
            if isinstance(found, str):
                return Turn(
                    state, request, "say", text=found, examples=("#1", "the last one", "more"), error=True
                )
            seeds.append(found)
            labels.append(self.engine.table.names[found])
        if seeds:
            seeds = list(dict.fromkeys(seeds))
            ids = tuple(self.engine.table.ids[i] for i in seeds)
            return DialogueState(
                subject="songs",
                seed_ids=ids,
                label=_joined(list(dict.fromkeys(labels))),
                aims=rows_of(song_target(self.space, seeds)),
                plain=True,
                focus=ids[0],
                count=_count(request, state),
                updated=state.updated,
            )
        if request.intent == "vibe" and request.surprise:
            return self._surprise(state, request, now)
        if request.intent == "vibe" and request.moods:
            words = self._mood_aims(request)
            if isinstance(words, Turn):
                return words
            aims, text = words
            return DialogueState(
                subject="mood",
                mood=text,
                label=text,
                aims=rows_of(aims),
                plain=False,
                count=_count(request, state),
                updated=state.updated,
            )
        return None

    def _surprise(self, state: DialogueState, request: Request, now: float) -> DialogueState:
        """ "surprise me": one of a few broad, well-liked moods, another on each ask (picked
        from the time asked, so a replay of the same turn at the same time is the same),
        never the mood just shown."""
        by_word = self.engine.mood_words.by_word
        words: list[str] = [w for w in SURPRISE_WORDS if w in by_word and f"surprise: {w}" != state.label]
        words = words or sorted(by_word)  # (a vocabulary without these words)
        word = words[zlib.crc32(f"{now:.3f}".encode()) % len(words)]
        aims = self.engine.word_search.usable(combine([(by_word[word], False)]))
        return DialogueState(
            subject="mood",
            mood=word,
            label=f"surprise: {word}",
            aims=rows_of(aims),
            plain=False,
            count=_count(request, state),
            updated=state.updated,
        )

    def _mood_aims(self, request: Request) -> tuple[dict, str] | Turn:
        """The target of the request's mood words (said and negated), and how to say it."""
        by_word = self.engine.mood_words.by_word
        said = list(request.mood_words)
        # moods negated as exclusions ("but not lofi", "no rap") are read apart from the words
        said += [(w, True) for w in request.not_moods if (w, True) not in said]
        words = [(by_word[w], neg) for w, neg in said if w in by_word]
        if not words:
            return Turn(
                DialogueState(), request, "say", text="I don't know that mood.", examples=EXAMPLES, error=True
            )
        aims = self.engine.word_search.usable(combine(words))
        text = " + ".join(("not " if neg else "") + w.word for w, neg in words)
        return aims, text

    def _ref(self, state: DialogueState, ref: Ref) -> int | str:
        """The song index a reference points at, or why it points at nothing."""
        shown = state.shown
        if not shown:
            return "There is no list yet to point at: ask for songs first."
        if ref == "last":
            song_id = shown[-1]
        elif ref == "that":
            song_id = state.focus if state.focus else shown[0]
        else:
            n = int(ref)
            if not 1 <= n <= len(shown):
                return f"There is no #{n} in the last list (it has {len(shown)})."
            song_id = shown[n - 1]
        idx = self.engine.table.row_of_id.get(song_id)
        return "That song is no longer in the catalog." if idx is None else int(idx)

    def _ask(self, state: DialogueState, request: Request, m: Mention) -> Turn:
        songs = self.engine._songs(list(m.indices[:10]))
        return Turn(
            state,
            request,
            "ask",
            understood=f"Which “{m.text}” do you mean?",
            candidates=tuple(songs),
            asked=m.text,
        )

    def _no_song(self, state: DialogueState, request: Request, m: Mention) -> Turn:
        text = f"No song matches “{_cut(m.text, 60)}”"
        if m.suggestions:
            text += "; did you mean " + ", ".join(f"“{s}”" for s in m.suggestions[:3]) + "?"
        return Turn(
            state,
            request,
            "say",
            text=text + ("" if m.suggestions else "."),
            examples=EXAMPLES[:2],
            error=True,
        )

    # -- changes -----------------------------------------------------------------------------
    def _changes(self, state: DialogueState, request: Request) -> DialogueState | Turn:
        """``state`` with the request's critiques, mood words, exclusions and filters applied."""
        aims = aims_of(state.aims)
        plain = state.plain
        modifiers = list(state.modifiers)
        if state.subject == "songs" and (request.moods or request.not_moods) and request.intent != "vibe":
            found = self._mood_aims(request)
            if isinstance(found, Turn):
                return replace(found, state=state)
            words, text = found
            aims = with_words(aims, words, modifier=True)
            modifiers += [w for w in text.split(" + ") if w not in modifiers]
            plain = False
        elif state.subject == "mood" and request.not_moods and request.intent == "refine":
            by_word = self.engine.mood_words.by_word
            negated = [(by_word[w], True) for w in request.not_moods if w in by_word]
            aims = with_words(aims, self.engine.word_search.usable(combine(negated)), modifier=False)
            label = state.label + "".join(f" + not {w}" for w in request.not_moods)
            state = replace(state, label=label, mood=label)
        shifts = dict(state.shifts)
        year, popularity = state.year, state.popularity
        if request.critiques:
            listed = self._shown_indices(state)
            seeds = [i for i in (self.engine.table.row_of_id.get(s) for s in state.seed_ids) if i is not None]
            base = self.space.mean_z(listed or seeds)
            for c in request.critiques:
                if c.feature in BOUND_FEATURES:
                    column = self.space.year if c.feature == "year" else self.space.popularity
                    start = self.space.mean_of(column, listed or seeds)
                    if start is None:
                        start = self.space.mean_of(column, list(range(self.engine.n_songs)))
                    bounds = year if c.feature == "year" else popularity
                    bounds = bound_after(c, bounds, start, self.space, step=self.step)
                    year, popularity = (bounds, popularity) if c.feature == "year" else (year, bounds)
                else:
                    moved = critiqued(aims, c, base, self.space, step=self.step, weight=self.weight)
                    if moved is None:
                        continue
                    aims = moved
                shifts[c.feature] = shifts.get(c.feature, 0.0) + c.direction * c.intensity
                plain = False
        filters = list(state.filters)
        for f in request.filters:
            field = _field_of(f)
            filters = [x for x in filters if _field_of(x) != field] + [f]
        excluded = list(state.excluded_artists)
        for m in request.exclude_artists:
            if m.name and m.name not in excluded:
                excluded.append(m.name)
        if request.exclude_this_artist:
            artist = self._focus_artist(state)
            if artist is None:
                return Turn(
                    state, request, "say", text="Which artist? Name them: “no more Drake”.", error=True
                )
            if artist not in excluded:
                excluded.append(artist)
        # Excluded artists keep a song subject's list on recommend's path (the same songs,
        # minus theirs); a critique, a mood word or a filter (which may reach past the
        # seed's mood) moves it to the nearest-to-target search.
        if filters != list(state.filters):
            plain = False
        return replace(
            state,
            aims=rows_of(aims),
            plain=plain and not request.filters,
            shifts=tuple((f, v) for f, v in shifts.items() if abs(v) > 1e-9),
            modifiers=tuple(modifiers),
            year=year,
            popularity=popularity,
            filters=tuple(filters),
            excluded_artists=tuple(excluded),
            count=_count(request, state),
        )

    def _shown_indices(self, state: DialogueState) -> list[int]:
        rows = (self.engine.table.row_of_id.get(s) for s in state.shown)
        return [int(i) for i in rows if i is not None]

    def _focus_artist(self, state: DialogueState) -> str | None:
        """The artist of the song just talked about, credited first ("not this artist")."""
        song_id = (
            state.focus
            or (state.seed_ids[0] if state.seed_ids else "")
            or (state.shown[0] if state.shown else "")
        )
        idx = self.engine.table.row_of_id.get(song_id) if song_id else None
        if idx is None:
            return None
        return self.engine.table.artists[int(idx)].split(", ")[0] or None

    # -- answers -----------------------------------------------------------------------------
    def _answer(
        self,
        state: DialogueState,
        request: Request,
        now: float,
        exclude_ids: Collection[str],
        liked_ids: Sequence[str],
        disliked_ids: Sequence[str],
    ) -> Turn:
        """The next list for ``state``: a Turn with the picks, the understood line, the new state."""
        from ..errors import EngineError

        n = max(1, min(state.count, MAX_CHAT_COUNT))
        try:
            targets = self._targets(state)
        except TargetError as exc:
            return _cannot_filter(state, request, exc.problems)
        seeds = [i for i in (self.engine.table.row_of_id.get(s) for s in state.seed_ids) if i is not None]
        excluded = set(exclude_ids) | set(state.seed_ids)
        banned = self._artist_songs(state.excluded_artists)
        try:
            if state.plain and seeds:
                ids = self.engine.table.ids
                picks = self._recommended(
                    state, n, excluded | {ids[i] for i in banned}, liked_ids, disliked_ids
                )
            else:
                picks = self._nearest(state, n, excluded, banned, targets, liked_ids, disliked_ids, seeds)
        except EngineError as exc:
            return Turn(
                state,
                request,
                "say",
                text=_sentence(exc.message),
                error=True,
                examples=tuple(exc.suggestions[:3]),
            )
        if not picks:
            return Turn(
                state,
                request,
                "say",
                understood=self._understood(state, request),
                text=self._empty(state),
                error=True,
                examples=("more", "start over"),
            )
        subject = tuple(self.engine._songs(seeds)) if seeds else ()
        new = state.with_shown([p.song.id for p in picks], now)
        return Turn(
            new,
            request,
            "list",
            understood=self._understood(new, request),
            picks=tuple(picks),
            subject=subject,
        )

    def _recommended(
        self,
        state: DialogueState,
        n: int,
        excluded: set[str],
        liked_ids: Sequence[str],
        disliked_ids: Sequence[str],
    ) -> list[Pick]:
        """A songs subject nothing has changed: the recommender's own list, and with several
        seeds (an artist's best-known songs, "mix of X and Y") each seed's list in turns,
        each song once, at most two per artist.

        Why not the songs nearest the seeds' mean: the mean of several songs' sounds is a
        middle no one asked for ("songs by nirvana" gave Harry Belafonte and Barbara Mason),
        while each seed's own neighbours (Foo Fighters, Pearl Jam) are what people mean.
        """
        from ..errors import NoResultsError

        lists: list[list[Pick]] = []
        # with several seeds, each deals a few more than its share: copies and the artist
        # cap across the merged list would otherwise leave it short
        each = n if len(state.seed_ids) == 1 else min(2 * n, MAX_PICKS)
        for seed_id in state.seed_ids:
            try:
                rec = self.engine.recommend(
                    seed_id, each, exclude_ids=excluded, liked_ids=liked_ids, disliked_ids=disliked_ids
                )
            except NoResultsError:
                if len(state.seed_ids) == 1:
                    raise
                continue  # this seed's mood has run out; the others go on
            lists.append(list(rec.picks))
        if len(lists) == 1:
            return lists[0]
        group = self.engine.recommender.group_
        picks: list[Pick] = []
        groups: set[int] = set()
        per_artist: dict[str, int] = {}
        for rank in range(each):
            for ranked in lists:
                if rank >= len(ranked) or len(picks) == n:
                    continue
                pick = ranked[rank]
                artist = pick.song.artist.split(", ")[0].casefold()
                g = int(group[pick.song.index])
                if g in groups or per_artist.get(artist, 0) >= MERGED_PER_ARTIST:
                    continue
                groups.add(g)
                per_artist[artist] = per_artist.get(artist, 0) + 1
                picks.append(pick)
        return picks

    def _targets(self, state: DialogueState) -> list[Target]:
        targets: list[Target] = []
        for f in state.filters:
            targets += parse_targets(f)
        for field, (lo, hi) in (("year", state.year), ("popularity", state.popularity)):
            if lo is not None or hi is not None:
                shown = " ".join(
                    x
                    for x in (
                        f">={lo:.0f}" if lo is not None else "",
                        f"<={hi:.0f}" if hi is not None else "",
                    )
                    if x
                )
                targets.append(Target(field, lo, hi, f"{field} {shown}"))
        return targets

    def _artist_songs(self, names: Sequence[str]) -> set[int]:
        out: set[int] = set()
        for name in names:
            found = self.engine.resolver.find_artist(name, fuzzy=False)
            if found is not None:
                out.update(found[1])
        return out

    def _nearest(
        self,
        state: DialogueState,
        n: int,
        excluded: set[str],
        banned: set[int],
        targets: list[Target],
        liked_ids: Sequence[str],
        disliked_ids: Sequence[str],
        seeds: list[int],
    ) -> list[Pick]:
        """The songs nearest the state's target, re-ranked by 👍/👎, with reasons."""
        from ..results import Pick

        aims = aims_of(state.aims)
        ws = self.engine.word_search
        want = SHAPE_POOL * n if (liked_ids or disliked_ids) else n
        found = ws.nearest(aims, want, exclude_ids=excluded, exclude_idx=banned, targets=targets)
        if liked_ids or disliked_ids:
            found = self.engine._shape(found, liked_ids, disliked_ids, n)
        indices = [i for i, _ in found]
        songs = self.engine._songs(indices)
        reasons = self._reasons(state, indices, seeds)
        return [Pick(song, float(s), why) for song, (_, s), why in zip(songs, found, reasons)]

    def _reasons(self, state: DialogueState, indices: list[int], seeds: list[int]) -> list[str]:
        """Why each pick fits: the critiqued features against the subject, else the target's."""
        critiqued = [
            f for f, v in sorted(state.shifts, key=lambda fv: -abs(fv[1])) if f in self.space.features
        ]
        if not critiqued:
            return self.engine.word_search.reasons(aims_of(state.aims), indices)
        values = self.space.values
        cols = [self.space.features.index(f) for f in critiqued[:2]]
        base = {j: float(values[seeds, j].mean()) for j in cols} if seeds else {}
        out = []
        for i in indices:
            parts = []
            for f, j in zip(critiqued, cols):
                mine = format_feature(f, float(values[i, j]))
                label = FEATURE_LABELS.get(f, f)
                parts.append(f"{label} {mine}" + (f" (vs {format_feature(f, base[j])})" if j in base else ""))
            out.append(", ".join(parts))
        return out

    def _empty(self, state: DialogueState) -> str:
        if state.filters or state.year != (None, None) or state.popularity != (None, None):
            return "No more songs fit all of that; try dropping a filter, or start over."
        return "No more songs fit that: you have seen them all. Try another change, or start over."

    # -- saying it back --------------------------------------------------------------------
    def _understood(self, state: DialogueState, request: Request) -> str:
        """One line: the subject and every change, in people's units."""
        head = f"Songs like {state.label}" if state.subject == "songs" else f"{_capital(state.label)} songs"
        parts: list[str] = []
        if state.modifiers:
            parts.append("but " + " + ".join(state.modifiers))
        for f, steps in state.shifts:
            c = Critique(f, 1 if steps > 0 else -1, abs(steps))
            bounds = state.year if f == "year" else state.popularity
            amount = shift_text(c, self.space, bounds, step=self.step)
            times = abs(steps)
            word = c.describe() if times in (0.5, 1.0, 2.0) else _times(c, times)
            parts.append(f"{word} ({amount})" if amount else word)
        if state.filters:
            try:
                parts.append(describe_targets([t for f in state.filters for t in parse_targets(f)]))
            except TargetError:
                parts.append(", ".join(state.filters))
        if state.excluded_artists:
            parts.append("no " + ", ".join(state.excluded_artists))
        line = head + (" — " + "; ".join(parts) if parts else "")
        if request.ignored:
            line += " · ignored: " + ", ".join(f"“{w}”" for w in request.ignored[:5])
        if request.truncated:
            line += " · (your message was cut)"
        return line

    # -- ratings ---------------------------------------------------------------------------
    def _feedback(self, state: DialogueState, request: Request) -> Turn:
        ratings: list[tuple[str, int]] = []
        names: list[str] = []
        for ref in request.refs:
            found = self._ref(state, ref)
            if isinstance(found, str):
                return Turn(state, request, "say", text=found, error=True)
            ratings.append((self.engine.table.ids[found], int(request.feedback or 1)))
            names.append(self.engine.table.label(found))
        verb = "like" if (request.feedback or 1) > 0 else "don't like"
        emoji = "👍" if (request.feedback or 1) > 0 else "👎"
        # the song just talked about: "#2 is 🔥" then "more like that" means #2, and
        # "#3 is trash" then "not this artist" means #3's artist
        focused = replace(state, focus=ratings[-1][0]) if ratings else state
        return Turn(
            focused,
            request,
            "say",
            text=f"{emoji} Noted: you {verb} {_joined(names)}.",
            ratings=tuple(ratings),
        )


def _cannot_filter(state: DialogueState, request: Request, problems: Sequence[object]) -> Turn:
    """The answer to filters that could not be used: what was wrong, and filters that work."""
    text = "; ".join(str(p) for p in problems)
    return Turn(
        state,
        request,
        "say",
        text=f"I couldn't use that filter: {text}.",
        error=True,
        examples=FILTER_EXAMPLES,
    )


def _count(request: Request, state: DialogueState) -> int:
    if request.count is not None:
        return max(1, min(int(request.count), MAX_CHAT_COUNT))
    return state.count if state.active else DEFAULT_COUNT


def _field_of(filter_text: str) -> str:
    try:
        return parse_targets(filter_text)[0].field
    except (TargetError, IndexError):
        return filter_text


def _joined(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _times(c: Critique, times: float) -> str:
    word = Critique(c.feature, c.direction).describe()
    return f"{word} ×{times:g}" if not math.isclose(times, 1.0) else word


__all__ = ["EXAMPLES", "START_EXAMPLES", "Dialogue", "Turn"]
