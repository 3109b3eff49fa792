"""Read a chat message as a request: what is asked, about which songs, changed how.

The reader explains a message token by token and leaves titles for last:

1. filters said in words ("from the 90s", "under 3 minutes") and typed (``tempo 90-110``)
   are cut out first (:mod:`engine.language.plain_filters`, :mod:`engine.filters`);
2. whole-message intents: start over, help, "more", greetings and thanks;
3. references to what was shown ("the second one", "#3", "that one"), counts ("five
   songs"), critiques ("a bit sadder", "more acoustic", "deeper cuts"), exclusions
   ("no more Drake", "not this artist"), ratings ("love the 2nd one");
4. seeds: the words after a cue ("songs like", "similar to", "mix of X and Y") or before
   a tail ("X vibes") are resolved as a title (or an artist) by the song resolver; a
   title may hold any word ("Harder, Better, Faster, Stronger"), so the whole span is
   tried before the span less its trailing modifiers;
5. the rest is mood words (the vocabulary, negations, typos: :mod:`engine.words.mood_words`);
   a run of words nothing explains is tried as a bare title ("blinding lights"), and
   otherwise named back as ignored.

The reader never raises on what people type and never guesses a song weakly: a bare
title must resolve exactly or strongly, a weak one is reported, not taken.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from ..filters import TargetError, parse_targets, split_query
from ..text import fold
from .lexicon import (
    ABOUT_BLOCKERS,
    ABOUT_PHRASES,
    ABOUT_TOPICS,
    ADDITIONS,
    ADJECTIVES,
    CHAT_WORDS,
    COMMON_WORDS,
    COMPARATIVES,
    COUNT_NOUNS,
    DISLIKE_PHRASES,
    DISLIKE_WORDS,
    EXCLUDE_CUES,
    EXCLUSION_TAILS,
    FILLER,
    GOAL_PHRASES,
    GREETINGS,
    HARD_BOUNDARIES,
    HELP_PHRASES,
    HOW_TO_SUBJECTS,
    HOW_TO_VERBS,
    INTENSITY,
    LAST_REQUEST_HEADS,
    LIKE_WORDS,
    LINK_PHRASES,
    LINK_WORDS,
    MIX_CUES,
    MORE_PHRASES,
    MUSIC_WORDS,
    NEGATION_PHRASES,
    NUMBERS,
    ORDINALS,
    OTHER_ARTIST,
    PRAISE_WORDS,
    QUESTION_WORDS,
    REF_NOUNS,
    REQUEST_WORDS,
    RESTART_EXTRAS,
    RESTART_PHRASES,
    SEED_CUES,
    SEED_JOINERS,
    SEED_TAILS,
    SMALLTALK_WORDS,
    SUGGESTION_LEADS,
    SURPRISE_PHRASES,
    THANKS,
    THIS_ARTIST,
)
from .plain_filters import negated_decades, plain_filters
from .request import Critique, Intent, Mention, Ref, Request
from .tokens import BREAK, clean, tokenize

if TYPE_CHECKING:
    from ..resolver import Resolution, SongResolver
    from ..words.mood_words import MoodWords
    from ..words.vocabulary import VocabWord

logger = logging.getLogger(__name__)

#: Largest count a request can ask for (the chat's own ceiling is applied later).
MAX_COUNT = 50
#: Largest list position a reference can name.
MAX_REF = 25
#: A bare title (no "like", no "by") is taken only when the resolver is this sure (0..100).
BARE_TITLE_SCORE = 95.0
#: Longest span (tokens) tried as one title.
MAX_SEED_TOKENS = 14
#: Resolver calls one message may make (each costs up to a few ms on a big catalog).
MAX_LOOKUPS = 6

_DIGITS = re.compile(r"^[0-9]{1,3}$")
_MULTI = 4  # longest lexicon phrase, in tokens


def _phrases(table: object) -> dict[int, set[str]]:
    """Lexicon phrases grouped by their length in tokens (longest matched first)."""
    out: dict[int, set[str]] = {}
    for p in table:  # type: ignore[attr-defined]
        out.setdefault(len(str(p).split()), set()).add(str(p))
    return out


_SEED_CUES = _phrases(SEED_CUES)
_MIX_CUES = _phrases(MIX_CUES)
_EXCLUDE_CUES = _phrases(EXCLUDE_CUES)
_INTENSITY = _phrases(INTENSITY)
_THIS_ARTIST = _phrases(THIS_ARTIST)
_OTHER_ARTIST = _phrases(OTHER_ARTIST)
_GOALS = _phrases(GOAL_PHRASES)
_LAST_REQUEST_HEADS = _phrases(LAST_REQUEST_HEADS)
_COMPARATIVES = _phrases(COMPARATIVES)
_ADJECTIVES = _phrases(ADJECTIVES)
#: One-word comparatives and adjectives, for typos ("slwer", "more acustic").
_ONE_WORD_COMPARATIVES = tuple(k for k in COMPARATIVES if " " not in k)
_ONE_WORD_ADJECTIVES = tuple(k for k in ADJECTIVES if " " not in k)
#: Words after which a lone word is a change of the list ("a bit slwer", "but fastr").
_CHANGE_LEADS = frozenset("but and even bit little much way lot slightly".split())
_NUMBER_WORDS = _phrases(NUMBERS)
#: Words that, before a number, make it a count ("top 5", "gimme 3").
_COUNT_LEADS = frozenset(
    "top give gimme show need want get find play list recommend suggest another next".split()
)
#: Words before a reference that ask for songs like it ("more like #2", "similar to the first").
_LIKE_CUES = frozenset(("like", "to", "of", "as"))
#: Words after which a bare number is a list position ("more like 2").
_REF_LEADS = frozenset(("like", "love", "hate", "liked", "loved"))
_REF_WORDS = frozenset(("no", "number", "nr", "num", "track", "song", "pick", "option"))
_POLITE = frozenset(
    "please pls plz plss thanks thank thx ty you u bot clusterfy hey yo hi hello ok okay now so "
    "lol lmao lmfao haha hahaha xd sm tysm".split()
)
_ME = frozenset(("i", "im", "i m", "we"))
#: Praise, thanks and greetings beside a request ("perfect, now 8 of those"): understood.
_CHAT = PRAISE_WORDS | THANKS | GREETINGS
#: "8 of those": a number of songs of the current list.
_OF_THE_LIST = frozenset("those these them em that this".split())
#: A letter held for three or more ("hiii").
_STRETCHED = re.compile(r"([a-z])\1{2,}")
#: Words that point at the whole list shown ("more like those"), never a title or an artist.
_THE_LIST = frozenset("those these them em ones".split())


@dataclass
class _Work:
    """The message being read: tokens and which are explained."""

    tokens: list[str]
    used: list[bool] = field(default_factory=list)
    lookups: int = 0

    def __post_init__(self) -> None:
        self.used = [t == BREAK for t in self.tokens]

    def free(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and not self.used[i]

    def take(self, i: int, j: int) -> None:
        for k in range(i, j):
            self.used[k] = True

    def phrase_at(self, i: int, table: dict[int, set[str]], *, free: bool = True) -> int:
        """Length (tokens) of the longest ``table`` phrase starting at ``i``, 0 if none."""
        for size in range(min(_MULTI, len(self.tokens) - i), 0, -1):
            if free and not all(self.free(k) for k in range(i, i + size)):
                continue
            if " ".join(self.tokens[i : i + size]) in table.get(size, ()):
                return size
        return 0

    def words(self) -> list[str]:
        return [t for t in self.tokens if t != BREAK]


class RequestReader:
    """Reads messages over one catalog's resolver and mood words (thread-safe, no state)."""

    def __init__(self, resolver: SongResolver, mood_words: MoodWords) -> None:
        self.resolver = resolver
        self.mood_words = mood_words

    # -- the whole message --------------------------------------------------------------
    def read(self, text: object) -> Request:
        """What ``text`` asks; never raises on user input."""
        cleaned, truncated = clean(text)
        if not cleaned:
            return Request(text="", intent="smalltalk", truncated=truncated)
        rest, refused = negated_decades(cleaned)
        rest, said = plain_filters(rest)
        filters = [f for _, f in said]
        problems: tuple[str, ...] = tuple(refused)
        try:
            rest, typed = split_query(rest)
            filters += [t.text for t in typed]
        except TargetError as exc:
            problems += tuple(str(p) for p in exc.problems)
        for f in list(filters):  # said filters are built here: check them the same way
            try:
                parse_targets(f)
            except TargetError as exc:
                filters.remove(f)
                problems += tuple(str(p) for p in exc.problems)
        work = _Work(_additions(_negations([self._unstretched(w) for w in tokenize(rest)])))
        _take_suggestion_lead(work)
        _take_last_request(work)
        goals = _take_goals(work)  # before titles: "songs like in the end to cheer me up"
        base = {
            "text": cleaned,
            "truncated": truncated,
            "filters": tuple(filters),
            "filter_problems": problems,
        }
        if self._surprise(work):  # "surprise me", "random songs from the 90s"
            return Request(intent="vibe", surprise=True, **base)  # type: ignore[arg-type]
        whole = self._whole_intent(work)
        if whole is not None and not filters:
            return Request(intent=whole, **base)  # type: ignore[arg-type]
        refs, rated, feedback, asked_like = self._refs_and_feedback(work)
        seeds = self._seeds(work, refs)  # before critiques: "like Harder, Better, Faster, Stronger"
        count = self._count(work)
        critiques = self._critiques(work)
        excluded, this_artist, not_moods = self._exclusions(work)
        seeds += self._artists_by(work)
        # A question looks up no title said without a cue ("what genre is #1" is not the
        # song "Generé"); one that names a song, a shown pick or a change is about music
        # after all, so its other words are read (and named back) as usual.
        in_question = _off_topic_question(work.words())
        asked = bool(refs or seeds or critiques or excluded or filters or this_artist)
        question = in_question and not asked
        if not in_question:
            seeds += self._titled_segments(work)
        words, corrections, leftover = self._moods(work)
        words = self._toward_goals(words, goals)
        if in_question:  # "whats the tempo of #2" asks about #2, not for fast songs
            words = []
        if question:
            leftover = [w for w in work.words() if w not in FILLER][:8]
        if (
            not seeds
            and leftover
            and not critiques
            and not in_question
            and not [w for w, neg in words if not neg]
        ):
            bare = self._bare_title(work, leftover)
            if bare is not None:
                seeds.append(bare)
                words = [(w, neg) for w, neg in words if w not in bare.text.split()]
                leftover = []
        moods = tuple(dict.fromkeys(w for w, neg in words if not neg))
        not_moods += [w for w, neg in words if neg and w not in not_moods]
        request = Request(
            songs=tuple(seeds),
            refs=tuple(refs),
            rated=tuple(rated),
            moods=moods,
            not_moods=tuple(dict.fromkeys(not_moods)),
            critiques=tuple(critiques),
            exclude_artists=tuple(excluded),
            exclude_this_artist=this_artist,
            count=count,
            feedback=feedback,
            ignored=tuple(leftover),
            corrections=tuple(corrections),
            mood_words=tuple(words),
            intent="unknown",
            **base,  # type: ignore[arg-type]
        )
        intent = self._intent(request, work, whole, asked_like)
        logger.debug("read %r as %s", cleaned[:80], intent)
        return self._as_about(self._as_link(Request(**{**request.__dict__, "intent": intent}), work), work)

    @staticmethod
    def _as_link(request: Request, work: _Work) -> Request:
        """ "give me the spotify link for #1", "where can i listen to #2", "link 3": where to
        listen to a shown song, not songs like it (a bare number is its position)."""
        tokens = work.words()
        joined = " ".join(tokens)
        if (
            request.seeds
            or request.moods
            or not (any(w in LINK_WORDS for w in tokens) or any(p in joined for p in LINK_PHRASES))
        ):
            return request
        refs = request.refs
        if not refs:
            refs = tuple(dict.fromkeys(int(w) for w in tokens if w.isdigit() and 1 <= int(w) <= MAX_REF))
        ignored = tuple(w for w in request.ignored if w not in LINK_WORDS and not w.isdigit())
        return Request(**{**request.__dict__, "link": True, "refs": refs, "ignored": ignored})

    @staticmethod
    def _as_about(request: Request, work: _Work) -> Request:
        """ "who sings #2", "what genre is #1", "tell me about the last one": what a shown song
        is (its artist, mood and how it sounds), not songs like it. Only a question about
        picks and nothing else: a change, a mood or "like" makes it a request for songs."""
        words = work.words()
        joined = " ".join(words)
        phrased = any(p in joined for p in ABOUT_PHRASES)
        # the question may follow praise or a rating: "perfect. who is #3 by"
        asked = [s.split() for s in " ".join(work.tokens).split(BREAK)]
        asks = any(s and s[0] in QUESTION_WORDS and " ".join(s[:2]) not in SUGGESTION_LEADS for s in asked)
        # praise in a sentence of its own ("perfect.") rates no pick; "i love #2, who sings it"
        # rates #2 and stays a rating
        before = [w for s in asked if not (s and s[0] in QUESTION_WORDS) for w in s]
        feedback_apart = asks and not any(w.startswith("#") or w in ORDINALS for w in before)
        refs = request.refs
        if not refs and asks and {"that", "this", "it"} & set(words) and ABOUT_TOPICS & set(words):
            refs = ("that",)  # "what genre is that": the song talked about
        if phrased:  # "tell me more about #1": its "more" asks for nothing else
            for p in ABOUT_PHRASES:
                joined = joined.replace(p, " ")
        if (
            request.link
            or not refs
            or request.seeds
            or request.changes
            or request.moods
            or (request.feedback is not None and not feedback_apart)
            or request.count is not None
            or any(w in ABOUT_BLOCKERS for w in joined.split())
            or not (asks or phrased)
        ):
            return request
        # (a title looked up in the question's words, "Sings", is not what was asked)
        # (praise before the question is of the list, not a rating of the pick asked about)
        return Request(
            **{**request.__dict__, "about": True, "refs": refs, "songs": (), "ignored": (), "feedback": None}
        )

    def _intent(self, r: Request, work: _Work, whole: Intent | None, asked_like: bool) -> Intent:
        """The main thing asked, from the slots found (see the module docstring)."""
        bare = not (r.songs or r.refs or r.critiques or r.filters or r.moods or r.exclude_artists)
        if bare and whole is None and _how_to_question(work.words()):
            return "help"  # "how do i get recommendations", "what can this bot do"
        if _off_topic_question(work.words()) and not (r.songs or r.refs or r.critiques or r.filters):
            return "unknown"  # "who won the game last night": not about music
        if r.songs or (r.refs and (asked_like or r.feedback is None)):
            return "recommend"
        if r.moods:
            return "vibe"
        if r.changes:
            return "refine"
        if r.feedback is not None:
            return "feedback"
        if whole is not None:
            return whole
        words = [t for t in work.words() if t not in FILLER]
        if r.count is not None and not [w for w in r.ignored if w not in ("another", "next", "more")]:
            return "more"
        if words and all(t in SMALLTALK_WORDS or t in _POLITE for t in words):
            return "smalltalk"
        return "unknown"

    def _whole_intent(self, work: _Work) -> Intent | None:
        """Start over, help, more, greetings and thanks: what the whole message is, if one of them.

        Politeness around it does not count ("thanks! start over pls"); a message that
        asks for anything else is read in full instead.
        """
        words = work.words()
        core = list(words)
        while core and (core[0] in _POLITE or core[0] in GREETINGS or core[0] in THANKS):
            core.pop(0)
        while core and core[-1] in _POLITE:
            core.pop()
        phrase = " ".join(core)
        if not phrase:
            return "smalltalk" if words else None
        if (
            phrase in RESTART_PHRASES
            or phrase.replace("lets ", "") in RESTART_PHRASES
            or _restart_with_extras(core)
        ):
            return "restart"
        if phrase in HELP_PHRASES or _help_with_extras(core):
            return "help"
        if (
            phrase in MORE_PHRASES
            or " ".join(w for w in core if w not in REQUEST_WORDS and w != "the") in MORE_PHRASES
        ):
            return "more"  # also "show me the next ones"
        if all(t in SMALLTALK_WORDS or t in _POLITE for t in core):
            return "smalltalk"
        return None

    @staticmethod
    def _surprise(work: _Work) -> bool:
        """The whole message leaves the choice to the bot ("surprise me", "idk, anything")."""
        core = [w for w in work.words() if w not in _POLITE and w not in GREETINGS and w not in THANKS]
        plain = [w for w in core if w not in REQUEST_WORDS or w in ("anything", "something")]
        return bool(core) and (" ".join(core) in SURPRISE_PHRASES or " ".join(plain) in SURPRISE_PHRASES)

    # -- references, ratings, counts -------------------------------------------------------
    def _refs_and_feedback(self, work: _Work) -> tuple[list[Ref], list[Ref], int | None, bool]:
        """Positions pointed at and asked like; positions only rated beside them (see
        :func:`_rated_apart`); whether they are liked (+1) or disliked (-1); and whether
        they are asked *like* ("more like #2", "#2 but older") rather than only rated."""
        t = work.tokens
        refs: list[Ref] = []
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(t):
            first_n, size = _first_n_at(work, i)
            if first_n:  # "the first two", "first 3": the list's first n picks
                refs += list(range(1, first_n + 1))
                spans.append((i, i + size))
                work.take(i, i + size)
                i += size
                continue
            ref, size = self._ref_at(work, i)
            if ref is not None:
                refs.append(ref)
                spans.append((i, i + size))
                work.take(i, i + size)
                i += size
            else:
                i += 1
        if not refs:
            return [], [], None, False
        pointed = refs
        free = self._free_words(work)
        # "like the second one" asks for songs like it; "i like the second one" rates it
        said = f" {' '.join(t)} "
        phrased_dislike = any(f" {p} " in said for p in DISLIKE_PHRASES)
        rated_like = any(
            t[a - 1] in ("like", "likes") and a > 1 and t[a - 2] in _ME or t[a - 1] in ("love", "loved")
            for a, _ in spans
            if a > 0
        )
        liked = rated_like or any(w in LIKE_WORDS and w not in ("like", "likes") for w in free)
        disliked = any(w in DISLIKE_WORDS for w in free) or phrased_dislike
        if disliked and not rated_like:
            liked = any(w in LIKE_WORDS and w not in ("like", "likes") for w in free)
        asked_like = not phrased_dislike and any(
            (a > 0 and t[a - 1] in _LIKE_CUES and not (a > 1 and t[a - 2] in _ME))
            or (b < len(t) and (t[b] in ("but", "though") or self._critique_at(work, b) is not None))
            for a, b in spans
        )
        pairs = {" ".join(t[k : k + 2]) for k in range(len(t) - 1)}
        if not asked_like and ("similar" in t or pairs & {"more like", "something like", "songs like"}):
            asked_like = True  # "love #1, more like it": the cue stands apart from the ref
        feedback = -1 if disliked and not liked else (1 if liked else None)
        rated: list[Ref] = []
        if asked_like and feedback is not None:
            rated = [pointed[k] for k in _rated_apart(t, spans)]
        refs = [r for r in pointed if r not in rated]
        if any(r != "that" for r in refs):  # "love #1, more like it": "it" points back at #1
            refs = [r for r in refs if r != "that"]
        if not [r for r in refs if r != "that"]:  # nothing asked apart from what is rated
            refs, rated = [r for r in pointed if r != "that"] or pointed, []
        if feedback is not None:
            for k, w in enumerate(t):
                if self._starts_exclusion(work, k):
                    continue  # "#1 is trash, skip bruno mars": "skip" is left to the exclusions
                if work.free(k) and (w in LIKE_WORDS or w in DISLIKE_WORDS) and w not in ("like", "likes"):
                    work.take(k, k + 1)
                if work.free(k) and w in (
                    "is",
                    "was",
                    "are",
                    "i",
                    "really",
                    "so",
                    "one",
                    "it",
                    "this",
                    "that",
                ):
                    work.take(k, k + 1)
        return list(dict.fromkeys(refs)), list(dict.fromkeys(rated)), feedback, asked_like

    @staticmethod
    def _excluded_at(work: _Work, i: int) -> bool:
        """Whether token ``i`` is inside an exclusion cue or right after one: "no more rap"
        asks rap away, it is not the critique "more rap"."""
        for k in range(max(0, i - _MULTI), i):
            size = work.phrase_at(k, _EXCLUDE_CUES) if work.free(k) else 0
            if size and k + size >= i and BREAK not in work.tokens[k:i]:
                return True
        return False

    @staticmethod
    def _starts_exclusion(work: _Work, k: int) -> bool:
        """Whether an exclusion cue begins at token ``k`` with something after it to exclude."""
        size = work.phrase_at(k, _EXCLUDE_CUES) if work.free(k) else 0
        # (what follows must be free: "skip the first two" rates the picks it points at)
        return bool(size) and work.free(k + size) and work.tokens[k + size] != BREAK

    @staticmethod
    def _free_words(work: _Work) -> list[str]:
        return [w for k, w in enumerate(work.tokens) if work.free(k)]

    def _ref_at(self, work: _Work, i: int) -> tuple[Ref | None, int]:
        """A reference starting at token ``i``: (position, tokens it spans)."""
        t = work.tokens
        w = t[i]
        if not work.free(i):
            return None, 0
        nxt = t[i + 1] if i + 1 < len(t) else ""
        if w.startswith("#") and w[1:].isdigit():
            n = int(w[1:])
            return (n, 1) if 1 <= n <= MAX_REF else (None, 0)
        if w in _REF_WORDS and _DIGITS.match(nxt) and 1 <= int(nxt) <= MAX_REF:
            if w == "song" and i > 0 and t[i - 1] in NUMBERS:
                return None, 0
            return int(nxt), 2
        the = 1 if w == "the" else 0
        head = t[i + the] if i + the < len(t) else ""
        after = t[i + the + 1] if i + the + 1 < len(t) else ""
        if head in ORDINALS and (the or after in REF_NOUNS or after == BREAK or after == "" or after == "is"):
            size = the + 1 + (1 if after in REF_NOUNS else 0)
            return ORDINALS[head], size
        if head in ("last", "final") and (after in REF_NOUNS or (the and after in ("", BREAK, "but", "is"))):
            return "last", the + 1 + (1 if after in REF_NOUNS else 0)
        if w in ("that", "this") and nxt in REF_NOUNS:
            return "that", 2
        if (
            w in ("it", "that", "this")
            and i > 0
            and t[i - 1] in _REF_LEADS
            and nxt in ("", BREAK, "but", "and")
        ):
            return "that", 1
        if (
            _DIGITS.match(w)
            and 1 <= int(w) <= MAX_REF
            and nxt in ("is", "was", "s")
            and any(x in LIKE_WORDS or x in DISLIKE_WORDS for x in t[i + 2 : i + 5])
        ):
            return int(w), 1  # "3 is mid", "2 was fire"
        if _DIGITS.match(w) and i > 0 and t[i - 1] in _REF_LEADS and 1 <= int(w) <= MAX_REF:
            if nxt in ("", BREAK, "but", "and", "though", "only", "pls", "please") or self._critique_at(
                work, i + 1
            ):
                return int(w), 1
        return None, 0

    def _count(self, work: _Work) -> int | None:
        """A number of songs asked for: "five songs", "3 more", "top 10", "gimme 5"."""
        t = work.tokens
        for i in range(len(t)):
            if not work.free(i):
                continue
            size = work.phrase_at(i, _NUMBER_WORDS)
            if size:
                n, end = NUMBERS[" ".join(t[i : i + size])], i + size
            elif _DIGITS.match(t[i]):
                n, end = int(t[i]), i + 1
            else:
                continue
            if not 1 <= n <= MAX_COUNT:
                continue
            nxt = end
            if nxt < len(t) and t[nxt] == "more":
                nxt += 1
            if nxt + 1 < len(t) and t[nxt] == "of" and t[nxt + 1] in _OF_THE_LIST and work.free(nxt + 1):
                work.take(i, nxt + 2)  # "give me 8 of those": eight more of the same
                return n
            before = t[i - 1] if i > 0 else ""
            noun = nxt < len(t) and t[nxt] in COUNT_NOUNS
            # "5 sad songs", "three chill lofi tracks": a noun within a few mood words
            later = next(
                (k for k in range(nxt, min(nxt + 4, len(t))) if t[k] in COUNT_NOUNS and work.free(k)), None
            )
            if noun or before in _COUNT_LEADS or (nxt > end and (nxt >= len(t) or t[nxt] == BREAK)):
                work.take(i, nxt + (1 if noun else 0))
                return n
            if later is not None and all(
                t[k] in self.mood_words.forms or t[k] in ADJECTIVES or t[k] in FILLER
                for k in range(nxt, later)
            ):
                work.take(i, end)
                work.take(later, later + 1)
                return n
        return None

    # -- critiques and exclusions ------------------------------------------------------------
    def _critique_at(self, work: _Work, i: int) -> tuple[list[Critique], int] | None:
        """Critiques said from token ``i`` ("a bit slower", "more acoustic", "too loud"), or None."""
        t = work.tokens
        start = i
        intensity = 1.0
        size = work.phrase_at(i, _INTENSITY)
        if size and i + size < len(t):
            intensity = INTENSITY[" ".join(t[i : i + size])]
            i += size
            if i < len(t) and t[i] == "even":
                i += 1
        if i >= len(t) or not work.free(i):
            return None
        size = work.phrase_at(i, _COMPARATIVES)
        if size:
            feature, direction = COMPARATIVES[" ".join(t[i : i + size])]
            said = " ".join(t[start : i + size])
            return [Critique(feature, direction, intensity, said)], i + size - start
        typo = self._misspelt(t[i], _ONE_WORD_COMPARATIVES) if self._lone_change(work, i) else None
        if typo is not None and self.resolver.resolve(t[i], limit=1).status == "exact":
            typo = None  # "flower" is a title, not "slower" mistyped
        if typo is not None:
            feature, direction = COMPARATIVES[typo]
            return [Critique(feature, direction, intensity, " ".join(t[start : i + 1]))], i + 1 - start
        sign = {"more": 1, "less": -1, "too": -1, "fewer": -1, "moar": 1, "extra": 1}.get(t[i], 0)
        step = 1
        if t[i] == "not" and i + 1 < len(t) and t[i + 1] in ("so", "as", "too"):
            sign, step = -1, 2
        if sign and i + step < len(t):
            j = i + step
            size = work.phrase_at(j, _ADJECTIVES)
            if size:
                feature, direction = ADJECTIVES[" ".join(t[j : j + size])]
                said = " ".join(t[start : j + size])
                return [Critique(feature, direction * sign, intensity, said)], j + size - start
            entry, size = self._vocab_at(work, j)
            if entry is not None and t[i] in ("more", "less", "too", "moar"):
                crits = [
                    Critique(f, d * sign, intensity, " ".join(t[start : j + size]))
                    for f, d in entry.directions.items()
                    if f in ("valence", "energy", "tempo", "acousticness", "danceability", "instrumentalness")
                    or f in ("speechiness", "loudness", "duration_ms")
                ]
                if crits:
                    return crits, j + size - start
            typo = self._misspelt(t[j], _ONE_WORD_ADJECTIVES) if work.free(j) else None
            if typo is not None:  # "more acustic", "less danceble"
                feature, direction = ADJECTIVES[typo]
                return [
                    Critique(feature, direction * sign, intensity, " ".join(t[start : j + 1]))
                ], j + 1 - start
        return None

    def _unstretched(self, word: str) -> str:
        """ "hiii", "heyyy", "chilll": a greeting, a mood or a change said with a letter held
        (not filler: "mmm" or "aaa" may begin a title)."""
        if not _STRETCHED.search(word):
            return word
        for repl in (r"\1", r"\1\1"):
            short = _STRETCHED.sub(repl, word)
            if short in SMALLTALK_WORDS or short in self.mood_words.forms or short in COMPARATIVES:
                return short
        return word

    def _misspelt(self, word: str, keys: Sequence[str]) -> str | None:
        """The one key ``word`` is a typo of (one edit; two from 8 letters), else None.

        Only unknown words of 5+ letters: "slwer" is "slower", but "fast" is a mood word
        and "master" a word of its own (see :meth:`_lone_change` for where it is tried).
        """
        if len(word) < 5 or word in self.mood_words.forms or word in FILLER or word in COMMON_WORDS:
            return None
        limit = 1 if len(word) < 8 else 2
        near = [(Levenshtein.distance(word, k, score_cutoff=limit), k) for k in keys]
        near = [(d, k) for d, k in near if d <= limit]
        if not near:
            return None
        best = min(d for d, _ in near)
        closest = [k for d, k in near if d == best]
        return closest[0] if len(closest) == 1 else None

    @staticmethod
    def _lone_change(work: _Work, i: int) -> bool:
        """Whether token ``i`` stands where a change of the list is said: after "but", "a
        bit", "even"…, or as the message's only word besides small ones ("slwer pls") —
        not inside a title ("master of puppets" is not "faster of puppets")."""
        t = work.tokens
        if i > 0 and t[i - 1] in _CHANGE_LEADS:
            return True
        others = [w for k, w in enumerate(t) if k != i and w != BREAK]
        return all(w in FILLER or w in _POLITE or w in _CHAT for w in others)

    def _vocab_at(self, work: _Work, i: int) -> tuple[VocabWord | None, int]:
        """A vocabulary word (mood) starting at token ``i``: (entry, size) or (None, 0)."""
        forms = self.mood_words.forms
        for size in range(min(self.mood_words.max_phrase, len(work.tokens) - i), 0, -1):
            if not all(work.free(k) for k in range(i, i + size)):
                continue
            entry = forms.get(" ".join(work.tokens[i : i + size]))
            if entry is not None:
                return entry, size
        return None, 0

    def _critiques(self, work: _Work) -> list[Critique]:
        out: list[Critique] = []
        i = 0
        while i < len(work.tokens):
            found = self._critique_at(work, i) if work.free(i) and not self._excluded_at(work, i) else None
            if found is None:
                i += 1
                continue
            crits, size = found
            work.take(i, i + size)
            out.extend(crits)
            i += size
        return out

    def _exclusions(self, work: _Work) -> tuple[list[Mention], bool, list[str]]:
        """Artists and moods asked away: "no more Drake", "not this artist", "without rap"."""
        t = work.tokens
        artists: list[Mention] = []
        this_artist = False
        moods: list[str] = []
        i = 0
        while i < len(t):
            other = work.phrase_at(i, _OTHER_ARTIST) if i == 0 or t[i - 1] not in ("like", "than") else 0
            if other and i + other < len(t) and t[i + other] == "by":
                other = 0  # "is there someone else by the weeknd": a title and its artist
            if other:  # "someone else": not the artist shown
                work.take(i, i + other)
                this_artist = True
                i += other
                continue
            size = work.phrase_at(i, _EXCLUDE_CUES) if work.free(i) else 0
            if not size:
                i += 1
                continue
            j = i + size
            while j < len(t) and t[j] in (
                "the",
                "any",
                "more",
                "songs",
                "song",
                "stuff",
                "music",
                "of",
                "from",
                "by",
            ):
                j += 1
            this = work.phrase_at(j, _THIS_ARTIST)
            if this:
                work.take(i, j + this)
                this_artist = True
                i = j + this
                continue
            entry, vsize = self._vocab_at(work, j)
            if entry is not None and (
                j + vsize >= len(t)
                or not work.free(j + vsize)
                or t[j + vsize] in FILLER
                or t[j + vsize] in EXCLUSION_TAILS  # "no edm though"
            ):
                work.take(i, j + vsize)
                moods.append(entry.word)
                i = j + vsize
                continue
            end = j
            while end < len(t) and work.free(end) and t[end] not in HARD_BOUNDARIES and end - j < 6:
                end += 1
            while end > j and t[end - 1] in FILLER:
                end -= 1
            found = self._artist(work, " ".join(t[j:end])) if end > j and t[i] not in ("not", "no") else None
            if found is None and end > j and t[i] in ("no", "not", "no more"):
                found = self._artist(work, " ".join(t[j:end]), fuzzy=False)
            e = end - 1  # "not nirvana anymore": the name, then words that add nothing
            while found is None and e > j and (t[e] in EXCLUSION_TAILS or t[e] in FILLER):
                found = self._artist(work, " ".join(t[j:e]), fuzzy=False)
                e -= 1
            if found is not None:
                work.take(i, end)
                artists.append(found)
                i = end
                continue
            i += 1
        return artists, this_artist, moods

    # -- seeds ------------------------------------------------------------------------------
    def _artists_by(self, work: _Work) -> list[Mention]:
        """ "songs by nirvana", "anything by the weeknd", "sad stuff by adele": an artist
        asked for after words that name no song (a title before "by" is the resolver's
        "X by Y"). Read before the bare title, which took "by nirvana" for the song
        "Nirvana"; the artist's name exactly first (longest first), then a close spelling."""
        t = work.tokens
        found: list[Mention] = []
        for b, word in enumerate(t):
            if word != "by" or not work.free(b):
                continue
            k = b - 1
            while k >= 0 and work.free(k) and (t[k] in FILLER or t[k] in self.mood_words.forms):
                k -= 1
            if k >= 0 and work.free(k) and t[k] != BREAK and t[k] not in HARD_BOUNDARIES:
                continue
            end = b + 1
            while (
                end < len(t)
                and work.free(end)
                and t[end] != BREAK
                and t[end] not in HARD_BOUNDARIES
                and end - b <= MAX_SEED_TOKENS
            ):
                end += 1
            while end > b + 1 and t[end - 1] in FILLER:
                end -= 1
            for e in range(end, b + 1, -1):
                m = self._artist(work, " ".join(t[b + 1 : e]), fuzzy=False)
                if m is not None:
                    break
            else:
                e = end
                m = self._artist(work, " ".join(t[b + 1 : end])) if end > b + 1 else None
            leads = [t[x] for x in range(k + 1, b) if t[x] not in FILLER]
            if m is not None and leads:  # "happy by pharrell": a mood word may be a title
                song = self._lookup(work, " ".join([*leads, "by", *t[b + 1 : e]]), strict=True)
                if song is not None and song.kind == "song":
                    continue
            if m is not None:
                work.take(b, e)
                found.append(m)
        return found

    def _seeds(self, work: _Work, refs: list[Ref]) -> list[Mention]:
        """Songs and artists the list should sound like (cue spans, then "X vibes" tails)."""
        t = work.tokens
        seeds: list[Mention] = []
        i = 0
        while i < len(t):
            if not work.free(i):
                i += 1
                continue
            mix = work.phrase_at(i, _MIX_CUES)
            cue = mix or work.phrase_at(i, _SEED_CUES)
            if not cue:
                i += 1
                continue
            j = i + cue
            end = self._span_end(work, j)
            if end <= j:
                # "like the second one": the reference already stands there
                if j < len(t) and not work.free(j) and t[i + cue - 1] in ("like", "to", "of"):
                    work.take(i, j)
                i = j
                continue
            found = self._resolve_span(work, j, end, several=bool(mix))
            if found:
                work.take(i, j)
                seeds.extend(found)
                i = end
            else:
                i += 1
        # "Shape of You vibes", "something in the end type"
        for k in range(len(t)):
            if t[k] in SEED_TAILS and work.free(k) and k > 0 and work.free(k - 1):
                start = k
                while start > 0 and work.free(start - 1) and k - start < MAX_SEED_TOKENS:
                    start -= 1
                while start < k and t[start] in REQUEST_WORDS:
                    start += 1
                if start < k and any(self._unexplained(work, x) for x in range(start, k)):
                    found = self._resolve_span(work, start, k, several=False, strict=True)
                    if found:
                        work.take(k, k + 1)
                        seeds.extend(found)
        return seeds

    def _titled_segments(self, work: _Work) -> list[Mention]:
        """Segments (between boundaries) that are a title as a whole, said without a cue:
        "in the end by linkin park, but calmer". Only segments holding a word that nothing
        else explains are looked up, and only an exact or very strong title is taken."""
        t = work.tokens
        found: list[Mention] = []
        start = 0
        for k in range(len(t) + 1):
            if k < len(t) and t[k] != BREAK and t[k] not in HARD_BOUNDARIES:
                continue
            seg = [i for i in range(start, k) if work.free(i)]
            start = k + 1
            while seg and t[seg[0]] in REQUEST_WORDS:
                seg.pop(0)
            while seg and t[seg[-1]] in REQUEST_WORDS:
                seg.pop()
            if not seg or seg[-1] - seg[0] + 1 != len(seg) or len(seg) > MAX_SEED_TOKENS:
                continue
            explained = self._vocab_covered(work, seg)
            if not any(self._unexplained(work, i) and i not in explained for i in seg):
                continue
            # a title said bare stands alone, or before its change: "in the end, but calmer"
            after = t[k] if k < len(t) else ""
            others = [i for i in range(len(t)) if work.free(i) and i not in seg and t[i] != BREAK]
            if after not in ("but", "though", "tho", "") and any(
                t[i] not in REQUEST_WORDS and t[i] not in FILLER for i in others
            ):
                continue
            text = " ".join(t[seg[0] : seg[-1] + 1])
            if text in CHAT_WORDS and len(work.words()) > 1:
                continue  # "ooh, i like 4": an interjection, not the song "Ooh"
            m = self._lookup(work, text, strict=True)
            if m is not None and m.kind == "song" and m.score >= BARE_TITLE_SCORE:
                work.take(seg[0], seg[-1] + 1)
                found.append(m)
        return found

    def _vocab_covered(self, work: _Work, seg: list[int]) -> set[int]:
        """Tokens of ``seg`` inside a mood word or phrase ("rainy day")."""
        covered: set[int] = set()
        k = 0
        while k < len(seg):
            entry, size = self._vocab_at(work, seg[k])
            if entry is not None:
                covered.update(range(seg[k], seg[k] + size))
                k += size
            else:
                k += 1
        return covered

    def _unexplained(self, work: _Work, i: int) -> bool:
        """Whether token ``i`` is a word no table here explains (a title's word, probably)."""
        w = work.tokens[i]
        if w in FILLER or w in _POLITE or w in SMALLTALK_WORDS or w in HARD_BOUNDARIES or w in COMMON_WORDS:
            return False
        if w in ("more", "less", "too", "not", "no", "without", "even", "much", "way"):
            return False
        if w in self.mood_words.forms or w in INTENSITY or w in NUMBERS or w in ORDINALS:
            return False
        if any(w in table.get(1, ()) for table in (_COMPARATIVES, _ADJECTIVES, _EXCLUDE_CUES, _SEED_CUES)):
            return False
        return not _DIGITS.match(w)

    @staticmethod
    def _span_end(work: _Work, j: int) -> int:
        """Where a seed's span after a cue ends: at a boundary or an explained token."""
        t = work.tokens
        end = j
        while end < len(t) and work.free(end) and t[end] not in HARD_BOUNDARIES and end - j < MAX_SEED_TOKENS:
            end += 1
        return end

    def _resolve_span(
        self, work: _Work, i: int, j: int, *, several: bool, strict: bool = False
    ) -> list[Mention]:
        """Seeds in tokens ``i:j``: one title (tried whole, then without trailing modifiers),
        or several joined by "and"/"&"/"+"/","; their tokens are taken when found."""
        t = work.tokens
        while i < j and t[i] in ("the", "a", "some", "something", "songs", "song", "stuff", "music", "by"):
            if t[i] == "the" and i + 1 < j and t[i + 1] not in ("song", "songs", "track", "tracks"):
                break
            i += 1
        if i >= j:
            return []
        if all(w in _THE_LIST for w in t[i:j]):
            work.take(i, j)  # "like those but faster": the list shown, not the song "Those Eyes"
            return []
        candidates = [(i, j)]
        trimmed = j
        while trimmed > i + 1 and (
            t[trimmed - 1] in FILLER
            or t[trimmed - 1] in SEED_TAILS
            or t[trimmed - 1] in self.mood_words.forms
        ):
            trimmed -= 1
        if trimmed < j:
            candidates.append((i, trimmed))
        best: Mention | None = None
        best_span = (i, j)
        for a, b in candidates:
            m = self._lookup(work, " ".join(t[a:b]), strict=strict)
            if m is not None and (best is None or _rank(m) > _rank(best)):
                best, best_span = m, (a, b)
            if best is not None and best.kind == "song" and _rank(best) >= (3, 100.0):
                break
        joiners = [k for k in range(i + 1, j - 1) if t[k] in SEED_JOINERS or t[k] in ("&", "+", "/")]
        if joiners and (several or best is None or best.kind != "song" or _rank(best) < (3, 100.0)):
            parts: list[Mention] = []
            start = i
            for k in [*joiners, j]:
                if k > start:
                    m = self._lookup(work, " ".join(t[start:k]), strict=strict)
                    if m is None or m.kind == "unknown":
                        parts = []
                        break
                    parts.append(m)
                start = k + 1
            if len(parts) >= 2:
                work.take(i, j)
                return parts
        if best is None or (strict and best.kind not in ("song", "artist")):
            return []
        work.take(*best_span)
        return [best]

    def _lookup(self, work: _Work, text: str, *, strict: bool = False) -> Mention | None:
        """A title (or an artist's name) as the resolver reads it; None when nothing fits."""
        text = text.strip()
        if not text or work.lookups >= MAX_LOOKUPS or not fold(text):
            return None
        work.lookups += 1
        res = self.resolver.resolve(text, limit=5)
        song = _mention(text, res, bare=strict)
        if song is not None and song.kind == "song":
            return song
        if res.status == "no_match":
            by_initials = self._by_initials(work, text)
            if by_initials is not None:
                return by_initials
        artist = self._artist(work, text, fuzzy=False)
        if artist is not None:
            return artist
        return song

    def _by_initials(self, work: _Work, text: str) -> Mention | None:
        """ "billie jean by mj", "californication by rhcp": a title and its artist's initials
        (the resolver knows names, not what people shorten them to)."""
        title, sep, who = text.rpartition(" by ")
        short = fold(who).replace(" ", "")
        if not sep or not title.strip() or not 2 <= len(short) <= 5 or work.lookups >= MAX_LOOKUPS:
            return None
        work.lookups += 1
        res = self.resolver.resolve(title, limit=25)
        if res.status not in ("exact", "fuzzy", "ambiguous"):
            return None
        for c in res.candidates:
            lead = fold(c.artist.split(", ")[0]).split()
            if "".join(w[0] for w in lead if w) == short:
                return Mention(
                    text=text, kind="song", indices=(c.index,), name=f"{c.name} — {c.artist}", score=c.score
                )
        return None

    def _artist(self, work: _Work, text: str, fuzzy: bool = True) -> Mention | None:
        if not text.strip():
            return None
        found = self.resolver.find_artist(text, fuzzy=fuzzy)
        if found is None:
            return None
        name, rows = found
        return Mention(text=text, kind="artist", indices=tuple(rows), name=name, score=100.0)

    # -- moods and what is left ------------------------------------------------------------
    def _moods(self, work: _Work) -> tuple[list[tuple[str, bool]], list[tuple[str, str]], list[str]]:
        """Mood words in the unexplained tokens; what is left over (neither filler nor mood)."""
        free = [(k, w) for k, w in enumerate(work.tokens) if work.free(k)]
        if not free:
            return [], [], []
        # runs of free tokens, so a phrase never joins words across an explained one
        words: list[tuple[str, bool]] = []
        corrections: list[tuple[str, str]] = []
        leftover: list[str] = []
        run: list[tuple[int, str]] = []
        for k, w in [*free, (-1, "")]:
            if run and (k != run[-1][0] + 1 or k < 0):
                found, fixed, ignored = self.mood_words.read_words([x for _, x in run])
                words += [(entry.word, neg) for entry, neg in found]
                corrections += fixed
                leftover += [
                    x
                    for x in ignored
                    if x not in FILLER and x not in _POLITE and x not in _CHAT and x != BREAK
                ]
                run = []
            if k >= 0 and w != BREAK:
                # everyday words never become a typo of a mood word ("these" is not "tense")
                common = (w in COMMON_WORDS or w in HARD_BOUNDARIES) and w not in self.mood_words.forms
                run.append((k, "the" if common else w))
        return list(dict.fromkeys(words)), corrections, leftover

    def _toward_goals(self, words: list[tuple[str, bool]], goals: list[str]) -> list[tuple[str, bool]]:
        """The goals' mood words first, then the others but those that run against a goal:
        "im sad rn, cheer me up" asks for happy songs, not for sad and happy ones.
        Situations stay ("studying, need something to cheer me up")."""
        if not goals:
            return words
        aims = [self.mood_words.forms[g].directions for g in goals]

        def against(word: str) -> bool:
            entry = self.mood_words.forms[word]
            return entry.kind != "situation" and any(
                f in aim and aim[f] != sign for aim in aims for f, sign in entry.directions.items()
            )

        kept = [(w, negated) for w, negated in words if w not in goals and (negated or not against(w))]
        return [(g, False) for g in goals] + kept

    def _bare_title(self, work: _Work, leftover: list[str]) -> Mention | None:
        """The unexplained words read as a title: the whole free text first ("happy
        pharrell"), then the unexplained run alone; taken only when the resolver is sure."""
        free = [w for k, w in enumerate(work.tokens) if work.free(k) and w != BREAK]
        while free and free[0] in REQUEST_WORDS:
            free.pop(0)
        while free and free[-1] in REQUEST_WORDS:
            free.pop()
        tries = [" ".join(free)]
        if " ".join(leftover) not in tries:
            tries.append(" ".join(leftover))
        alone = len(work.words()) == 1
        for text in tries:
            if text in CHAT_WORDS and not alone:
                continue  # "can you help me": conversation, not the song "Help!"
            m = self._lookup(work, text, strict=True)
            if m is not None and m.kind in ("song", "artist", "ambiguous"):
                for k, w in enumerate(work.tokens):
                    if work.free(k) and w in text.split():
                        work.take(k, k + 1)
                return m
        return None


def _restart_with_extras(core: list[str]) -> bool:
    """A restart phrase with only small words around it ("ok lets start over with something
    else", "can we start again"): the whole message still asks to start over."""
    text = f" {' '.join(core)} "
    return any(  # every phrase is tried: a set's order must not decide
        len(phrase) > 4
        and f" {phrase} " in text
        and all(w in RESTART_EXTRAS for w in text.replace(f" {phrase} ", " ", 1).split())
        for phrase in RESTART_PHRASES
    )


def _help_with_extras(core: list[str]) -> bool:
    """A help phrase of three words or more with only small words around it ("hey, what
    can you do?"); with a request beside it ("can you help me find something chill") the
    request is read instead."""
    text = f" {' '.join(core)} "
    for phrase in HELP_PHRASES:
        if len(phrase.split()) >= 3 and f" {phrase} " in text:
            rest = text.replace(f" {phrase} ", " ", 1).split()
            if all(w in FILLER or w in _POLITE or w in SMALLTALK_WORDS or w in RESTART_EXTRAS for w in rest):
                return True
    return False


def _rated_apart(tokens: list[str], spans: list[tuple[int, int]]) -> list[int]:
    """Which of the refs at ``spans`` are only rated in a message that also asks songs like
    another one: a rating word or phrase in the stretch before the ref (from the ref before
    it) or right after it ("not feeling #2", "hate #2", "#2 is trash"), and no "like" cue just
    before it. "not feeling #2, more like #4 but faster" rates #2 and asks like #4."""
    out = []
    for k, (a, b) in enumerate(spans):
        if a > 0 and tokens[a - 1] in _LIKE_CUES and not (a > 1 and tokens[a - 2] in _ME):
            continue
        before = tokens[spans[k - 1][1] if k else 0 : a]
        after: list[str] = []
        for w in tokens[b : spans[k + 1][0] if k + 1 < len(spans) else len(tokens)]:
            if w in _LIKE_CUES or w in ("but", "though", "more", "something", "songs", "similar"):
                break
            after.append(w)
        for stretch in (before, after):
            said = f" {' '.join(stretch)} "
            if any(
                w in DISLIKE_WORDS or (w in LIKE_WORDS and w not in ("like", "likes")) for w in stretch
            ) or any(f" {p} " in said for p in DISLIKE_PHRASES):
                out.append(k)
                break
    return out


def _how_to_question(words: list[str]) -> bool:
    """ "how do i get recommendations", "what can this bot do": a question about using the
    bot — a question word, the bot or the user as subject and a verb of use."""
    return (
        bool(words)
        and words[0] in QUESTION_WORDS
        and any(w in HOW_TO_SUBJECTS for w in words[1:])
        and any(w in HOW_TO_VERBS for w in words[1:])
    )


def _off_topic_question(words: list[str]) -> bool:
    """A question about something else: it starts with who/what/… and names no music
    ("what about X" suggests X: not a question)."""
    return (
        bool(words)
        and words[0] in QUESTION_WORDS
        and " ".join(words[:2]) not in SUGGESTION_LEADS
        and not any(w in MUSIC_WORDS for w in words)
    )


def _take_suggestion_lead(work: _Work) -> None:
    """Mark a leading "what about" / "how about" explained: "how about some jazz" asks for
    jazz, "what about #3 but faster" for the third song, faster (after "ok", "hmm", …)."""
    t = work.tokens
    k = 0  # past "ok", "hmm", … (but "what" and "how" are filler too: they start the lead)
    while k < len(t) and (t[k] == BREAK or (t[k] in FILLER and t[k] not in QUESTION_WORDS)):
        k += 1
    if " ".join(t[k : k + 2]) in SUGGESTION_LEADS:  # (every lead is two words)
        work.take(k, k + 2)


def _take_goals(work: _Work) -> list[str]:
    """Mark what a message asks the music to do explained ("cheer me up", "calm me down")
    and give its mood words: read as mood words, "down" in "calm me down" was "sad". Not a
    title asked for: after "like" ("songs like wake me up") or as the whole message."""
    t, goals = work.tokens, []
    said = [k for k, w in enumerate(t) if w != BREAK and w not in FILLER]
    for i in range(len(t)):
        size = work.phrase_at(i, _GOALS)
        if not size:
            continue
        whole = all(i <= k < i + size for k in said)
        if not whole and not (i > 0 and t[i - 1] in ("like", "than", "as")):
            work.take(i, i + size)
            goals.append(GOAL_PHRASES[" ".join(t[i : i + size])])
    return list(dict.fromkeys(goals))


def _take_last_request(work: _Work) -> None:
    """Mark a leading "last one," / "one last thing:" explained when a request follows it:
    "ok last one, something like mr brightside" is one more request, not songs like the
    list's last song (after "ok", "alright", …; "the last one" is left to the references)."""
    t = work.tokens
    k = 0
    while k < len(t) and (t[k] == BREAK or t[k] in FILLER or t[k] in ("alright", "aight", "right")):
        if t[k] in ("the", "one", "last"):
            break
        k += 1
    size = work.phrase_at(k, _LAST_REQUEST_HEADS, free=False)
    if size:
        end = k + size
        while end < len(t) and t[end] in ("please", "pls", "plz", "then", "i", "promise"):
            end += 1
        if end < len(t) and t[end] == BREAK and any(w != BREAK for w in t[end + 1 :]):
            work.take(k, end)


def _negations(tokens: list[str]) -> list[str]:
    """ "not too sad", "nothing too loud", "not so fast" → "not sad", "not loud", "not fast"."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        two = " ".join(tokens[i : i + 2])
        if two in NEGATION_PHRASES:
            out.append("not")
            i += 2
        elif tokens[i] == "nothing" and i + 1 < len(tokens) and tokens[i + 1] not in ("but", "else"):
            out.append("not")
            i += 1
        else:
            out.append(tokens[i])
            i += 1
    return out


def _first_n_at(work: _Work, i: int) -> tuple[int, int]:
    """ "the first two", "first 3" at token ``i``: (n, tokens spanned), or (0, 0). n is 2 to
    10: "the first one" is one reference, left to the ordinals ("top 10 chill songs" is a count)."""
    t = work.tokens
    the = 1 if i < len(t) and t[i] == "the" else 0
    if i + the + 1 >= len(t) or t[i + the] != "first":
        return 0, 0
    said = t[i + the + 1]
    n = NUMBERS.get(said, int(said) if said.isdigit() else 0)
    if not 2 <= n <= 10 or not all(work.free(k) for k in range(i, i + the + 2)):
        return 0, 0
    size = the + 2 + (1 if i + the + 2 < len(t) and t[i + the + 2] in REF_NOUNS else 0)
    return n, size


def _additions(tokens: list[str]) -> list[str]:
    """ "add some rap to it", "add a bit of energy" → "more rap", "a bit more energy": a
    critique of the list, not a new subject (it gave "rap songs", "add" ignored)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for head, said in ADDITIONS.items():
            if tuple(tokens[i : i + len(head)]) == head:
                out += said
                i += len(head)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _rank(m: Mention) -> tuple[int, float]:
    """How good a reading is: a song over an artist over an ambiguous title; then its score."""
    return {"song": 3, "artist": 2, "ambiguous": 1}.get(m.kind, 0), m.score


def _mention(text: str, res: Resolution, *, bare: bool) -> Mention | None:
    """The resolver's answer as a :class:`Mention` (None when it found nothing at all)."""
    if res.status in ("exact", "fuzzy") and res.best is not None:
        best = res.best
        if bare and res.status == "fuzzy" and best.score < BARE_TITLE_SCORE:
            return None
        return Mention(
            text=text,
            kind="song",
            indices=(best.index,),
            name=f"{best.name} — {best.artist}",
            score=best.score,
        )
    if res.status == "ambiguous" and res.candidates:
        return Mention(
            text=text,
            kind="ambiguous",
            indices=tuple(c.index for c in res.candidates),
            name=res.candidates[0].name,
            score=res.candidates[0].score,
        )
    if res.status == "no_match" and not bare:
        # with the artist: three copies of "Billie Jean" read as one suggestion said thrice
        labels = dict.fromkeys(f"{c.name} — {c.artist}" for c in res.suggestions)
        return Mention(text=text, kind="unknown", suggestions=tuple(labels)[:3])
    return None


__all__ = ["BARE_TITLE_SCORE", "MAX_COUNT", "MAX_REF", "RequestReader"]


def read_all(reader: RequestReader, texts: Sequence[str]) -> list[Request]:
    """Every text read (for benchmarks and tests)."""
    return [reader.read(x) for x in texts]
