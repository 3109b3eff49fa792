"""The words of a request that are not songs or mood words: critiques, references, counts,
cue phrases, conversation words.

Everything here is folded text (see :func:`engine.text.fold`: lower case, no accents, no
punctuation), matched as whole tokens or token sequences. Mood words themselves live in
:mod:`engine.words.vocabulary`; this table only says how people *change* a list ("sadder",
"a bit slower", "more acoustic", "deeper cuts") and how they point at what was shown.

Critiques follow the critiquing-recommender literature: a *unit critique* asks for more or
less of one attribute ("faster"), a *compound critique* for several at once ("sadder and
slower"); each is (feature, direction, intensity). The features are the model's audio
features plus ``year`` and ``popularity``, which are not in the audio space and are
applied as filters relative to what was shown.
"""

from __future__ import annotations

from typing import Final

#: Features a critique can move. Audio features move the target in the standardised
#: space; ``year`` and ``popularity`` move a bound relative to the list shown.
CRITIQUE_FEATURES: Final = (
    "valence",
    "energy",
    "tempo",
    "acousticness",
    "danceability",
    "instrumentalness",
    "speechiness",
    "loudness",
    "duration_ms",
    "year",
    "popularity",
)

#: How each critique is said back: (word for +1, word for -1).
CRITIQUE_WORDS: Final[dict[str, tuple[str, str]]] = {
    "valence": ("happier", "sadder"),
    "energy": ("more energetic", "calmer"),
    "tempo": ("faster", "slower"),
    "acousticness": ("more acoustic", "less acoustic"),
    "danceability": ("more danceable", "less danceable"),
    "instrumentalness": ("more instrumental", "more vocal"),
    "speechiness": ("more rap", "less rap"),
    "loudness": ("louder", "softer"),
    "duration_ms": ("longer", "shorter"),
    "year": ("newer", "older"),
    "popularity": ("more popular", "deeper cuts"),
}

#: Adjectives (folded) -> (feature, direction they point). "more X" keeps the direction,
#: "less X" and "too X" turn it around.
ADJECTIVES: Final[dict[str, tuple[str, int]]] = {
    # positivity (valence)
    "happy": ("valence", 1),
    "cheerful": ("valence", 1),
    "positive": ("valence", 1),
    "upbeat": ("valence", 1),
    "joyful": ("valence", 1),
    "uplifting": ("valence", 1),
    "bright": ("valence", 1),
    "sad": ("valence", -1),
    "depressing": ("valence", -1),
    "melancholic": ("valence", -1),
    "emotional": ("valence", -1),
    "gloomy": ("valence", -1),
    "dark": ("valence", -1),
    "moody": ("valence", -1),
    # energy
    "energetic": ("energy", 1),
    "energy": ("energy", 1),
    "hype": ("energy", 1),
    "hyped": ("energy", 1),
    "intense": ("energy", 1),
    "aggressive": ("energy", 1),
    "powerful": ("energy", 1),
    "lively": ("energy", 1),
    "heavy": ("energy", 1),
    "hard": ("energy", 1),
    "chill": ("energy", -1),
    "chilled": ("energy", -1),
    "calm": ("energy", -1),
    "relaxed": ("energy", -1),
    "relaxing": ("energy", -1),
    "mellow": ("energy", -1),
    "laid back": ("energy", -1),
    "laidback": ("energy", -1),
    "gentle": ("energy", -1),
    "peaceful": ("energy", -1),
    "soothing": ("energy", -1),
    # tempo
    "fast": ("tempo", 1),
    "quick": ("tempo", 1),
    "speedy": ("tempo", 1),
    "uptempo": ("tempo", 1),
    "slow": ("tempo", -1),
    # acousticness
    "acoustic": ("acousticness", 1),
    "unplugged": ("acousticness", 1),
    "organic": ("acousticness", 1),
    "electronic": ("acousticness", -1),
    "synthy": ("acousticness", -1),
    "electric": ("acousticness", -1),
    # danceability
    "danceable": ("danceability", 1),
    "dancey": ("danceability", 1),
    "dancy": ("danceability", 1),
    "dance": ("danceability", 1),
    "groovy": ("danceability", 1),
    "bouncy": ("danceability", 1),
    # instrumentalness / vocals
    "instrumental": ("instrumentalness", 1),
    "vocal": ("instrumentalness", -1),
    "vocals": ("instrumentalness", -1),
    "singing": ("instrumentalness", -1),
    "lyrics": ("instrumentalness", -1),
    "lyrical": ("instrumentalness", -1),
    "words": ("instrumentalness", -1),
    # speechiness
    "rap": ("speechiness", 1),
    "rapping": ("speechiness", 1),
    "rappy": ("speechiness", 1),
    "spoken": ("speechiness", 1),
    "talking": ("speechiness", 1),
    "hip hop": ("speechiness", 1),
    "hiphop": ("speechiness", 1),
    # loudness
    "loud": ("loudness", 1),
    "noisy": ("loudness", 1),
    # no feature holds bass; a heavier low end is heard as loudness (said back as "louder")
    "bass": ("loudness", 1),
    "bassy": ("loudness", 1),
    "bass heavy": ("loudness", 1),
    "quiet": ("loudness", -1),
    "soft": ("loudness", -1),
    # duration
    "long": ("duration_ms", 1),
    "short": ("duration_ms", -1),
    # year
    "recent": ("year", 1),
    "modern": ("year", 1),
    "new": ("year", 1),
    "fresh": ("year", 1),
    "current": ("year", 1),
    "old": ("year", -1),
    "old school": ("year", -1),
    "oldschool": ("year", -1),
    "retro": ("year", -1),
    "vintage": ("year", -1),
    "classic": ("year", -1),
    "dated": ("year", -1),
    # popularity
    "popular": ("popularity", 1),
    "mainstream": ("popularity", 1),
    "famous": ("popularity", 1),
    "known": ("popularity", 1),
    "well known": ("popularity", 1),
    "commercial": ("popularity", 1),
    "obscure": ("popularity", -1),
    "underground": ("popularity", -1),
    "niche": ("popularity", -1),
    "unknown": ("popularity", -1),
    "indie": ("popularity", -1),
}

#: Comparatives and set phrases that are a critique on their own.
COMPARATIVES: Final[dict[str, tuple[str, int]]] = {
    "happier": ("valence", 1),
    "cheerier": ("valence", 1),
    "brighter": ("valence", 1),
    "more positive": ("valence", 1),
    "sadder": ("valence", -1),
    "saddest": ("valence", -1),
    "darker": ("valence", -1),
    "moodier": ("valence", -1),
    "gloomier": ("valence", -1),
    "angrier": ("energy", 1),
    "harder": ("energy", 1),
    "heavier": ("energy", 1),
    "livelier": ("energy", 1),
    "hyper": ("energy", 1),
    "crazier": ("energy", 1),
    "wilder": ("energy", 1),
    "pump it up": ("energy", 1),
    "turn it up": ("energy", 1),
    "less boring": ("energy", 1),  # a complaint: "these are kinda boring"
    "boring": ("energy", 1),
    "too boring": ("energy", 1),
    "more exciting": ("energy", 1),
    "calmer": ("energy", -1),
    "chiller": ("energy", -1),
    "mellower": ("energy", -1),
    "gentler": ("energy", -1),
    "lighter": ("energy", -1),
    "more relaxed": ("energy", -1),
    "tone it down": ("energy", -1),
    "faster": ("tempo", 1),
    "quicker": ("tempo", 1),
    "speedier": ("tempo", 1),
    "higher bpm": ("tempo", 1),
    "more bpm": ("tempo", 1),
    "speed it up": ("tempo", 1),
    "slower": ("tempo", -1),
    "lower bpm": ("tempo", -1),
    "less bpm": ("tempo", -1),
    "slow it down": ("tempo", -1),
    "slow down": ("tempo", -1),
    "groovier": ("danceability", 1),
    "bouncier": ("danceability", 1),
    "danceier": ("danceability", 1),
    "louder": ("loudness", 1),
    "bassier": ("loudness", 1),
    "softer": ("loudness", -1),
    "quieter": ("loudness", -1),
    "longer": ("duration_ms", 1),
    "shorter": ("duration_ms", -1),
    "newer": ("year", 1),
    "fresher": ("year", 1),
    "more recent": ("year", 1),
    "older": ("year", -1),
    "oldies": ("year", -1),
    "throwbacks": ("year", -1),
    "earlier": ("year", -1),
    "deeper cuts": ("popularity", -1),
    "deep cuts": ("popularity", -1),
    "deeper": ("popularity", -1),
    "hidden gems": ("popularity", -1),
    "lesser known": ("popularity", -1),
    "less known": ("popularity", -1),
    "bigger hits": ("popularity", 1),
    "more hits": ("popularity", 1),
    "with vocals": ("instrumentalness", -1),
    "with lyrics": ("instrumentalness", -1),
    "with singing": ("instrumentalness", -1),
    "fewer vocals": ("instrumentalness", 1),
    "less singing": ("instrumentalness", 1),
    "fewer lyrics": ("instrumentalness", 1),
}

#: Words before a critique that set its size; "even" keeps the size (it compounds).
INTENSITY: Final[dict[str, float]] = {
    "a bit": 0.5,
    "a little": 0.5,
    "a little bit": 0.5,
    "a tad": 0.5,
    "a touch": 0.5,
    "bit": 0.5,
    "little": 0.5,
    "slightly": 0.5,
    "somewhat": 0.5,
    "kinda": 0.5,
    "kind of": 0.5,
    "sorta": 0.5,
    "sort of": 0.5,
    "a smidge": 0.5,
    "much": 2.0,
    "way": 2.0,
    "a lot": 2.0,
    "lot": 2.0,
    "lots": 2.0,
    "super": 2.0,
    "really": 2.0,
    "very": 2.0,
    "far": 2.0,
    "way way": 2.0,
    "even": 1.0,
    "still": 1.0,
    "just": 1.0,
}
INTENSITY_WORDS: Final = {0.5: "a bit", 1.0: "", 2.0: "much"}

#: Number words people type for counts and positions.
NUMBERS: Final[dict[str, int]] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "twenty five": 25,
    "a couple": 2,
    "a couple of": 2,
    "couple": 2,
    "a few": 3,
    "few": 3,
    "a handful of": 5,
    "a dozen": 12,
    "dozen": 12,
}
ORDINALS: Final[dict[str, int]] = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "7th": 7,
    "eighth": 8,
    "8th": 8,
    "ninth": 9,
    "9th": 9,
    "tenth": 10,
    "10th": 10,
}
#: Nouns that make a number a count ("5 songs") or an ordinal a reference ("2nd one").
COUNT_NOUNS: Final = frozenset(
    "songs song tracks track tunes tune bangers banger recs recommendations picks ones more options "
    "suggestions records jams bops".split()
)
REF_NOUNS: Final = frozenset("one song track tune pick option rec choice".split())
#: Words that point at the song just talked about.
THAT_WORDS: Final = frozenset(
    ("that", "this", "it", "that one", "this one", "that song", "this song", "that track")
)

#: Phrases that introduce a seed song: "songs like X", "similar to X", "X vibes".
SEED_CUES: Final = (
    "something similar to",
    "similar to",
    "similar as",
    "similar vibe to",
    "same vibe as",
    "same vibe like",
    "same vibes as",
    "sounds like",
    "sound like",
    "sounding like",
    "that sound like",
    "that sounds like",
    "in the style of",
    "in the vein of",
    "along the lines of",
    "the vibe of",
    "the vibes of",
    "vibes like",
    "vibe like",
    "vibes of",
    "reminds me of",
    "remind me of",
    "inspired by",
    "close to",
    "based on",
    "kinda like",
    "kind of like",
    "sorta like",
    "stuff like",
    "songs like",
    "song like",
    "music like",
    "tracks like",
    "something like",
    "anything like",
    "more like",
    "like",
    "ala",
    "a la",
)
#: Cues that introduce several seeds: "mix of X and Y", "between X and Y".
MIX_CUES: Final = (
    "a mix of",
    "mix of",
    "a blend of",
    "blend of",
    "mix between",
    "between",
    "mixing",
    "cross of",
)
#: Separators of several seeds.
SEED_JOINERS: Final = frozenset(("and", "n", "plus", "with", "x", "meets", "or"))
#: Words after a seed that say "in that style": "Shape of You vibes".
SEED_TAILS: Final = frozenset("vibes vibe type style ish esque kinda sorta".split())
#: Words around a title that ask for it rather than belong to it ("play X please").
REQUEST_WORDS: Final = frozenset(
    """
please pls plz plss thanks thx ty play give gimme recommend suggest find show can could would you
i want need wanna hey yo clusterfy bot something some songs song music tracks stuff me us
""".split()
)

#: Words that end a seed's span (what follows is a modifier, not part of the title).
HARD_BOUNDARIES: Final = frozenset(
    "but though tho although except only just however now then also yet except please pls plz thx "
    "thanks thank".split()
)

#: Whole requests that ask for the next page.
MORE_PHRASES: Final = frozenset(
    (
        "more",
        "more please",
        "more pls",
        "some more",
        "more of that",
        "more of this",
        "more of these",
        "more of those",
        "more of the same",
        "moar",
        "again",
        "next",
        "next page",
        "next one",
        "next ones",
        "another",
        "another one",
        "another batch",
        "another round",
        "another set",
        "other ones",
        "others",
        "different ones",
        "new ones",
        "keep going",
        "go on",
        "continue",
        "more songs",
        "more tracks",
        "show me more",
        "give me more",
        "gimme more",
        "any more",
        "anymore",
        "what else",
        "what else you got",
        "what else do you have",
        "something else",
        "others please",
        "hit me again",
        "again please",
        "one more",
        "refresh",
        "reroll",
        "keep em coming",
        "keep them coming",
        "keep it coming",
        "keep going please",
        "the next ones",
        "next ones please",
        "different ones please",
        "different songs",
        "other songs",
        "more more",
        "more of it",
        "similar",  # "something similar", "similar songs pls": more like the list
        "more like these",
        "more like those",
        "more like them",
        "more like em",
        "like these",
        "like those",
        "similar to these",
        "similar to those",
        "similar ones",
        "more similar",
        "more similar ones",
        "anything similar",
        "any similar",
        "load more",
    )
)
RESTART_PHRASES: Final = frozenset(
    (
        "start over",
        "start again",
        "restart",
        "reset",
        "new search",
        "scratch that",
        "forget that",
        "forget it",
        "never mind",
        "nevermind",
        "nvm",
        "clear",
        "clear it",
        "from scratch",
        "start from scratch",
        "lets start over",
        "let s start over",
        "new start",
        "begin again",
        "something completely different",
        "start fresh",
        "fresh start",
        "new conversation",
        "clear everything",
        "clear all",
        "clear that",
        "new request",
        "wipe it",
        "wipe that",
        "wipe everything",
        "forget all that",
        "forget everything",
        "forget all of that",
        "forget about it",
        "forget about that",
        "never mind all that",
        "nevermind all that",
        "nvm all that",
        "start again",
        "go back to the start",
        "from the top",
        "back to square one",
        "undo everything",
        "scrap that",
        "scrap it",
        "do over",
    )
)
HELP_PHRASES: Final = frozenset(
    (
        "help",
        "help me",
        "what can you do",
        "what do you do",
        "how does this work",
        "how do you work",
        "how does it work",
        "how do i use you",
        "how do i use this",
        "how to use",
        "what are you",
        "who are you",
        "commands",
        "what commands",
        "options",
        "usage",
        "instructions",
        "what can i ask",
        "what can i say",
        "what should i type",
        "how do i talk to you",
        "what are your commands",
        "examples",
        "info",
        "any tips",
        "tips",
        "can you help me",
        "can you help",
        "help me out",
        "idk what to ask",
        "idk what to say",
        "idk what to type",
        "i dont know what to ask",
        "i don t know what to ask",
        "what do i type",
        "what do i say",
        "what do i ask",
        "what now",
        "how does this bot work",
        "how does clusterfy work",
        "what is this bot",
        "what is clusterfy",
        "what s clusterfy",
        "whats clusterfy",
        "features",
        "guide",
        "tutorial",
        "manual",
    )
)
#: Verbs of a how-to question about the bot ("how do i get recommendations", "what can
#: this bot do"): with a question word and the bot or the user as its subject, and no music
#: slot found, the message asks for help.
HOW_TO_VERBS: Final = frozenset("do does work works use type ask say talk get start begin".split())
HOW_TO_SUBJECTS: Final = frozenset("you u ya this it bot clusterfy i we".split())
#: Words a message may add around a restart or a help phrase ("ok, let's start over with
#: something else", "so what are you exactly") without asking for anything else.
RESTART_EXTRAS: Final = frozenset(
    "ok okay alright lets let s can we us just please pls plz all of that this everything with something "
    "else again now hmm um uh yeah yes so and then actually exactly anyway btw even here".split()
)
#: Words that alone are conversation, never a title typed bare ("can you help me": the
#: song "Help!" only when named like a song: "like help", "help by the beatles").
CHAT_WORDS: Final = frozenset(
    """
help idk tips tip forget clear wipe nevermind nvm ooh oh ohh hmm yeah yea yep nah nope perfect great
fan different new request anything whatever sure fine maybe okay ok cool nice wow good bad yes no
thanks thank hello hi hey love hate awesome amazing lol sorry please stop wait what why how again
everything nothing someone something somebody
""".split()
)
#: Phrases that dislike a shown pick ("not a fan of the third one").
DISLIKE_PHRASES: Final = (
    "not a fan",
    "not feeling",
    "not really feeling",
    "dont like",
    "don t like",
    "do not like",
    "didnt like",
    "didn t like",
    "not into",
    "not for me",
)
GREETINGS: Final = frozenset(
    "hi hey hello hiya yo sup heya howdy hola bonjour greetings morning evening gm gn hallo oi ello".split()
)
THANKS: Final = frozenset(
    "thanks thank thx ty tysm thnx thanx cheers danke merci gracias appreciated appreciate".split()
)
#: Phrases that ask what a shown song is, beside questions ("who sings #2", "what genre is
#: #1"): "tell me about #3".
ABOUT_PHRASES: Final = (
    "tell me about",
    "tell me more about",
    "info on",
    "info about",
    "details on",
    "more info",
)
#: What a question about "that" / "this" / "it" asks of the song talked about ("what genre is
#: that", "who sings this"): without one of these, "what is that" is not about a song.
ABOUT_TOPICS: Final = frozenset(
    "genre mood sings singer sang artist band year tempo bpm called name made wrote".split()
)
#: Words that make a question about a shown song a request for songs ("what else is like #2",
#: "which songs are similar to #1", "what's more like the last one").
ABOUT_BLOCKERS: Final = frozenset(
    "like similar more else other others songs tracks recs recommend recommendations something anything "
    "stuff link links play listen".split()
)
#: Words that ask where to listen to a shown song ("spotify link for #2").
LINK_WORDS: Final = frozenset("link links url spotify".split())
#: Phrases that ask the same ("where can i listen to #1").
LINK_PHRASES: Final = ("where can i listen", "where can i hear", "where to listen", "where do i listen")
#: Whole requests that leave the choice to the bot ("surprise me", "idk, anything").
SURPRISE_PHRASES: Final = frozenset(
    (
        "surprise me",
        "surprise",
        "random",
        "something random",
        "anything random",
        "random stuff",
        "random music",
        "anything",
        "anything works",
        "anything is fine",
        "whatever",
        "idk",
        "idk anything",
        "you pick",
        "you choose",
        "your choice",
        "dealers choice",
        "up to you",
        "shuffle",
    )
)
#: Goodbyes: answered with one, not with a greeting.
FAREWELLS: Final = frozenset("bye byee goodbye cya later gn goodnight night ttyl peace enough".split())
#: Praise of the list just shown ("lol these are great", "fire 🔥"): answered like thanks.
PRAISE_WORDS: Final = frozenset(
    "nice cool awesome great amazing perfect good love loving legend goat sweet neat dope sick lit "
    "fire banger bangers slaps slap bops bop best gems brilliant excellent 🔥 ❤️ 😍".split()
)
#: Words of smalltalk that carry no request (greetings, thanks, goodbyes, praise, laughter).
SMALLTALK_WORDS: Final = (
    GREETINGS
    | THANKS
    | PRAISE_WORDS
    | FAREWELLS
    | frozenset(
        "bye goodbye cya later night goodnight nice cool awesome great amazing perfect good "
        "love lol lmao haha hahaha xd wow ok okay k kk alright thank you u ur you re the best "
        "bot buddy bro dude man mate fam friend sir much so very again there all guys everyone "
        "how are doing going whats up what s nm nothing well im i m fine job work thats that s it "
        "legend goat king queen ily sweet neat dope sick lit based true real fr this these is are was were "
        "those all list picks selection".split()
    )
)

#: Words that like or dislike a shown pick ("love #2", "the first one is trash").
LIKE_WORDS: Final = frozenset(
    "love loved like liked likes dig digging enjoy enjoyed adore fire slaps slapped banger bop "
    "great amazing awesome good nice perfect dope sick goated hits heat gem favorite favourite fav "
    "fave vibing yes yess yesss best".split()
)
DISLIKE_WORDS: Final = frozenset(
    "hate hated dislike disliked trash garbage bad awful terrible meh boring mid nah skip worst "
    "cringe ugh yuck no nope lame sucks suck wack whack".split()
)

#: Words before an artist or a mood that exclude it: "no more Drake", "without rap".
EXCLUDE_CUES: Final = (
    "no more",
    "not more",
    "nothing by",
    "nothing from",
    "anything but",
    "less of",
    "enough of",
    "enough",
    "stop with",
    "stop playing",
    "stop giving me",
    "stop giving",
    "stop sending me",
    "stop sending",
    "stop showing me",
    "stop recommending",
    "stop suggesting",
    "dont give me",
    "don't give me",
    "skip",
    "ban",
    "exclude",
    "remove",
    "without",
    "no",
    "not",
    "none of",
)
#: Words after an artist asked away that add nothing to it ("not nirvana anymore pls").
EXCLUSION_TAILS: Final = frozenset(
    "anymore again ever today tonight lol tho though now rn for a while".split()
)
#: "not her, someone else": other artists than the one shown, said without a cue (never
#: after "like": "songs like someone else" names a song).
OTHER_ARTIST: Final = frozenset(
    (
        "someone else",
        "somebody else",
        "some other artist",
        "some other artists",
        "other artists",
        "another artist",
        "a different artist",
        "different artist",
        "different artists",
        "new artists",
    )
)
#: What "not this artist" can be said as.
THIS_ARTIST: Final = frozenset(
    (
        "this artist",
        "that artist",
        "this guy",
        "that guy",
        "this girl",
        "that girl",
        "this band",
        "that band",
        "this singer",
        "that singer",
        "them",
        "him",
        "her",
        "this one s artist",
        "the same artist",
        "same artist",
        "this rapper",
        "that rapper",
        "this group",
        "that group",
    )
)

#: Everyday words that must never be read as a typo of a mood word ("these" is not
#: "tense", "only" is not "lonely"): the reader leaves them out of mood matching.
COMMON_WORDS: Final = frozenset(
    """
these those only are was were been being have has had does did done will would should shall
must might may can could cant cannot dont doesnt didnt isnt arent wasnt not no yes yeah yep nah
this that there their they them then than when where which who whom whose what why how whats
all both each other such own same too very also here its it s t re ll ve d m am is be do did
one ones thing things way ways lot lots kind sort bit much many more most less least else
get got gets getting make made makes take took give gave know knew think thought say said tell
told ask asked want wanted need needed try tried use used find found look looked feel felt
seem seems come came go went going gone see saw seen hear heard listen listened listening
taking making having doing coming looking playing played eating heading trying waiting hoping
song songs track tracks music tune tunes list playlist artist artists band album albums
today tonight tomorrow yesterday week weekend year years time times night day days
about after again against before between during from into over under until while with within
""".split()
)
#: Words that make a question about music rather than about anything else.
MUSIC_WORDS: Final = frozenset(
    """
song songs track tracks tune tunes music playlist listen listening play playing hear vibe vibes
something anything recommend recommendation recommendations rec recs suggest banger bangers bops
artist artists album band
""".split()
)
#: Question words that, without any music word, start a question about something else.
QUESTION_WORDS: Final = frozenset("who what whats when where why how which whose".split())
#: "what about X", "how about X": a suggestion, not a question; the words say nothing else.
SUGGESTION_LEADS: Final = frozenset(("what about", "how about", "hows about", "what abt", "how abt"))
#: "ok last one, something like X": the last *request*, not the last song of the list (a
#: phrase from LAST_REQUEST_HEADS then a comma; "the last one" stays the list's last song).
LAST_REQUEST_HEADS: Final = frozenset(
    (
        "last one",
        "one last",
        "one last thing",
        "one last one",
        "one more",
        "one more thing",
        "last request",
        "last thing",
    )
)
#: What the music should do for the listener: "im sad rn, cheer me up" asks for the mood of
#: the goal, and a feeling said beside it that runs against it is where they are, not what
#: they want to hear.
GOAL_PHRASES: Final = {
    "cheer me up": "happy",
    "cheer up": "happy",
    "pick me up": "happy",
    "lift me up": "happy",
    "lift my mood": "happy",
    "lift my spirits": "happy",
    "make me happy": "happy",
    "make me feel better": "happy",
    "brighten my day": "happy",
    "calm me down": "calm",
    "help me relax": "relaxed",
    "help me sleep": "sleep",
    "put me to sleep": "sleep",
    "hype me up": "hype",
    "pump me up": "hype",
    "get me hyped": "hype",
    "wake me up": "energetic",
}
#: "add some rap to it": what follows "add" asks for more of something (read as "more …").
ADDITIONS: Final[dict[tuple[str, ...], list[str]]] = {
    ("add", "some"): ["more"],
    ("add", "more"): ["more"],
    ("add", "a", "bit", "of"): ["a", "bit", "more"],
    ("add", "a", "bit", "more"): ["a", "bit", "more"],
    ("add", "a", "little"): ["a", "bit", "more"],
    ("add", "a", "lot", "of"): ["much", "more"],
    ("add", "lots", "of"): ["much", "more"],
}
#: "not too X", "nothing too X", "not so X": a negation of X, like "not X".
NEGATION_PHRASES: Final = frozenset(
    ("not too", "nothing too", "not so", "not very", "not overly", "nothing overly", "none too", "nothing")
)

#: Words that say nothing on their own ("can you give me some songs please").
FILLER: Final = frozenset(
    """
a an the some something anything any songs song music tunes tune tracks track stuff things
give gimme get got find play show recommend recommendations rec recs suggest suggestions
me my i im i'm i d id ive i've we us you your u ya can could would will wanna want need needs
looking look for to of with and or in on at by from please pls plz plss pleaseee pretty
hey yo clusterfy bot hmm um uh uhh ok okay so just also maybe perhaps some kind type sort
is are be that this these those it its them they one ones there here what whats how
new few lil bit little really quite very actually literally like ish vibe vibes mood moods
now today tonight rn right time mode playlist list more another next again others
similar alike thats that's sumthing somethin smth sth smthn sumn sumthin drop send meant totally different
af asf put r
""".split()
)


__all__ = [
    "ADJECTIVES",
    "CHAT_WORDS",
    "DISLIKE_PHRASES",
    "HOW_TO_SUBJECTS",
    "HOW_TO_VERBS",
    "RESTART_EXTRAS",
    "COMMON_WORDS",
    "MUSIC_WORDS",
    "NEGATION_PHRASES",
    "QUESTION_WORDS",
    "COMPARATIVES",
    "COUNT_NOUNS",
    "CRITIQUE_FEATURES",
    "CRITIQUE_WORDS",
    "DISLIKE_WORDS",
    "EXCLUDE_CUES",
    "EXCLUSION_TAILS",
    "FAREWELLS",
    "FILLER",
    "GREETINGS",
    "HARD_BOUNDARIES",
    "HELP_PHRASES",
    "INTENSITY",
    "ABOUT_BLOCKERS",
    "ADDITIONS",
    "ABOUT_PHRASES",
    "ABOUT_TOPICS",
    "GOAL_PHRASES",
    "LAST_REQUEST_HEADS",
    "LINK_PHRASES",
    "LINK_WORDS",
    "LIKE_WORDS",
    "MIX_CUES",
    "MORE_PHRASES",
    "NUMBERS",
    "ORDINALS",
    "PRAISE_WORDS",
    "REF_NOUNS",
    "REQUEST_WORDS",
    "RESTART_PHRASES",
    "SEED_CUES",
    "SEED_JOINERS",
    "SEED_TAILS",
    "SMALLTALK_WORDS",
    "SURPRISE_PHRASES",
    "THANKS",
    "THAT_WORDS",
    "OTHER_ARTIST",
    "THIS_ARTIST",
]
