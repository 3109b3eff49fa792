"""Do critiques do what they say, and do they get a listener somewhere? (two real catalogs)

``python -m benchmarks critiques`` fits each catalog (k=4), splits its songs by lead artist
(the stable hash of ``benchmarks/quality.py``: an artist's songs are all on one side), tunes
the conversation's two constants — the critique step (sd per unit critique) and the weight
of a critiqued feature (engine.dialogue.target) — on the *tune* side, and reports on the
*held-out* side:

**Direction.** For every seed song, the first list ("songs like it", 10 songs), then each of
the 22 unit critiques (11 features × 2 ways: sadder/happier, calmer/more energetic,
slower/faster, acoustic, danceable, instrumental/vocal, rap, louder/softer,
shorter/longer, older/newer, more popular/deeper cuts) said to it. A critique passes when
the next list's mean moves its way by at least 0.3 of the catalog's standard deviation of
that feature (mean over seeds, with a 95% bootstrap interval) while the list stays closer
to the seed (mean distance in the standardised space) than a random list of the seed's
mood. Seeds whose first list already sits within 0.3 sd of the catalog's end in the asked
direction (1st/99th percentile) are left out of that critique's figure and counted: most
songs have no instrumental or spoken part, and a list of them cannot get more vocal. The
same for lists of a mood word (chill, party, sad, workout) as the subject.

**Simulated users.** A listener has a hidden target song and starts from a seed song of
the same neighbourhood (the target is one of the 50th–300th songs nearest the seed: not in
the first list, but reachable). Each turn they look at the list: success when it holds the
target or a song within the target's 5th-nearest-neighbour distance; otherwise they
critique the feature on which the list's mean is furthest from the target (in sd; "much"
when it is over two steps away). At most 5 turns after the first list. Against two
baselines under the same rules: asking "more" every turn, and a random critique every turn.
Reported: success rate and mean turns to success, with 95% intervals over listeners.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.catalog import load_catalog
from engine.dialogue import DialogueState, Turn
from engine.dialogue.target import CRITIQUE_STEP, CRITIQUE_WEIGHT
from engine.dialogue.turns import Dialogue
from engine.language import Mention, Request
from engine.language.lexicon import CRITIQUE_WORDS
from engine.model import MoodModel
from engine.paths import BUNDLED_DATA_DIR
from engine.service import Engine

from .quality import held_out_side, lead_artist

#: The two real catalogs measured by default: the study sample and the well-known songs.
DEFAULT_CATALOGS = ("single_genre_artists_sample.csv", "well_known_songs.csv")
#: Every unit critique: (feature, direction, what is typed).
CRITIQUES: tuple[tuple[str, int, str], ...] = tuple(
    (f, d, CRITIQUE_WORDS[f][0 if d > 0 else 1]) for f in CRITIQUE_WORDS for d in (1, -1)
)
MOOD_SUBJECTS = ("chill", "party", "sad", "workout")
LIST_SIZE = 10
MIN_MOVE_SD = 0.3
MAX_TURNS = 5
NEIGHBOURHOOD = (50, 300)
HIT_NEIGHBOURS = 5
STEP_GRID = (0.35, 0.5, 0.75, 1.0)
WEIGHT_GRID = (3.0, 5.0, 8.0)


@dataclass
class Catalog:
    """One fitted catalog and what the measures read."""

    name: str
    engine: Engine
    z: np.ndarray  # standardised features, song rows
    values: dict[str, np.ndarray]  # raw value per critique feature
    sd: dict[str, float]
    held_out: np.ndarray
    labels: np.ndarray


def prepare(path: Path) -> Catalog:
    songs, _ = load_catalog(path)
    model = MoodModel(4).fit(songs, progress=lambda _m: None)
    engine = Engine(model)
    rec = engine.recommender
    X = np.asarray(rec.X_, dtype=np.float64)
    z = (X - rec._mean) / rec._scale
    values = {f: X[:, j] for j, f in enumerate(rec.features) if f in CRITIQUE_WORDS}
    values["year"] = np.asarray(engine.table.year, dtype=np.float64)
    values["popularity"] = np.asarray(engine.table.popularity, dtype=np.float64)
    sd = {f: float(np.nanstd(v)) or 1.0 for f, v in values.items()}
    listed = songs["artists"].tolist() if "artists" in songs.columns else [None] * len(songs)
    held = np.array([held_out_side(lead_artist(a, d)) for a, d in zip(listed, songs["artist"].tolist())])
    return Catalog(path.name, engine, z, values, sd, held, np.asarray(model.labels_))


def _start(dialogue: Dialogue, seed: int) -> Turn:
    request = Request(text="", intent="recommend", songs=(Mention(text="", kind="song", indices=(seed,)),))
    return dialogue.turn(DialogueState(count=LIST_SIZE), request, now=0.0)


def _start_mood(dialogue: Dialogue, word: str) -> Turn:
    request = dialogue.engine.reader.read(f"{LIST_SIZE} {word} songs")
    return dialogue.turn(DialogueState(), request, now=0.0)


def _say(dialogue: Dialogue, state: DialogueState, text: str, shown: set[str]) -> Turn:
    return dialogue.turn(state, dialogue.engine.reader.read(text), now=0.0, exclude_ids=shown)


def _indices(cat: Catalog, turn: Turn) -> list[int]:
    return [p.song.index for p in turn.picks]


def _mean(cat: Catalog, feature: str, idx: list[int]) -> float:
    v = cat.values[feature][np.asarray(idx, dtype=np.int64)]
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else math.nan


def _interval(values: np.ndarray, rng: np.random.Generator, reps: int = 1000) -> dict[str, float]:
    values = values[np.isfinite(values)]
    if not values.size:
        return {"mean": math.nan, "lo": math.nan, "hi": math.nan, "n": 0}
    boot = values[rng.integers(0, values.size, size=(reps, values.size))].mean(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"mean": float(values.mean()), "lo": float(lo), "hi": float(hi), "n": int(values.size)}


# -- direction ------------------------------------------------------------------------------
def direction(
    cat: Catalog, dialogue: Dialogue, seeds: np.ndarray, rng: np.random.Generator
) -> dict[str, Any]:
    """Per critique: the list's move in sd (its way), and closeness to the seed vs random."""
    moves: dict[str, list[float]] = {text: [] for _, _, text in CRITIQUES}
    closer: dict[str, list[float]] = {text: [] for _, _, text in CRITIQUES}
    dist_list: dict[str, list[float]] = {text: [] for _, _, text in CRITIQUES}
    dist_random: list[float] = []
    for seed in seeds.tolist():
        first = _start(dialogue, seed)
        before = _indices(cat, first)
        if len(before) < 3:
            continue
        shown = {p.song.id for p in first.picks}
        same_mood = np.flatnonzero(cat.labels == cat.labels[seed])
        rand = rng.choice(same_mood, size=min(LIST_SIZE, same_mood.size), replace=False)
        d_random = float(np.linalg.norm(cat.z[rand] - cat.z[seed], axis=1).mean())
        dist_random.append(d_random)
        for feature, sign, text in CRITIQUES:
            if not _room(cat, feature, sign, before):
                continue  # already at the catalog's end: nothing is more vocal than fully vocal
            after = _indices(cat, _say(dialogue, first.state, text, shown))
            if len(after) < 3:
                continue
            move = (_mean(cat, feature, after) - _mean(cat, feature, before)) / cat.sd[feature]
            moves[text].append(sign * move)
            d_list = float(np.linalg.norm(cat.z[after] - cat.z[seed], axis=1).mean())
            dist_list[text].append(d_list)
            closer[text].append(1.0 if d_list < d_random else 0.0)
    out = {}
    for feature, sign, text in CRITIQUES:
        mv = _interval(np.asarray(moves[text]), rng)
        out[text] = {
            "feature": feature,
            "direction": sign,
            "move_sd": mv,
            "passes": bool(mv["mean"] >= MIN_MOVE_SD),
            "share_moved": float(np.mean(np.asarray(moves[text]) >= MIN_MOVE_SD))
            if moves[text]
            else math.nan,
            "distance": float(np.mean(dist_list[text])) if dist_list[text] else math.nan,
            "closer_than_random": float(np.mean(closer[text])) if closer[text] else math.nan,
        }
    out["_random_distance"] = {"mean": float(np.mean(dist_random)) if dist_random else math.nan}
    return out


def _room(cat: Catalog, feature: str, sign: int, idx: list[int]) -> bool:
    """Whether a list can move 0.3 sd ``sign``-ways before the catalog's end (1st/99th
    percentile): most songs sit at zero instrumentalness and speechiness, and a list of them
    cannot get more vocal or less spoken."""
    v = cat.values[feature]
    if not np.isfinite(v).any():
        return False  # the file never says it (Hit Predictor has decades, no years)
    end = float(np.nanpercentile(v, 99 if sign > 0 else 1))
    gap = sign * (end - _mean(cat, feature, idx)) / cat.sd[feature]
    return gap >= MIN_MOVE_SD


def direction_moods(cat: Catalog, dialogue: Dialogue) -> dict[str, Any]:
    """The same check with mood words as the subject (one list each, no seeds to split)."""
    out: dict[str, Any] = {}
    for word in MOOD_SUBJECTS:
        first = _start_mood(dialogue, word)
        before = _indices(cat, first)
        if len(before) < 3:
            continue
        shown = {p.song.id for p in first.picks}
        row = {}
        for feature, sign, text in CRITIQUES:
            if not _room(cat, feature, sign, before):
                row[text] = math.inf  # at the catalog's end already: no move asked of it
                continue
            after = _indices(cat, _say(dialogue, first.state, text, shown))
            row[text] = (
                sign * (_mean(cat, feature, after) - _mean(cat, feature, before)) / cat.sd[feature]
                if len(after) >= 3
                else math.nan
            )
        out[word] = row
    return out


# -- simulated users ---------------------------------------------------------------------------
def listeners(cat: Catalog, seeds: np.ndarray, rng: np.random.Generator) -> list[tuple[int, int, float]]:
    """(seed, hidden target, hit radius) for each listener, targets from the seed's neighbourhood."""
    held = np.flatnonzero(cat.held_out) if cat.held_out[seeds].all() else np.flatnonzero(~cat.held_out)
    out = []
    for seed in seeds.tolist():
        d = np.linalg.norm(cat.z[held] - cat.z[seed], axis=1)
        order = np.argsort(d, kind="stable")
        lo, hi = NEIGHBOURHOOD
        if order.size <= lo:
            continue
        target = int(held[order[rng.integers(lo, min(hi, order.size))]])
        dt = np.linalg.norm(cat.z - cat.z[target], axis=1)
        radius = float(np.sort(dt)[HIT_NEIGHBOURS])  # [0] is the target itself
        out.append((seed, target, radius))
    return out


def _hit(cat: Catalog, idx: list[int], target: int, radius: float) -> bool:
    if not idx:
        return False
    return bool(target in idx or (np.linalg.norm(cat.z[idx] - cat.z[target], axis=1) <= radius).any())


def _user_critique(cat: Catalog, idx: list[int], target: int, step: float) -> str:
    """The critique a listener says: on the feature where the list is furthest from the target."""
    best, text = 0.0, "more"
    for feature in CRITIQUE_WORDS:
        t = cat.values[feature][target]
        m = _mean(cat, feature, idx)
        if not (math.isfinite(t) and math.isfinite(m)):
            continue
        gap = (t - m) / cat.sd[feature]
        if abs(gap) > best:
            best = abs(gap)
            text = CRITIQUE_WORDS[feature][0 if gap > 0 else 1]
    if best > 2 * step:
        text = "much " + text
    return text


def simulate(
    cat: Catalog, dialogue: Dialogue, users: list[tuple[int, int, float]], how: str, rng: np.random.Generator
) -> dict[str, Any]:
    """Success rate and turns for ``how`` in ("critique", "more", "random")."""
    turns_taken: list[float] = []
    success: list[float] = []
    for seed, target, radius in users:
        turn = _start(dialogue, seed)
        idx = _indices(cat, turn)
        shown = {p.song.id for p in turn.picks}
        done = _hit(cat, idx, target, radius)
        used = 0
        while not done and used < MAX_TURNS:
            if how == "critique":
                text = _user_critique(cat, idx, target, dialogue.step)
            elif how == "random":
                text = CRITIQUES[int(rng.integers(len(CRITIQUES)))][2]
            else:
                text = "more"
            nxt = _say(dialogue, turn.state, text, shown)
            used += 1
            if nxt.kind == "list":
                turn = nxt
                idx = _indices(cat, turn)
                shown |= {p.song.id for p in turn.picks}
                done = _hit(cat, idx, target, radius)
        success.append(1.0 if done else 0.0)
        if done:
            turns_taken.append(float(used))
    return {
        "success": _interval(np.asarray(success), rng),
        "turns": _interval(np.asarray(turns_taken), rng),
    }


# -- tuning and the report --------------------------------------------------------------------------
def _seeds(cat: Catalog, held: bool, n: int, rng: np.random.Generator) -> np.ndarray:
    pool = np.flatnonzero(cat.held_out == held)
    return np.sort(rng.choice(pool, size=min(n, pool.size), replace=False))


def tune(cats: list[Catalog], n: int, seed: int) -> dict[str, Any]:
    """The step and weight with the best simulated success on tune seeds, among those whose
    critiques all pass the direction check there (mean over catalogs)."""
    rows = []
    for step in STEP_GRID:
        for weight in WEIGHT_GRID:
            passes, success = True, []
            for cat in cats:
                rng = np.random.default_rng(seed)
                dialogue = Dialogue(cat.engine, step=step, weight=weight)
                seeds = _seeds(cat, False, n, rng)
                d = direction(cat, dialogue, seeds, rng)
                passes &= all(v["passes"] for k, v in d.items() if not k.startswith("_"))
                users = listeners(cat, seeds, rng)
                success.append(simulate(cat, dialogue, users, "critique", rng)["success"]["mean"])
            rows.append(
                {"step": step, "weight": weight, "all_pass": passes, "success": float(np.mean(success))}
            )
            print(
                f"  tune step {step} weight {weight}: all pass {passes}, success {np.mean(success):.3f}",
                file=sys.stderr,
            )
    ok = [r for r in rows if r["all_pass"]] or rows
    best = max(ok, key=lambda r: (r["success"], -r["step"]))
    return {"grid": rows, "chosen": best}


def run(paths: list[Path], n: int, seed: int, do_tune: bool) -> dict[str, Any]:
    started = time.perf_counter()
    cats = [prepare(p) for p in paths]
    tuning = tune(cats, max(40, n // 2), seed) if do_tune else None
    step = tuning["chosen"]["step"] if tuning else CRITIQUE_STEP
    weight = tuning["chosen"]["weight"] if tuning else CRITIQUE_WEIGHT
    out: dict[str, Any] = {"step": step, "weight": weight, "tuning": tuning, "catalogs": []}
    for cat in cats:
        rng = np.random.default_rng(seed + 1)
        dialogue = Dialogue(cat.engine, step=step, weight=weight)
        seeds = _seeds(cat, True, n, rng)
        users = listeners(cat, seeds, rng)
        out["catalogs"].append(
            {
                "catalog": cat.name,
                "songs": int(cat.z.shape[0]),
                "held_out_seeds": int(seeds.size),
                "direction": direction(cat, dialogue, seeds, rng),
                "moods": direction_moods(cat, dialogue),
                "listeners": len(users),
                "simulated": {
                    how: simulate(cat, dialogue, users, how, rng) for how in ("critique", "more", "random")
                },
            }
        )
    out["seconds"] = time.perf_counter() - started
    return out


def _f(x: dict[str, float], digits: int = 2) -> str:
    return f"{x['mean']:.{digits}f} ({x['lo']:.{digits}f}–{x['hi']:.{digits}f})"


def report(result: dict[str, Any]) -> str:
    lines = [f"Critiques: step {result['step']} sd, critiqued weight {result['weight']}"]
    if result["tuning"]:
        lines.append(
            "  chosen on tune seeds: "
            + ", ".join(
                f"{r['step']}/{r['weight']}: {'pass' if r['all_pass'] else 'FAIL'} {r['success']:.3f}"
                for r in result["tuning"]["grid"]
            )
        )
    for c in result["catalogs"]:
        d = c["direction"]
        lines += [
            "",
            f"{c['catalog']} ({c['songs']:,} songs): {c['held_out_seeds']} held-out seeds",
            f"{'critique':<18} {'seeds':>5} {'move (sd)':>20} {'≥0.3':>6} {'dist':>6} {'closer':>7}",
        ]
        for _, _, text in CRITIQUES:
            v = d[text]
            if not v["move_sd"]["n"]:
                lines.append(f"{text:<18} {0:>5}  (no seed: the file does not give this, or no room to move)")
                continue
            mark = "" if v["passes"] else "  ← under 0.3"
            lines.append(
                f"{text:<18} {v['move_sd']['n']:>5} {_f(v['move_sd']):>20} {v['share_moved']:>6.2f} "
                f"{v['distance']:>6.2f} {v['closer_than_random']:>7.2f}{mark}"
            )
        lines.append(f"(random list of the seed's mood: distance {d['_random_distance']['mean']:.2f})")
        fails = {w: [t for t, mv in row.items() if not mv >= MIN_MOVE_SD] for w, row in c["moods"].items()}
        lines.append(
            "mood subjects, critiques under 0.3 sd: "
            + "; ".join(f"{w}: {', '.join(t) or 'none'}" for w, t in fails.items())
        )
        s = c["simulated"]
        lines.append(
            f"simulated listeners ({c['listeners']}): success within {MAX_TURNS} turns / turns to success"
        )
        for how, label in (
            ("critique", "critiques"),
            ("more", "'more' only"),
            ("random", "random critiques"),
        ):
            lines.append(f"  {label:<17} {_f(s[how]['success'])} / {_f(s[how]['turns'])}")
    lines.append(f"\n({result['seconds']:.0f} s)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks critiques", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--data", nargs="*", type=Path, default=None, help="catalog files (default: two bundled)"
    )
    parser.add_argument("--seeds", type=int, default=150, help="held-out seeds per catalog")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-tune", action="store_true", help="measure the shipped constants only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    paths = args.data or [BUNDLED_DATA_DIR / name for name in DEFAULT_CATALOGS]
    result = run(paths, args.seeds, args.seed, not args.no_tune)
    print(json.dumps(result, indent=1, default=float) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
