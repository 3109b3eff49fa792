"""Read what people type after ``vibe`` as moods: vocabulary words, combinations, cluster names.

"sad but danceable", "chill acoustic", "energetic rap", "something to study to": the text
is folded (case, accents, punctuation), filler words are dropped, and the longest
vocabulary phrases are matched left to right ("road trip" before "road"), typos through
rapidfuzz. "not"/"no"/"without" before a word turns its target around. The words' targets
are combined feature by feature: the word that cares most about a feature (highest weight)
sets it, so in "sad but danceable" sad sets positivity and energy, danceable sets
danceability.

A cluster's own name still selects that cluster: its number, its emoji, its label
("Chill/Acoustic") or its key ("chill") when that is all the text says. Everything else
goes through the vocabulary, which is why every vocabulary word works on every model.

Kept apart from :mod:`engine.service` (which turns :class:`MoodWordError` into its
``UnknownMoodError``) so the parsing can be read and tested on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..features import FEATURE_LABELS
from ..moods import Mood
from ..text import fold
from .vocabulary import VOCABULARY, Aim, VocabWord

logger = logging.getLogger(__name__)

#: Longest mood text looked at; moods are a few words plus optional filters.
MAX_MOOD_CHARS = 200
#: Most tokens read from one query (the rest is ignored).
MAX_TOKENS = 24
#: Typo tolerance for a two-word phrase (rapidfuzz ratio, 0..100); short words need an
#: exact match.
FUZZY_CUTOFF = 80.0
#: A single word must come closer and keep its first letter: at 80 everyday words became
#: moods ("playing" partying, "eating" breathing, "looking" cooking, "heading" reading),
#: while real typos score 85-95 ("workuot", "acustic", "melancholik", "happpy").
FUZZY_WORD_CUTOFF = 85.0
FUZZY_MIN_LEN = 4
#: Parsed texts remembered (a dict: safe to share between threads under the GIL).
PARSE_CACHE_SIZE = 4096
#: How many vocabulary words an unknown word gets as suggestions.
N_SUGGESTIONS = 5
#: Words that carry no mood: "something to study to", "some chill music please".
FILLER = frozenset(
    """
a an the some something anything any songs song music tunes tune tracks track playlist play
give me my i im i'm want wanna need to for of with and but also plus yet while when that this
feel feeling feels kinda kind sort bit little very really super so more please vibe vibes
mood moods stuff like just get gimme type style sounding sound sounds good nice in on at
while during time day make makes us we you your it its something's or
""".split()
)
#: Words that turn the next vocabulary word around ("not sad").
NEGATIONS = frozenset(("not", "no", "without", "non", "never", "dont", "don't", "isnt"))
#: Vocabulary words offered when nothing typed is close to any.
DEFAULT_SUGGESTIONS = ("chill", "happy", "sad", "party", "study")


class MoodWordError(ValueError):
    """Text that names no mood; ``suggestions`` are the closest vocabulary words."""

    def __init__(self, message: str, suggestions: Sequence[str] = (), unknown: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = tuple(suggestions)
        self.unknown = unknown


@dataclass(frozen=True)
class MoodQuery:
    """What a mood text was understood as."""

    #: The words as understood, for display: "sad + danceable", "not sad".
    text: str
    #: A cluster the text named directly; with ``words`` too when its key is a vocabulary
    #: word (the picks come from the cluster, ranked by the word's target).
    cluster: Mood | None
    #: Vocabulary entries, each with whether it was negated.
    words: tuple[tuple[VocabWord, bool], ...]
    #: The combined target, feature -> Aim (z-scores).
    aims: dict[str, Aim]
    #: (typed, read as) for every typo that was corrected.
    corrections: tuple[tuple[str, str], ...] = ()
    #: Typed words that are neither filler nor vocabulary (left out).
    ignored: tuple[str, ...] = ()

    @property
    def emoji(self) -> str:
        if self.cluster is not None:
            return self.cluster.emoji
        return self.words[0][0].emoji if self.words else "🎵"


def _compact(text: str) -> str:
    return text.replace(" ", "")


def negate(aim: Aim) -> Aim:
    """The opposite target: mirrored z, at_least <-> at_most."""
    how = {"at_least": "at_most", "at_most": "at_least"}.get(aim.how, "near")
    return Aim(-aim.z, how, aim.weight)  # type: ignore[arg-type]


def combine(words: Sequence[tuple[VocabWord, bool]]) -> dict[str, Aim]:
    """One target from several words: per feature, the word with the highest weight sets it.

    Equal weights are averaged (a one-sided bound stays one-sided when all agree on the
    side, else it becomes a plain ``near`` target).
    """
    per_feature: dict[str, list[Aim]] = {}
    for word, negated in words:
        for feature, aim in word.aims.items():
            per_feature.setdefault(feature, []).append(negate(aim) if negated else aim)
    out: dict[str, Aim] = {}
    for feature, aims in per_feature.items():
        top = max(a.weight for a in aims)
        best = [a for a in aims if a.weight == top]
        hows = {a.how for a in best}
        how = best[0].how if len(hows) == 1 else "near"
        out[feature] = Aim(sum(a.z for a in best) / len(best), how, top)
    return out


class MoodWords:
    """The vocabulary and one model's cluster names, ready to parse mood texts.

    Built once per Engine (a few hundred forms); :meth:`parse` is pure and thread-safe.
    """

    def __init__(self, moods: Sequence[Mood], vocabulary: Sequence[VocabWord] = VOCABULARY) -> None:
        self.moods = list(moods)
        self.vocabulary = tuple(vocabulary)
        # folded form -> entry, also without spaces ("hiphop", "roadtrip")
        self.forms: dict[str, VocabWord] = {}
        for w in self.vocabulary:
            for form in (w.word, *w.aliases):
                folded = fold(form)
                for f in (folded, _compact(folded)):
                    if f:
                        self.forms.setdefault(f, w)
        self.form_list: list[str] = list(self.forms)
        #: one-word forms by first letter: a one-word typo keeps its first letter (see FUZZY_WORD_CUTOFF)
        self._words_by_initial: dict[str, list[str]] = {}
        for f in self.form_list:
            if " " not in f:
                self._words_by_initial.setdefault(f[0], []).append(f)
        #: the forms as written (folded), without the space-less copies, for display
        self.display_forms: dict[str, VocabWord] = {}
        for w in self.vocabulary:
            for form in (w.word, *w.aliases):
                if fold(form):
                    self.display_forms.setdefault(fold(form), w)
        self.max_phrase = max(len(f.split()) for f in self.forms)
        self.by_word: dict[str, VocabWord] = {w.word: w for w in self.vocabulary}
        # cluster names: full label and key (folded, and without spaces), emoji
        self.cluster_names: dict[str, Mood] = {}
        for m in self.moods:
            for name in (m.label, m.key):
                folded = fold(name)
                for f in (folded, _compact(folded)):
                    if f:
                        self.cluster_names.setdefault(f, m)
        self.emojis = {m.emoji: m for m in reversed(self.moods)}
        self.vocab_emojis = {w.emoji: w for w in reversed(self.vocabulary)}
        self._parsed: dict[str, MoodQuery] = {}

    # -- parsing ----------------------------------------------------------------------
    def parse(self, text: str) -> MoodQuery:
        """The mood ``text`` means; MoodWordError (with suggestions) when it means none.

        Answers are remembered (people repeat a few words), up to PARSE_CACHE_SIZE texts.
        """
        if not isinstance(text, str):
            raise MoodWordError("name a mood", DEFAULT_SUGGESTIONS)
        hit = self._parsed.get(text)
        if hit is not None:
            return hit
        query = self._parse(text)
        if len(self._parsed) >= PARSE_CACHE_SIZE:
            self._parsed.clear()  # a flood of distinct texts: start over rather than track age
        self._parsed[text] = query
        return query

    def _parse(self, text: str) -> MoodQuery:
        raw = text[:MAX_MOOD_CHARS].strip()
        if raw in self.emojis:  # the emoji a reply showed is a fine way to ask again
            return self._cluster(self.emojis[raw])
        folded = fold(raw)
        if not folded:
            if raw in self.vocab_emojis:
                w = self.vocab_emojis[raw]
                return MoodQuery(w.word, None, ((w, False),), dict(w.aims))
            raise MoodWordError("name a mood", DEFAULT_SUGGESTIONS)
        if folded.isdecimal() and folded.isascii():
            if int(folded[:6]) < len(self.moods):
                return self._cluster(self.moods[int(folded[:6])])
            raise MoodWordError(f"there is no mood #{folded[:6]}", DEFAULT_SUGGESTIONS)
        tokens = folded.split()[:MAX_TOKENS]
        meaningful = [t for t in tokens if t not in FILLER]
        # the whole text (less filler) is a cluster's label or key: that cluster
        for form in (folded, " ".join(meaningful)):
            for f in (form, _compact(form)):
                if f in self.cluster_names:
                    return self._cluster(self.cluster_names[f], self.forms.get(f))
        found_words, corrections, ignored = self._words(tokens)
        if not found_words:
            shown = " ".join(raw.split())[:40]
            unknown = " ".join(ignored) or folded
            raise MoodWordError(f"no mood called “{shown}”", self.suggest(unknown), unknown)
        words = tuple(dict.fromkeys(found_words))  # "chill chill" counts once
        if len(words) == 1 and not words[0][1]:  # "chil": a typo of a cluster's key names it too
            named = self.cluster_names.get(fold(words[0][0].word))
            if named is not None:
                found = self._cluster(named, words[0][0])
                return MoodQuery(
                    found.text, found.cluster, found.words, found.aims, tuple(corrections), tuple(ignored)
                )
        text_out = " + ".join(("not " if neg else "") + w.word for w, neg in words)
        return MoodQuery(text_out, None, words, combine(words), tuple(corrections), tuple(ignored))

    def _cluster(self, mood: Mood, word: VocabWord | None = None) -> MoodQuery:
        """A cluster named directly; by a key that is also a vocabulary word ("chill"), the
        word's target ranks the cluster's songs, so the word means the same everywhere."""
        if word is None or fold(mood.label) == fold(word.word):
            return MoodQuery(mood.label, mood, (), {})
        return MoodQuery(word.word, mood, ((word, False),), dict(word.aims))

    def read_words(
        self, tokens: Sequence[str]
    ) -> tuple[list[tuple[VocabWord, bool]], list[tuple[str, str]], list[str]]:
        """The vocabulary words in folded ``tokens`` (a part of a longer message), the typos
        corrected and the tokens that are neither filler nor mood: what :meth:`parse` reads
        a whole mood text with, for a reader of whole requests (engine.language)."""
        return self._words(list(tokens)[:MAX_TOKENS])

    def _words(
        self, tokens: list[str]
    ) -> tuple[list[tuple[VocabWord, bool]], list[tuple[str, str]], list[str]]:
        """Longest vocabulary phrases left to right; typos by rapidfuzz; filler skipped."""
        words: list[tuple[VocabWord, bool]] = []
        corrections: list[tuple[str, str]] = []
        ignored: list[str] = []
        negated = False
        i = 0
        while i < len(tokens):
            hit = None
            for size in range(min(self.max_phrase, len(tokens) - i), 0, -1):
                phrase = " ".join(tokens[i : i + size])
                entry = self.forms.get(phrase) or self.forms.get(_compact(phrase))
                if entry is not None:
                    hit = (entry, size)
                    break
            token = tokens[i]
            if hit is None and token in NEGATIONS:
                negated = True
                i += 1
                continue
            if hit is None and token in FILLER:
                i += 1
                continue
            if hit is None:
                hit = self._fuzzy(tokens, i)
                if hit is not None:
                    typed = " ".join(tokens[i : i + hit[1]])
                    corrections.append((typed, hit[0].word))
                    logger.debug("mood word %r read as %r", typed, hit[0].word)
            if hit is None:
                ignored.append(token)
                negated = False
                i += 1
                continue
            words.append((hit[0], negated))
            negated = False
            i += hit[1]
        return words, corrections, ignored

    def _fuzzy(self, tokens: list[str], i: int) -> tuple[VocabWord, int] | None:
        """A typo of a vocabulary form starting at token ``i`` (two tokens, then one)."""
        for size in (2, 1):
            if i + size > len(tokens):
                continue
            phrase = " ".join(tokens[i : i + size])
            if len(phrase) < FUZZY_MIN_LEN:
                continue
            if size == 1:
                hit = process.extractOne(
                    phrase,
                    self._words_by_initial.get(phrase[0], []),
                    scorer=fuzz.ratio,
                    score_cutoff=FUZZY_WORD_CUTOFF,
                )
                if hit is not None:
                    return self.forms[hit[0]], size
                continue
            hit = process.extractOne(phrase, self.form_list, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit is not None and " " in hit[0]:
                return self.forms[hit[0]], size
        return None

    def suggest(self, text: str, limit: int = N_SUGGESTIONS) -> tuple[str, ...]:
        """The vocabulary words closest to ``text`` (canonical words, no repeats)."""
        folded = fold(text)[:MAX_MOOD_CHARS] if isinstance(text, str) else ""
        if not folded:
            return DEFAULT_SUGGESTIONS[:limit]
        out: list[str] = []
        for form, _score, _ in process.extract(folded, self.form_list, scorer=fuzz.WRatio, limit=limit * 6):
            word = self.forms[form].word
            if word not in out:
                out.append(word)
            if len(out) == limit:
                break
        return tuple(out) or DEFAULT_SUGGESTIONS[:limit]


def describe_aims(aims: Mapping[str, Aim], limit: int = 4) -> str:
    """A target in words, strongest aims first: "low positivity, low energy, high danceability"."""
    parts = []
    for f, a in sorted(aims.items(), key=lambda fa: (-fa[1].weight, -abs(fa[1].z))):
        if a.direction:
            side = "high" if a.direction > 0 else "low"
            parts.append(f"{side} {FEATURE_LABELS.get(f, f)}")
    return ", ".join(parts[:limit]) or "about average"


__all__ = [
    "DEFAULT_SUGGESTIONS",
    "FILLER",
    "MoodQuery",
    "MoodWordError",
    "MoodWords",
    "combine",
    "describe_aims",
    "negate",
]
