"""A fingerprint of the picks members are dealt, to compare across machines and kernels.

``deals(engine)`` runs a fixed set of requests through the engine (seeded vibes on mood
words and mood names with and without feedback, recommend pages, for you, playlists,
blends, typo lookups) and returns every answer as song ids. Two runs on different CPUs,
BLAS kernels or thread counts must give the same dictionary: see
``tests/test_cpu_independence.py``, which also runs this file as a script in
subprocesses with numpy's SIMD paths switched off::

    python tests/cpu_deals.py                 # the default catalog's cached model
    python tests/cpu_deals.py --fit FILE      # a model fitted here on FILE
    python tests/cpu_deals.py --model PATH    # a saved model
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

WORDS = ("sad but danceable", "chill", "party", "study", "not sad", "rainy day", "workout", "dreamy")
TYPOS = ("la jvaa", "le tango neurasthenique", "jungel", "chanson d amour", "mambo")


def _ids(picks: Any) -> list[str]:
    return [p.song.id for p in picks]


def deals(engine: Any) -> dict[str, Any]:
    """Every answer of a fixed set of requests, as song ids (see the module docstring)."""
    step = max(1, engine.n_songs // 24)
    seeds = list(range(0, engine.n_songs, step))[:24]
    out: dict[str, Any] = {}
    liked = [engine.song(seeds[1]).id, engine.song(seeds[5]).id]
    disliked = [engine.song(seeds[9]).id]
    for word in WORDS:
        for seed in range(4):
            plain = engine.vibe(word, 5, seed=seed)
            shaped = engine.vibe(word, 5, seed=seed, liked_ids=liked, disliked_ids=disliked)
            out[f"vibe {word} {seed}"] = [_ids(plain.picks), _ids(shaped.picks)]
    for mood in engine.moods:
        out[f"vibe mood {mood.key}"] = _ids(engine.vibe(mood.label, 5, seed=7, liked_ids=liked).picks)
    for i in seeds:
        first = engine.recommend(i, 10)
        second = engine.recommend(i, 10, page=1)
        shaped = engine.recommend(i, 5, liked_ids=liked, disliked_ids=disliked)
        out[f"recommend {i}"] = [_ids(first.picks), _ids(second.picks), _ids(shaped.picks)]
    out["foryou"] = _ids(engine.foryou(liked, 10, disliked_ids=disliked).picks)
    out["foryou starter"] = _ids(engine.foryou([], 10).picks)
    for query in ("chill", "party", f"{engine.song(seeds[2]).id} -> {engine.song(seeds[20]).id}"):
        out[f"playlist {query}"] = [s.id for s in engine.playlist(query, 12, liked_ids=liked).songs]
    out["playlist song"] = [s.id for s in engine.playlist(engine.song(seeds[3]).id, 12).songs]
    other = ([engine.song(seeds[12]).id, engine.song(seeds[14]).id], [])
    out["blend"] = [[p.song.id, list(who)] for p, who in engine.blend([(liked, disliked), other], 8)]
    match = engine.taste_match((liked, disliked), other)
    out["taste match"] = [round(match.score, 6), [m.key for m in match.shared_moods]]
    out["typos"] = [[c.id for c in engine.search(q, 5).candidates] for q in TYPOS]
    return out


def _main(argv: list[str]) -> int:
    """``--fit FILE``: fit k=4 on FILE here; ``--model PATH``: load that saved model; else
    the default catalog's cached model (``CLUSTERFY_CACHE_DIR``), built by whoever came first."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from engine.service import Engine

    if argv[:1] == ["--fit"]:
        from engine.catalog import load_catalog
        from engine.model import MoodModel

        songs, _ = load_catalog(argv[1])
        engine = Engine(MoodModel(4).fit(songs, progress=lambda _msg: None))
    elif argv[:1] == ["--model"]:
        engine = Engine.load(model_path=argv[1], progress=lambda _msg: None)
    else:
        engine = Engine.load(progress=lambda _msg: None)
    json.dump(deals(engine), sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
