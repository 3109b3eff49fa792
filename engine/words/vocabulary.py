"""Mood words people say, each a place in the standardised audio space.

A vocabulary word is a *target*: values in z-scores (standard deviations from the
catalog's mean) on the few audio features the word implies, nothing on the others. Because
targets are z-scores they mean the same thing on every catalog ("sad" = clearly less
positive and less energetic than this catalog's average) and never depend on what the
K-Means clusters of a model happened to be called. ``engine.words.mood_words`` parses what people
type into these words; ``engine.words.word_search`` finds the songs nearest a target.

How the targets were chosen
---------------------------
* Valence and energy first. Russell's circumplex model of affect (J. A. Russell, "A
  circumplex model of affect", Journal of Personality and Social Psychology 39(6), 1980)
  places feelings on two axes, pleasure (valence) and arousal; music emotion recognition
  uses the same plane (Y.-H. Yang & H. H. Chen, "Machine recognition of music emotion: a
  review", ACM TIST 3(3), 2012; R. Panda, R. Malheiro, R. P. Paiva, "Audio features for
  music emotion recognition: a survey", IEEE Trans. Affective Computing, 2020). Spotify's
  ``valence`` ("musical positiveness") stands for pleasure and ``energy`` ("a perceptual
  measure of intensity and activity") for arousal. So: happy = high valence, sad = low valence
  and low energy, angry = low valence and high energy, calm = low energy (Russell's quadrants).
* Arousal is also carried by loudness and tempo (Panda et al. 2020; Gabrielsson & Lindström,
  "The role of structure in the musical expression of emotions", Handbook of Music and
  Emotion, 2010: fast/loud = high activity, slow/soft = low), so high-arousal words add
  loudness or tempo, low-arousal words lower them.
* Situations are defined by what they ask of the music: studying and focus want few words
  (low speechiness; lyrics compete with reading, e.g. Perham & Currie, Applied Cognitive
  Psychology 28(2), 2014) and low arousal; sleep wants the quietest, slowest, most acoustic
  songs; workouts and running want high energy and tempo (Karageorghis & Priest, "Music in
  the exercise domain", Int. Review of Sport and Exercise Psychology 5(1), 2012).
* Styles map to Spotify's own feature definitions (developer.spotify.com, "Get Track's Audio
  Features"): acoustic → acousticness, instrumental → instrumentalness, rap/spoken →
  speechiness, dance → danceability, live → liveness.

Each target value is one of ``near(z)`` (a plain float: songs close to z score best),
``at_least(z)`` or ``at_most(z)`` (one-sided: anything beyond the bound fits fully; used for
the skewed features, speechiness and instrumentalness, where most songs sit at the floor).
A weight below 1 marks a secondary trait. Sizes: |z| about 0.3 is "a little", 0.6 "clearly",
1.0+ "strongly". Every word's *directions* (what ``benchmarks/vibe_words.py`` and the tests
check its picks against) are derived from its targets: the sign of every target with
|z| >= 0.3, and of every bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

Kind = Literal["feeling", "situation", "style"]

#: Targets smaller than this (in z) mean "about average": not a direction to check.
DIRECTION_MIN_Z: Final = 0.3


@dataclass(frozen=True)
class Aim:
    """One feature of a word's target: where on the z scale, how, and how much it counts."""

    z: float
    how: Literal["near", "at_least", "at_most"] = "near"
    weight: float = 1.0

    @property
    def direction(self) -> int:
        """+1 (above the mean), -1 (below) or 0 (no direction: about average)."""
        if self.how == "at_least":
            return 1 if self.z >= 0 else 0
        if self.how == "at_most":
            return -1 if self.z <= 0 else 0
        if abs(self.z) < DIRECTION_MIN_Z:
            return 0
        return 1 if self.z > 0 else -1


def near(z: float, weight: float = 1.0) -> Aim:
    return Aim(z, "near", weight)


def at_least(z: float, weight: float = 1.0) -> Aim:
    return Aim(z, "at_least", weight)


def at_most(z: float, weight: float = 1.0) -> Aim:
    return Aim(z, "at_most", weight)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per word
class VocabWord:
    """A word (or short phrase) people say, and the sound it stands for."""

    word: str
    kind: Kind
    aims: Mapping[str, Aim]
    #: Other ways of saying it; they resolve to this word.
    aliases: tuple[str, ...] = ()
    emoji: str = "🎵"
    expect_extra: Mapping[str, int] = field(default_factory=dict)

    @property
    def directions(self) -> dict[str, int]:
        """Feature -> +1/-1: where this word's picks must sit against the catalog mean."""
        out = {f: a.direction for f, a in self.aims.items() if a.direction}
        out.update(self.expect_extra)
        return out


#: Words that say nothing about words get this mild guard: a song *is* sad or calm, a radio
#: play or audio book (speechiness far above the mean) is not, though its music-free
#: voice often scores low on valence and energy.
NOT_SPOKEN: Final = Aim(1.0, "at_most", 0.3)


def _w(
    word: str, kind: Kind, emoji: str, aims: Mapping[str, float | Aim], aliases: tuple[str, ...] = ()
) -> VocabWord:
    table = {f: a if isinstance(a, Aim) else near(float(a)) for f, a in aims.items()}
    table.setdefault("speechiness", NOT_SPOKEN)
    return VocabWord(word, kind, table, aliases, emoji)


F: Final = "feeling"
S: Final = "situation"
T: Final = "style"

# Feature names, short, so the table below stays one line per word.
V, E, D, TEMPO, A, INS, SP, L, LIVE = (
    "valence",
    "energy",
    "danceability",
    "tempo",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "loudness",
    "liveness",
)

#: The vocabulary. Order matters only for autocomplete (first = offered first).
VOCABULARY: Final[tuple[VocabWord, ...]] = (
    # -- feelings: Russell's quadrants first ------------------------------------------------
    # high valence, mid-high arousal
    _w(
        "happy",
        F,
        "😊",
        {V: at_least(0.8), E: near(0.3, 0.5), D: near(0.4, 0.5)},
        (
            "joyful",
            "cheerful",
            "glad",
            "feel good",
            "feelgood",
            "feel-good",
            "positive",
            "joy",
            "fun",
            "cheer me up",
            "cheer up",
            "pick me up",
        ),
    ),
    # low valence, low arousal (Russell: sad/depressed quadrant)
    _w(
        "sad",
        F,
        "😢",
        {V: at_most(-0.8), E: at_most(-0.4), D: near(-0.3, 0.5)},
        ("unhappy", "down", "depressed", "depressing", "crying", "cry", "blue", "sorrow"),
    ),
    # low valence, high arousal (Russell: angry/tense quadrant) + loudness for arousal
    _w(
        "angry",
        F,
        "😠",
        {V: at_most(-0.6), E: at_least(1.0), L: at_least(0.6, 0.5)},
        ("mad", "rage", "aggressive", "furious", "pissed", "fury"),
    ),
    # positive valence, low arousal (Russell: calm/relaxed quadrant)
    _w(
        "calm",
        F,
        "🕊️",
        {E: at_most(-0.9), L: at_most(-0.5, 0.5), V: near(0.1, 0.3)},
        ("serene", "tranquil", "soothing", "gentle"),
    ),
    _w(
        "relaxed",
        F,
        "🛋️",
        {E: at_most(-0.7), A: at_least(0.5, 0.7), TEMPO: near(-0.3, 0.5)},
        ("relax", "relaxing", "unwind", "laid back", "laidback", "easy"),
    ),
    # tender: mildly positive, low arousal, acoustic, slower (ballad-like love songs)
    _w(
        "romantic",
        F,
        "💕",
        {V: near(0.3, 0.7), E: near(-0.5), A: near(0.5, 0.7), TEMPO: near(-0.3, 0.5)},
        ("love", "love songs", "romance", "date night", "tender", "intimate"),
    ),
    _w(
        "dreamy",
        F,
        "☁️",
        {E: at_most(-0.6), L: at_most(-0.6, 0.7), SP: at_most(-0.3, 0.5), A: at_least(0.3, 0.5)},
        ("ethereal", "floaty", "hazy", "spacey", "atmospheric"),
    ),
    _w(
        "dark",
        F,
        "🌑",
        {V: at_most(-1.0), D: near(-0.4, 0.7), A: near(-0.3, 0.5)},
        ("moody", "brooding", "ominous", "sinister", "gloomy"),
    ),
    # looking back: soft, acoustic, older-sounding, mid valence
    _w(
        "nostalgic",
        F,
        "📼",
        {E: near(-0.5), A: at_least(0.6), V: near(0.1, 0.3)},
        ("nostalgia", "throwback", "oldies", "memories", "retro"),
    ),
    _w(
        "melancholic",
        F,
        "🌧️",
        {V: at_most(-0.6), E: at_most(-0.5), A: near(0.5, 0.7), TEMPO: near(-0.3, 0.5)},
        ("melancholy", "wistful", "bittersweet", "somber", "sombre"),
    ),
    _w(
        "hopeful",
        F,
        "🌅",
        {V: at_least(0.5), E: near(0.4, 0.7)},
        ("optimistic", "uplifting", "inspiring", "inspirational", "motivational"),
    ),
    _w(
        "lonely",
        F,
        "🌫️",
        {V: at_most(-0.8), E: at_most(-0.7), A: near(0.5, 0.5)},
        ("alone", "loneliness", "isolated"),
    ),
    _w(
        "heartbreak",
        F,
        "💔",
        {V: at_most(-0.9), E: near(-0.4), A: at_least(0.4, 0.7)},
        ("heartbroken", "breakup", "break up", "broken heart"),
    ),
    _w(
        "anxious",
        F,
        "😰",
        {V: at_most(-0.6), E: at_least(0.5), TEMPO: near(0.5, 0.7)},
        ("tense", "nervous", "stressed", "restless"),
    ),
    _w(
        "excited",
        F,
        "🤩",
        {E: at_least(1.0), V: at_least(0.5), TEMPO: near(0.4, 0.5)},
        ("thrilled", "pumped", "euphoric"),
    ),
    _w(
        "confident",
        F,
        "😎",
        {E: near(0.7), V: near(0.4, 0.7), D: near(0.6, 0.7), L: near(0.5, 0.5)},
        ("empowered", "badass", "swagger", "boss"),
    ),
    _w(
        "sexy",
        F,
        "🌹",
        {D: at_least(0.8), E: near(-0.3, 0.7), TEMPO: near(-0.4, 0.5)},
        ("sensual", "sultry", "seductive", "slow jam", "slow jams"),
    ),
    _w(
        "dramatic",
        F,
        "🎭",
        {E: near(0.7), L: at_least(0.7), V: at_most(-0.4), D: near(-0.6, 0.7)},
        ("epic", "cinematic", "intense", "grand"),
    ),
    _w(
        "silly",
        F,
        "🤪",
        {V: at_least(1.0), D: near(0.6, 0.7), E: near(0.3, 0.5)},
        ("goofy", "funny", "playful", "quirky"),
    ),
    _w("bored", F, "🥱", {E: near(-0.4), V: near(-0.3), TEMPO: near(-0.3, 0.5)}, ("meh", "tired")),
    _w(
        "peaceful",
        F,
        "🌿",
        {E: at_most(-1.0), A: at_least(0.8), V: near(0.2, 0.5), L: at_most(-0.6, 0.5)},
        ("zen", "stillness", "harmony"),
    ),
    # -- situations --------------------------------------------------------------------------
    _w(
        "study",
        S,
        "📚",
        {SP: at_most(-0.4), E: at_most(-0.5), INS: at_least(0.8, 0.7), L: near(-0.5, 0.5)},
        ("studying", "homework", "exam", "exams", "revision", "revising", "reading", "read"),
    ),
    _w(
        "focus",
        S,
        "🎯",
        {INS: at_least(1.2), SP: at_most(-0.6), E: at_most(-0.3, 0.8)},
        (
            "concentrate",
            "concentration",
            "deep work",
            "work",
            "working",
            "coding",
            "programming",
            "productive",
            "productivity",
        ),
    ),
    _w(
        "sleep",
        S,
        "😴",
        {
            E: at_most(-1.3),
            L: at_most(-1.2),
            A: at_least(1.0),
            TEMPO: near(-0.5, 0.5),
            D: near(-0.5, 0.5),
            SP: at_most(-0.3, 0.5),
        },
        ("sleeping", "sleepy", "bedtime", "lullaby", "nap", "insomnia", "fall asleep"),
    ),
    _w(
        "meditation",
        S,
        "🧘",
        {E: at_most(-1.3), INS: at_least(1.0), A: at_least(0.8), L: at_most(-1.0, 0.7)},
        ("meditate", "meditating", "yoga", "mindfulness", "breathing"),
    ),
    _w(
        "workout",
        S,
        "🏋️",
        {E: at_least(1.0), TEMPO: at_least(0.6), D: near(0.4, 0.5), L: at_least(0.6, 0.5)},
        ("gym", "exercise", "training", "lifting", "cardio", "work out", "working out", "fitness"),
    ),
    _w(
        "running",
        S,
        "🏃",
        {TEMPO: at_least(1.0), E: at_least(0.9), D: at_least(0.3, 0.7)},
        ("run", "jogging", "jog", "sprint"),
    ),
    _w(
        "party",
        S,
        "🎉",
        {D: at_least(1.0), E: at_least(0.8), V: at_least(0.6), L: near(0.5, 0.5)},
        ("celebration", "celebrate", "birthday", "friday night", "partying", "fiesta"),
    ),
    _w(
        "road trip",
        S,
        "🚗",
        {E: near(0.6), V: at_least(0.6), TEMPO: near(0.4, 0.7), D: near(0.2, 0.3)},
        ("roadtrip", "driving", "drive", "car", "cruising", "highway", "long drive", "road trips"),
    ),
    _w(
        "rainy day",
        S,
        "☔",
        {V: at_most(-0.7), E: at_most(-0.6), A: at_least(0.6, 0.7), TEMPO: near(-0.3, 0.5)},
        ("rain", "rainy", "cloudy", "grey day", "gray day", "storm"),
    ),
    _w(
        "late night",
        S,
        "🌃",
        {V: at_most(-0.5), E: near(-0.4), L: at_most(-0.3, 0.7), D: at_least(0.3, 0.7)},
        (
            "night",
            "midnight",
            "night drive",
            "3am",
            "after hours",
            "nighttime",
            "late at night",
            "late nights",
            "nite",
        ),
    ),
    _w(
        "morning",
        S,
        "🌄",
        {V: at_least(0.5), E: near(0.0, 0.5), A: at_least(0.5, 0.7)},
        ("wake up", "waking up", "breakfast", "sunrise", "sunday morning"),
    ),
    _w(
        "dinner",
        S,
        "🍷",
        {E: near(-0.5), A: at_least(0.6), V: near(0.3, 0.7), SP: at_most(-0.3, 0.5), L: near(-0.4, 0.5)},
        ("dinner party", "cooking", "restaurant", "wine", "candlelight"),
    ),
    _w(
        "cleaning",
        S,
        "🧹",
        {V: at_least(0.7), E: at_least(0.6), D: at_least(0.6), TEMPO: near(0.3, 0.5)},
        ("chores", "housework", "tidying", "cleaning up", "laundry"),
    ),
    _w(
        "coffee",
        S,
        "☕",
        {A: at_least(0.8), E: near(-0.5), V: near(0.2, 0.5), SP: at_most(-0.2, 0.5)},
        ("cafe", "coffeeshop", "coffee shop", "brunch"),
    ),
    _w(
        "summer",
        S,
        "🏖️",
        {V: at_least(0.9), D: at_least(0.6), E: near(0.5, 0.7)},
        ("beach", "vacation", "holiday", "sunny", "sunshine", "pool party", "tropical"),
    ),
    _w(
        "cozy",
        S,
        "🧣",
        {A: at_least(0.8), E: at_most(-0.6), V: near(0.2, 0.5), TEMPO: near(-0.3, 0.5)},
        ("cosy", "winter", "fireplace", "snug", "hygge"),
    ),
    _w(
        "lazy sunday",
        S,
        "🛌",
        {E: at_most(-0.7), TEMPO: near(-0.5, 0.7), A: near(0.5, 0.7), V: near(0.2, 0.3)},
        ("lazy", "sunday", "slow morning", "hangover"),
    ),
    _w(
        "gaming",
        S,
        "🎮",
        {E: at_least(0.8), INS: at_least(0.6, 0.7), SP: at_most(-0.3, 0.5), TEMPO: near(0.3, 0.5)},
        ("game", "games", "video games", "esports"),
    ),
    _w(
        "wedding",
        S,
        "💍",
        {V: at_least(0.6), D: near(0.4, 0.7), E: near(0.2, 0.5)},
        ("first dance", "wedding party"),
    ),
    _w(
        "pregame",
        S,
        "🍻",
        {E: at_least(1.0), D: at_least(0.8), L: at_least(0.6, 0.7), V: near(0.4, 0.5)},
        ("pre game", "pre-game", "pregaming", "warm up", "warmup", "going out"),
    ),
    _w(
        "commute",
        S,
        "🚇",
        {E: near(0.3, 0.7), V: near(0.3, 0.7), SP: at_most(-0.2, 0.3), TEMPO: near(0.3, 0.5)},
        ("commuting", "train ride", "bus", "walking", "walk"),
    ),
    # -- styles people say -------------------------------------------------------------------
    _w(
        "chill",
        T,
        "😌",
        {E: at_most(-0.6), A: at_least(0.4, 0.7), TEMPO: near(-0.3, 0.5), V: near(0.1, 0.3)},
        ("chilled", "chillout", "chill out", "chilling", "vibey"),
    ),
    _w(
        "mellow",
        T,
        "🍂",
        {E: at_most(-0.8), L: at_most(-0.7, 0.7), A: at_least(0.6, 0.7)},
        ("soft", "smooth", "low key", "lowkey", "easy listening"),
    ),
    _w(
        "upbeat",
        T,
        "☀️",
        {V: at_least(0.6), E: at_least(0.6), TEMPO: at_least(0.3, 0.7), D: near(0.5, 0.7)},
        ("bouncy", "lively", "peppy", "cheery"),
    ),
    _w(
        "energetic",
        T,
        "⚡",
        {E: at_least(1.0), L: at_least(0.6, 0.7), TEMPO: near(0.3, 0.5)},
        ("energy", "high energy", "powerful", "banger", "bangers"),
    ),
    _w(
        "hype",
        T,
        "🔥",
        {E: at_least(1.2), L: at_least(0.8), D: near(0.6, 0.7), TEMPO: near(0.4, 0.5)},
        ("hyped", "turn up", "turnt", "lit", "pump up", "pumped up"),
    ),
    _w(
        "dance",
        T,
        "💃",
        {D: at_least(1.0), E: near(0.5, 0.7), V: near(0.4, 0.5)},
        ("danceable", "dancing", "dancy", "dancey", "dance floor", "dancefloor"),
    ),
    _w(
        "groovy",
        T,
        "🕺",
        {D: at_least(0.9), V: at_least(0.6), TEMPO: near(0.0, 0.3)},
        ("groove", "funky", "funk", "disco", "boogie"),
    ),
    _w(
        "acoustic",
        T,
        "🪕",
        {A: at_least(1.0), E: near(-0.5, 0.7), INS: near(0.0, 0.3)},
        ("unplugged", "guitar", "acoustic guitar"),
    ),
    _w(
        "instrumental",
        T,
        "🎹",
        {INS: at_least(2.0), SP: at_most(-0.4)},
        ("no vocals", "no lyrics", "without vocals", "without lyrics", "instrumentals", "no words"),
    ),
    # rap sits between sung music and spoken word (Spotify: speechiness 0.33-0.66 "music and
    # speech, e.g. rap"), so a point target, not "as wordy as possible" (that is spoken word)
    _w(
        "rap",
        T,
        "🎤",
        {SP: near(1.2), D: at_least(0.5, 0.7), INS: at_most(-0.2, 0.5)},
        ("hip hop", "hiphop", "hip-hop", "rapping", "rapper", "bars", "trap", "drill", "grime"),
    ),
    _w(
        "spoken word",
        T,
        "🗣️",
        {SP: at_least(2.5)},
        ("spoken", "talk", "talking", "speech", "poetry", "podcast", "audiobook", "comedy", "stand up"),
    ),
    _w(
        "vocals",
        T,
        "🎙️",
        {INS: at_most(-0.2), SP: at_most(-0.3, 0.5), V: near(0.3, 0.5)},
        ("singing", "sing along", "singalong", "karaoke", "vocal", "lyrics"),
    ),
    _w("loud", T, "📢", {L: at_least(1.0), E: at_least(0.8)}, ("noisy", "blasting", "cranked")),
    _w("quiet", T, "🤫", {L: at_most(-1.0), E: at_most(-0.8)}, ("hushed", "whisper", "whispering", "silent")),
    _w(
        "slow",
        T,
        "🐢",
        {TEMPO: at_most(-0.8), E: near(-0.5, 0.7)},
        ("slow paced", "slow tempo", "downtempo", "slowed"),
    ),
    _w(
        "fast",
        T,
        "🏎️",
        {TEMPO: at_least(1.0), E: near(0.5, 0.7)},
        ("uptempo", "up tempo", "up-tempo", "quick", "speedy", "fast paced", "high tempo"),
    ),
    _w(
        "heavy",
        T,
        "🤘",
        {E: at_least(1.2), L: at_least(0.9), A: at_most(-1.0), D: near(-0.5, 0.5)},
        ("metal", "hardcore", "headbang", "headbanging", "heavy metal"),
    ),
    _w(
        "rock",
        T,
        "🎸",
        {E: at_least(0.8), L: near(0.6, 0.7), A: at_most(-0.8), SP: at_most(-0.3, 0.5), D: near(-0.3, 0.5)},
        ("rocking", "guitars", "alt rock", "classic rock", "grunge"),
    ),
    _w(
        "punk",
        T,
        "🧷",
        {E: at_least(1.2), TEMPO: at_least(0.8), L: at_least(0.8, 0.7), A: at_most(-0.8, 0.7)},
        ("pop punk", "punk rock", "skate punk"),
    ),
    _w(
        "pop",
        T,
        "🎧",
        {
            D: near(0.5, 0.7),
            E: near(0.4, 0.7),
            V: near(0.4, 0.7),
            SP: at_most(-0.3, 0.5),
            A: near(-0.4, 0.5),
            INS: at_most(-0.2, 0.5),
        },
        ("poppy", "catchy", "mainstream", "radio", "hits", "top 40"),
    ),
    _w(
        "electronic",
        T,
        "🎛️",
        {E: at_least(0.9), D: at_least(0.7), A: at_most(-1.0), L: at_least(0.5, 0.5)},
        ("edm", "techno", "house", "club", "rave", "electro", "trance"),
    ),
    _w(
        "lofi",
        T,
        "📻",
        {E: at_most(-0.7), INS: at_least(0.6, 0.7), L: at_most(-0.7, 0.7), D: near(0.5, 0.5)},
        ("lo-fi", "lo fi", "lofi beats", "lofi hip hop", "chillhop"),
    ),
    _w(
        "ambient",
        T,
        "🌌",
        {INS: at_least(1.5), E: at_most(-1.3), L: at_most(-1.2), D: near(-0.8, 0.7)},
        ("drone", "soundscape", "background", "background music", "new age"),
    ),
    _w(
        "classical",
        T,
        "🎻",
        {A: at_least(1.2), INS: at_least(1.0), E: at_most(-1.0), D: near(-1.0, 0.7), SP: at_most(-0.3, 0.5)},
        ("orchestra", "orchestral", "symphony", "opera", "baroque", "string quartet"),
    ),
    _w(
        "piano",
        T,
        "🎼",
        {A: at_least(1.2), INS: at_least(1.5), E: at_most(-1.0)},
        ("solo piano", "piano music", "keys"),
    ),
    _w(
        "jazz",
        T,
        "🎷",
        {A: at_least(0.8), E: near(-0.4, 0.7), SP: at_most(-0.2, 0.3), V: near(0.1, 0.3)},
        ("jazzy", "swing", "bebop", "smooth jazz", "lounge"),
    ),
    _w(
        "folk",
        T,
        "🪗",
        {A: at_least(1.0), E: near(-0.4, 0.7), SP: at_most(-0.3, 0.5), INS: at_most(-0.2, 0.5)},
        ("country", "americana", "bluegrass", "singer songwriter", "singer-songwriter"),
    ),
    _w(
        "soul",
        T,
        "🎺",
        {A: near(0.5, 0.7), V: near(0.4, 0.7), D: near(0.4, 0.7), E: near(-0.2, 0.5), SP: at_most(-0.3, 0.5)},
        ("soulful", "rnb", "r&b", "motown", "gospel", "blues", "bluesy"),
    ),
    _w(
        "latin",
        T,
        "💃🏽",
        {D: at_least(1.0), V: at_least(0.8), E: near(0.6, 0.7)},
        ("reggaeton", "salsa", "bachata", "cumbia", "samba", "latino"),
    ),
    _w(
        "reggae",
        T,
        "🌴",
        {D: at_least(0.9), V: at_least(0.8), E: near(-0.2, 0.5), TEMPO: near(-0.3, 0.5)},
        ("dub", "ska", "island"),
    ),
    _w(
        "ballad",
        T,
        "🕯️",
        {
            E: at_most(-0.8),
            TEMPO: near(-0.5, 0.7),
            A: near(0.5, 0.7),
            D: near(-0.6, 0.7),
            SP: at_most(-0.3, 0.5),
        },
        ("ballads", "power ballad", "slow songs", "slow song"),
    ),
    _w(
        "live",
        T,
        "🏟️",
        {LIVE: at_least(1.5)},
        ("live music", "concert", "live recording", "in concert", "gig", "crowd"),
    ),
)


def by_form() -> dict[str, VocabWord]:
    """Every word and alias (lowercase) -> its vocabulary entry; the first entry wins a clash."""
    out: dict[str, VocabWord] = {}
    for w in VOCABULARY:
        for form in (w.word, *w.aliases):
            out.setdefault(form.lower(), w)
    return out


__all__ = ["Aim", "VOCABULARY", "VocabWord", "at_least", "at_most", "by_form", "near"]
