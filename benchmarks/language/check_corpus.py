"""Validate benchmarks/language/requests.jsonl against the label schema in README.md.

Standard library only. Usage::

    python benchmarks/language/check_corpus.py [--file requests.jsonl] [--data DIR] [--no-catalog]

Checks every line: field names and order, types, allowed intents, ref forms, canonical mood
words, critique features / directions / intensities, filter syntax, feedback consistency, and
that every labelled song (title + artist, case-insensitive) exists in the catalog data — the
union of the six CSV files listed in README.md. Then it checks the corpus mix (the minimum
counts per intent and slot) and prints counts per intent and per slot. Exit status 0 = valid.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

FIELDS = [
    "id",
    "text",
    "intent",
    "songs",
    "refs",
    "moods",
    "not_moods",
    "critiques",
    "exclude_artists",
    "count",
    "filters",
    "feedback",
]
INTENTS = ["recommend", "vibe", "refine", "more", "feedback", "restart", "help", "smalltalk", "unknown"]
MOODS = [
    "happy", "sad", "angry", "calm", "relaxed", "romantic", "dreamy", "dark", "nostalgic",
    "melancholic", "hopeful", "lonely", "heartbreak", "anxious", "excited", "confident", "sexy",
    "dramatic", "silly", "bored", "peaceful", "study", "focus", "sleep", "meditation", "workout",
    "running", "party", "road trip", "rainy day", "late night", "morning", "dinner", "cleaning",
    "coffee", "summer", "cozy", "lazy sunday", "gaming", "wedding", "pregame", "commute", "chill",
    "mellow", "upbeat", "energetic", "hype", "dance", "groovy", "acoustic", "instrumental", "rap",
    "spoken word", "vocals", "loud", "quiet", "slow", "fast", "heavy", "rock", "punk", "pop",
    "electronic", "lofi", "ambient", "classical", "piano", "jazz", "folk", "soul", "latin",
    "reggae", "ballad", "live",
]  # fmt: skip
FEATURES = [
    "valence", "energy", "tempo", "acousticness", "danceability", "instrumentalness",
    "speechiness", "loudness", "year", "popularity", "duration",
]  # fmt: skip
INTENSITIES = ["bit", "normal", "much"]
REF_WORDS = ["last", "that"]
COMMAND_WORDS = [
    "recommend", "vibe", "cluster", "moods", "more", "like", "dislike", "link", "foryou",
    "playlist", "taste", "blend", "history", "forget", "help", "privacy",
]  # fmt: skip

# (file, title column, artist column)
CATALOG_FILES = [
    ("single_genre_artists_sample.csv", "name_song", "name_artists"),
    ("top_hits_2000_2019.csv", "song", "artist"),
    ("well_known_songs.csv", "song", "artist"),
    ("tidytuesday_spotify_songs.csv", "track_name", "track_artist"),
    ("spotify_top_songs_audio_features.csv", "track_name", "artist_names"),
    ("hit_predictor_1960_2019.csv", "track", "artist"),
]

# Filters, in the normalised form the labels use.
_NUM = r"-?\d+(?:\.\d+)?"
UNIT_FEATURES = "energy|valence|danceability|acousticness|instrumentalness|speechiness|liveness"
FILTER_PATTERNS = [
    (re.compile(r"^year (\d{4})-(\d{4})$"), "range"),
    (re.compile(r"^year[<>](\d{4})$"), "bound"),
    (re.compile(r"^(duration|tempo) (\d+)-(\d+)$"), "range"),
    (re.compile(r"^(duration|tempo)[<>](\d+)$"), "bound"),
    (re.compile(rf"^({UNIT_FEATURES})[<>](0(?:\.\d+)?|1(?:\.0+)?)$"), "unit"),
    (re.compile(rf"^({UNIT_FEATURES}) (0(?:\.\d+)?|1(?:\.0+)?)-(0(?:\.\d+)?|1(?:\.0+)?)$"), "unit"),
    (re.compile(r"^popularity[<>](\d{1,3})$"), "bound"),
    (re.compile(rf"^loudness[<>]({_NUM})$"), "bound"),
]

# Minimum mix (README "Mix").
MIX = {
    "total": 330,
    "recommend": 80,
    "recommend_critiques": 25,
    "recommend_refs": 15,
    "recommend_two_songs": 8,
    "recommend_filters_or_count": 10,
    "vibe": 70,
    "vibe_negations": 10,
    "vibe_several_words": 15,
    "vibe_count_or_filters": 10,
    "refine": 80,
    "refine_each_feature_direction": 2,
    "refine_exclusions": 12,
    "refine_filters": 10,
    "more": 15,
    "feedback": 15,
    "restart": 10,
    "help": 12,
    "smalltalk": 15,
    "unknown": 15,
}


def norm(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold().strip()


_ARTIST_SPLIT = re.compile(
    r"\s*,\s*|\s+&\s+|\s+featuring\s+|\s+feat\.?\s+|\s+with\s+|\s+and\s+|\s+x\s+|\s*\+\s*", re.I
)


def artist_forms(field: str) -> set[str]:
    """The catalog's artist field and each artist named in it ("A, B", "A Featuring B", ...)."""
    forms = {norm(field)}
    inner = re.sub(r"[()]", " ", field)
    forms.update(norm(p) for p in _ARTIST_SPLIT.split(inner) if p.strip())
    return forms


def find_data_dir(explicit: str | None) -> Path | None:
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("CLUSTERFY_CORPUS_DATA"):
        candidates.append(Path(os.environ["CLUSTERFY_CORPUS_DATA"]))
    candidates += [REPO / "data", Path("/work/shared/data")]
    for c in candidates:
        if all((c / f).is_file() for f, _, _ in CATALOG_FILES):
            return c
    return None


def load_catalog(data_dir: Path) -> tuple[dict[str, set[str]], set[str]]:
    """title (normalised) -> artist forms of every row with that title; and every artist form."""
    titles: dict[str, set[str]] = {}
    artists: set[str] = set()
    csv.field_size_limit(10**7)
    for fname, tcol, acol in CATALOG_FILES:
        with open(data_dir / fname, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                title, artist = row.get(tcol) or "", row.get(acol) or ""
                if not title:
                    continue
                forms = artist_forms(artist) if artist else set()
                titles.setdefault(norm(title), set()).update(forms)
                artists.update(forms)
    return titles, artists


def vocabulary_words() -> list[str] | None:
    """The canonical words in engine/vocabulary.py (first argument of each _w(...)), if present."""
    path = REPO / "engine" / "vocabulary.py"
    if not path.is_file():
        return None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_w" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                words.append(first.value)
    return words


def check_filter(f: str) -> str | None:
    for pat, kind in FILTER_PATTERNS:
        m = pat.match(f)
        if not m:
            continue
        nums = [g for g in m.groups() if g and re.fullmatch(_NUM, g)]
        if kind in ("range", "unit") and len(nums) == 2 and float(nums[0]) > float(nums[1]):
            return f"range low > high in {f!r}"
        if f.startswith("popularity") and int(nums[0]) > 100:
            return f"popularity bound > 100 in {f!r}"
        return None
    return f"bad filter syntax {f!r}"


def is_ref(x) -> bool:
    return (isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 10) or x in REF_WORDS


def validate(lines: list[str], catalog) -> tuple[list[dict], list[str]]:
    errors: list[str] = []
    items: list[dict] = []
    titles, artists = catalog if catalog else ({}, set())
    seen_text: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        where = f"line {n}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: not JSON ({e})")
            continue
        if not isinstance(d, dict):
            errors.append(f"{where}: not an object")
            continue
        if list(d) != FIELDS:
            errors.append(f"{where}: fields {list(d)} != {FIELDS}")
            continue
        items.append(d)
        err = errors.append
        if d["id"] != n:
            err(f"{where}: id {d['id']!r} (expected {n})")
        if not isinstance(d["text"], str) or not d["text"].strip():
            err(f"{where}: text must be a non-empty string")
        else:
            key = norm(d["text"])
            if key in seen_text:
                err(f"{where}: same text as line {seen_text[key]}")
            seen_text[key] = n
        if d["intent"] not in INTENTS:
            err(f"{where}: intent {d['intent']!r}")
        for field in ("songs", "refs", "moods", "not_moods", "critiques", "exclude_artists", "filters"):
            if not isinstance(d[field], list):
                err(f"{where}: {field} must be a list")
        if not all(
            isinstance(v, list)
            for v in (
                d["songs"],
                d["refs"],
                d["moods"],
                d["not_moods"],
                d["critiques"],
                d["exclude_artists"],
                d["filters"],
            )
        ):
            continue
        # songs
        for s in d["songs"]:
            if not isinstance(s, dict) or list(s) != ["title", "artist"]:
                err(f"{where}: song {s!r} must be {{title, artist}}")
                continue
            if not isinstance(s["title"], str) or not s["title"]:
                err(f"{where}: song title {s['title']!r}")
                continue
            if s["artist"] is not None and (not isinstance(s["artist"], str) or not s["artist"]):
                err(f"{where}: song artist {s['artist']!r} must be a string or null")
                continue
            if catalog:
                forms = titles.get(norm(s["title"]))
                if forms is None:
                    err(f"{where}: song title {s['title']!r} not in the catalog")
                elif s["artist"] is not None and norm(s["artist"]) not in forms:
                    err(f"{where}: {s['title']!r} by {s['artist']!r} not in the catalog")
        # refs
        for x in d["refs"]:
            if not is_ref(x):
                err(f"{where}: bad ref {x!r}")
        if len(d["refs"]) != len({repr(x) for x in d["refs"]}):
            err(f"{where}: repeated ref")
        # moods
        for field in ("moods", "not_moods"):
            for m in d[field]:
                if m not in MOODS:
                    err(f"{where}: {field} word {m!r} is not canonical")
            if len(set(d[field])) != len(d[field]):
                err(f"{where}: repeated word in {field}")
        if set(d["moods"]) & set(d["not_moods"]):
            err(f"{where}: word both in moods and not_moods")
        # critiques
        feats = []
        for c in d["critiques"]:
            if not isinstance(c, dict) or list(c) != ["feature", "direction", "intensity"]:
                err(f"{where}: critique {c!r} must be {{feature, direction, intensity}}")
                continue
            if c["feature"] not in FEATURES:
                err(f"{where}: critique feature {c['feature']!r}")
            if c["direction"] not in (1, -1) or isinstance(c["direction"], bool):
                err(f"{where}: critique direction {c['direction']!r}")
            if c["intensity"] not in INTENSITIES:
                err(f"{where}: critique intensity {c['intensity']!r}")
            feats.append(c["feature"])
        if len(feats) != len(set(feats)):
            err(f"{where}: the same feature critiqued twice")
        # exclusions
        for a in d["exclude_artists"]:
            if not isinstance(a, str) or not a:
                err(f"{where}: exclude_artists entry {a!r}")
            elif a != "this" and catalog and norm(a) not in artists:
                err(f"{where}: excluded artist {a!r} not in the catalog")
        # count
        c = d["count"]
        if c is not None and (not isinstance(c, int) or isinstance(c, bool) or not 1 <= c <= 100):
            err(f"{where}: count {c!r}")
        # filters
        for f in d["filters"]:
            if not isinstance(f, str):
                err(f"{where}: filter {f!r} must be a string")
            else:
                msg = check_filter(f)
                if msg:
                    err(f"{where}: {msg}")
        # feedback
        fb = d["feedback"]
        if fb is not None:
            if not isinstance(fb, dict) or list(fb) != ["value", "refs"]:
                err(f"{where}: feedback {fb!r} must be {{value, refs}} or null")
            else:
                if fb["value"] not in (1, -1) or isinstance(fb["value"], bool):
                    err(f"{where}: feedback value {fb['value']!r}")
                if (
                    not isinstance(fb["refs"], list)
                    or not fb["refs"]
                    or not all(is_ref(x) for x in fb["refs"])
                ):
                    err(f"{where}: feedback refs {fb.get('refs')!r}")
                elif any(x not in d["refs"] for x in fb["refs"]):
                    err(f"{where}: feedback refs must also be in refs")
        # intent / slot consistency
        it = d["intent"]
        if it == "feedback" and fb is None:
            err(f"{where}: intent feedback without feedback")
        if it == "recommend" and not d["songs"] and not d["refs"]:
            err(f"{where}: recommend needs a named song or a shown-song ref")
        if it == "vibe" and (d["songs"] or d["refs"]):
            err(f"{where}: vibe has no seed song")
        if it in ("restart", "help", "smalltalk", "unknown") and any(
            d[k]
            for k in (
                "songs",
                "refs",
                "moods",
                "not_moods",
                "critiques",
                "exclude_artists",
                "filters",
                "feedback",
            )
        ):
            err(f"{where}: {it} carries slots")
    return items, errors


def mix_report(items: list[dict]) -> list[str]:
    """Shortfalls against the minimum mix."""
    by = Counter(d["intent"] for d in items)
    rec = [d for d in items if d["intent"] == "recommend"]
    vib = [d for d in items if d["intent"] == "vibe"]
    ref = [d for d in items if d["intent"] == "refine"]
    have = {
        "total": len(items),
        **{i: by[i] for i in INTENTS if i in MIX},
        "recommend_critiques": sum(bool(d["critiques"]) for d in rec),
        "recommend_refs": sum(bool(d["refs"]) for d in rec),
        "recommend_two_songs": sum(len(d["songs"]) >= 2 for d in rec),
        "recommend_filters_or_count": sum(bool(d["filters"]) or d["count"] is not None for d in rec),
        "vibe_negations": sum(bool(d["not_moods"]) for d in vib),
        "vibe_several_words": sum(len(d["moods"]) + len(d["not_moods"]) >= 2 for d in vib),
        "vibe_count_or_filters": sum(bool(d["filters"]) or d["count"] is not None for d in vib),
        "refine_exclusions": sum(bool(d["exclude_artists"]) for d in ref),
        "refine_filters": sum(bool(d["filters"]) for d in ref),
    }
    short = [f"{k}: {have[k]} < {MIX[k]}" for k in have if have[k] < MIX[k]]
    fd = Counter((c["feature"], c["direction"]) for d in ref for c in d["critiques"])
    for f in FEATURES:
        for direction in (1, -1):
            if fd[(f, direction)] < MIX["refine_each_feature_direction"]:
                short.append(f"refine critique {f} {direction:+d}: {fd[(f, direction)]} < 2")
    return short


def print_counts(items: list[dict]) -> None:
    n = len(items)
    by = Counter(d["intent"] for d in items)
    print(f"requests: {n}")
    print("\nper intent:")
    for i in INTENTS:
        print(f"  {i:<10} {by[i]:>4}")
    slots = [
        "songs",
        "refs",
        "moods",
        "not_moods",
        "critiques",
        "exclude_artists",
        "count",
        "filters",
        "feedback",
    ]

    def has(d, s):
        return d[s] is not None if s in ("count", "feedback") else bool(d[s])

    print("\nper slot (lines with the slot filled / items):")
    for s in slots:
        lines = sum(has(d, s) for d in items)
        if s in ("count", "feedback"):
            print(f"  {s:<16} {lines:>4}")
        else:
            print(f"  {s:<16} {lines:>4} / {sum(len(d[s]) for d in items):>4}")
    print("\nslot lines per intent:")
    print("  " + f"{'intent':<10}" + "".join(f"{s[:9]:>10}" for s in slots))
    for i in INTENTS:
        rows = [d for d in items if d["intent"] == i]
        print("  " + f"{i:<10}" + "".join(f"{sum(has(d, s) for d in rows):>10}" for s in slots))
    crit = Counter((c["feature"], c["direction"]) for d in items for c in d["critiques"])
    inten = Counter(c["intensity"] for d in items for c in d["critiques"])
    print("\ncritiques (feature: +1 / -1):")
    for f in FEATURES:
        print(f"  {f:<17} {crit[(f, 1)]:>3} / {crit[(f, -1)]:>3}")
    print("  intensities: " + ", ".join(f"{k} {inten[k]}" for k in INTENSITIES))
    mood_use = Counter(m for d in items for m in d["moods"] + d["not_moods"])
    unused = [m for m in MOODS if not mood_use[m]]
    print(
        f"\nmood words used: {len(MOODS) - len(unused)} of {len(MOODS)}"
        + (f" (unused: {', '.join(unused)})" if unused else "")
    )
    ref_use = Counter(type(x).__name__ if isinstance(x, int) else x for d in items for x in d["refs"])
    print("refs: " + ", ".join(f"{k} {v}" for k, v in sorted(ref_use.items())))

    def first_word(t):
        t = re.sub(r"^(<@!?\d+>|@clusterfy)\s*", "", t.strip(), flags=re.I)
        m = re.match(r"[`*_~]*([a-z]+)", t.lower())
        return m.group(1) if m else ""

    cmd = sum(first_word(d["text"]) in COMMAND_WORDS for d in items)
    print(f"lines beginning with a command word: {cmd} ({100 * cmd / max(n, 1):.0f}%)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(HERE / "requests.jsonl"))
    ap.add_argument("--data", help="directory holding the six catalog CSV files")
    ap.add_argument("--no-catalog", action="store_true", help="skip the song / artist catalog check")
    args = ap.parse_args(argv)

    raw = Path(args.file).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"FAIL: not UTF-8 ({e})")
        return 1
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    catalog = None
    if not args.no_catalog:
        data_dir = find_data_dir(args.data)
        if data_dir is None:
            print("FAIL: catalog CSV files not found (use --data DIR or --no-catalog)")
            return 1
        catalog = load_catalog(data_dir)
        print(f"catalog: {data_dir} ({len(catalog[0])} titles)")

    errors = []
    vocab = vocabulary_words()
    if vocab is not None and sorted(vocab) != sorted(MOODS):
        errors.append(
            f"canonical mood list differs from engine/vocabulary.py: "
            f"missing {sorted(set(vocab) - set(MOODS))}, extra {sorted(set(MOODS) - set(vocab))}"
        )
    items, line_errors = validate(lines, catalog)
    errors += line_errors
    errors += [f"mix: {s}" for s in mix_report(items)]

    print_counts(items)
    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for err in errors:
            print("  " + err)
        return 1
    print("\nOK: corpus valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
