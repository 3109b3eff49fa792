"""Command line: ``python -m clusterfy_cli`` (also ``python -m engine`` and ``clusterfy-engine``).

A front end over the engine, like the bot: it builds models through
:mod:`engine.storage.model_cache`, measures k through :class:`engine.model.MoodModel`'s own
evaluation, queries through :class:`engine.service.Engine` and reports the service's
errors in the service's words.

Subcommands: ``fit``, ``evaluate``, ``report`` (model building and charts) and
``search``, ``recommend``, ``cluster``, ``vibe`` (the bot's queries, from a shell).

Output contract: results go to stdout (one JSON object with ``--json``), progress and
errors to stderr. Progress is shown when stderr is a terminal (``--progress`` forces it,
``-q`` hides it), so scripts that capture stderr see only warnings and errors. Every failure
is one ``error: ...`` line on stderr and exit code 1
(plus ``{"error", "suggestions"}`` on stdout with ``--json``), never a traceback;
usage errors exit 2 (argparse), Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from engine import __version__
from engine.counts import DEFAULT_COUNT, MAX_PICKS, MIN_COUNT, BadCount, check_count
from engine.song_table import song_label
from engine.text import clean_display

from .output import Output, jsonable, one_line, table, to_json

if TYPE_CHECKING:
    from engine.evaluation import KResult
    from engine.filters import Target
    from engine.model import MoodModel
    from engine.resolver import Resolution
    from engine.results import Pick, Song
    from engine.service import Engine

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130

DEFAULT_K_RANGE = (2, 10)


class CliError(Exception):
    """A failure the CLI reports as one line (with suggestions) and exit code 1."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions)


# -- argument types ----------------------------------------------------------------
def _k_value(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"k must be an integer or 'auto', got {text!r}") from None
    if not 2 <= k <= 50:
        raise argparse.ArgumentTypeError(f"k must be between 2 and 50, got {k}")
    return k


def _song_count(text: str) -> int:
    """A number of songs, by the one count rule (engine.counts): refused, not clamped, out of range."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a whole number, got ''")
    try:
        return check_count(text, maximum=MAX_PICKS)
    except BadCount as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _restarts(text: str) -> int:
    """K-Means restarts per k (not a song count)."""
    n = _whole_number(text)
    if not 1 <= n <= 100:
        raise argparse.ArgumentTypeError(f"must be between 1 and 100, got {n}")
    return n


def _whole_number(text: str) -> int:
    """An int argument (k bounds are range-checked together, in _check_k_range)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


# -- model access ------------------------------------------------------------------
def _catalog_path(args: argparse.Namespace) -> Path:
    from engine.paths import default_catalog

    return Path(args.data).expanduser() if args.data else default_catalog()


def _obtain(args: argparse.Namespace, out: Output) -> MoodModel:
    """The model for ``--model``/``--data`` (built and cached on first use)."""
    from engine.storage.model_cache import obtain_model

    return obtain_model(catalog=args.data, model_path=args.model, k=args.k, progress=out.progress)


def _evaluate_model(model: MoodModel, k_min: int, k_max: int, out: Output) -> list[KResult]:
    """The k-selection figures of a served model that has none (fitted with a fixed k)."""
    from engine.evaluation import evaluate_k

    n = len(model.labels_)
    k_max = min(k_max, n - 1)
    _check_k_range(k_min, k_max)
    out.progress(f"evaluating k={k_min}..{k_max} on {n:,} songs for the k-selection chart")
    return evaluate_k(
        model.transform(model.songs_),
        range(k_min, k_max + 1),
        n_init=model.n_init,
        random_state=model.random_state,
        progress=lambda k, r: out.progress(_k_progress(r)),
    )


def _k_progress(r: KResult) -> str:
    return (
        f"k={r.k}: silhouette {r.silhouette:.3f}, Davies-Bouldin {r.davies_bouldin:.3f}, "
        f"inertia {r.inertia:,.0f}"
    )


def _check_k_range(k_min: int, k_max: int) -> None:
    if k_min < 2 or k_max < k_min or k_max > 50:
        raise CliError(f"bad k range {k_min}..{k_max}", ["--k-min 2 --k-max 10 (any 2 <= min <= max <= 50)"])


# -- fit / evaluate / report ----------------------------------------------------------
def cmd_fit(args: argparse.Namespace, out: Output) -> int:
    from engine.paths import cached_model_path
    from engine.storage.artifact import save_model
    from engine.storage.model_cache import build_model

    catalog = _catalog_path(args)
    model = build_model(catalog, args.k, progress=out.progress)  # the bot's and obtain_model's path
    report = model.cleaning_report_
    target = Path(args.model).expanduser() if args.model else cached_model_path(catalog, args.k)
    out.progress(f"saving model to {target}")
    save_model(model, target)

    metrics = model.metrics_
    validation = model.validation_
    clusters = model.summary()
    payload: dict[str, Any] = {
        "cleaning": report.to_dict(),
        "k": int(model.n_clusters_),
        "metrics": metrics.to_dict(),
        "clusters": clusters,
        "validation": {"genre_purity": validation.genre_purity, "genre_nmi": validation.genre_nmi},
        "model": str(target),
    }
    if model.evaluation_:
        payload["evaluation"] = [r.to_dict() for r in model.evaluation_]
        payload["chosen_k"] = int(model.n_clusters_)

    def text() -> list[str]:
        lines = list(report.lines()) + [""]
        if model.evaluation_:
            lines += _evaluation_lines(model.evaluation_, int(model.n_clusters_)) + [""]
        lines.append(f"k = {model.n_clusters_} moods")
        lines.append(
            f"silhouette      {metrics.silhouette:.3f}  "
            f"(on {metrics.silhouette_sample:,} songs; higher is better)"
        )
        lines.append(f"Davies–Bouldin  {metrics.davies_bouldin:.3f}  (lower is better)")
        lines.append(f"inertia         {metrics.inertia:,.1f}")
        if validation.genre_purity is not None:
            lines.append(
                f"genre purity    {validation.genre_purity:.3f}   genre NMI {validation.genre_nmi:.3f}"
                f"  (genres were not used to fit)"
            )
        lines.append("")
        lines += table(
            ["id", "mood", "size", "share", "description"],
            [
                [c["cluster"], c["label"], f"{c['size']:,}", f"{c['share']:.1%}", c["description"]]
                for c in clusters
            ],
            max_widths={4: 130},
            right=(0, 2, 3),
        )
        lines += ["", f"model saved to {target}"]
        return lines

    out.emit(payload, text)
    return EXIT_OK


def _evaluation_lines(results: Sequence[KResult], chosen: int) -> list[str]:
    rows = [
        [
            ("* " if r.k == chosen else "  ") + str(r.k),
            f"{r.inertia:,.1f}",
            f"{r.silhouette:.3f}",
            f"{r.davies_bouldin:.3f}",
            " ".join(f"{s:,}" for s in r.sizes),
        ]
        for r in results
    ]
    return table(
        ["k", "inertia", "silhouette", "Davies–Bouldin", "sizes"],
        rows,
        max_widths={4: 80},
        right=(0, 1, 2, 3),
    )


def cmd_evaluate(args: argparse.Namespace, out: Output) -> int:
    from engine.catalog import load_catalog
    from engine.catalog_compare import compare_union
    from engine.model import MoodModel
    from engine.paths import catalog_files

    _check_k_range(args.k_min, args.k_max)
    catalog = _catalog_path(args)
    songs, report = load_catalog(catalog)
    if args.k_max >= len(songs):
        raise CliError(
            f"k={args.k_max} needs more than the {len(songs):,} songs in {report.source}",
            [f"use --k-max {max(2, len(songs) - 1)} or less"],
        )
    # The model's own k selection ("fit --k auto"): its features, its scaler, its rule for
    # choosing k, so what evaluate reports is what fit would choose.
    model = MoodModel(n_clusters="auto", k_range=(args.k_min, args.k_max), n_init=args.n_init)
    model.fit(songs, progress=out.progress)
    results = model.evaluation_ or []
    chosen = int(model.n_clusters_)
    payload = {
        "results": [
            {
                "k": r.k,
                "inertia": r.inertia,
                "silhouette": r.silhouette,
                "davies_bouldin": r.davies_bouldin,
                "sizes": list(r.sizes),
            }
            for r in results
        ],
        "chosen_k": chosen,
        "silhouette_sample": results[0].silhouette_sample,
        "cleaning": report.to_dict(),
    }

    files = catalog_files(catalog)
    comparison: list[dict[str, Any]] = []
    if len(files) > 1 and not args.no_compare:
        comparison = compare_union(songs, files, progress=out.progress)
        payload["comparison"] = comparison

    def text() -> list[str]:
        lines = (
            report.lines()
            + [""]
            + _evaluation_lines(results, chosen)
            + [
                "",
                f"chosen k = {chosen} (highest silhouette; near-ties go to the lower Davies–Bouldin)",
                f"silhouette computed on {results[0].silhouette_sample:,} songs",
            ]
        )
        if comparison:
            lines += [
                "",
                f"k = {comparison[0]['k']}: the union next to each file alone "
                "(the served model: K-Means n_init=10, seed 42; sizes largest first)",
            ]
            lines += table(
                ["catalog", "songs", "silhouette", "Davies–Bouldin", "sizes", "moods"],
                [
                    [
                        c["catalog"],
                        f"{c['songs']:,}",
                        f"{c['silhouette']:.3f}",
                        f"{c['davies_bouldin']:.3f}",
                        " / ".join(f"{n:,}" for n in c["sizes"]),
                        ", ".join(c["moods"]),
                    ]
                    for c in comparison
                ],
                max_widths={5: 90},
                right=(1, 2, 3),
            )
        return lines

    out.emit(payload, text)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: Output) -> int:
    from engine.charts import write_report

    _check_k_range(args.k_min, args.k_max)
    out_dir = Path(args.out).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise CliError(f"--out {out_dir} is a file, not a folder", ["--out DIR with a folder path"])
    out_dir.mkdir(parents=True, exist_ok=True)  # fail before the slow steps, not after
    model = _obtain(args, out)
    evaluation = model.evaluation_ or _evaluate_model(model, args.k_min, args.k_max, out)
    out.progress(f"drawing charts into {out_dir}")
    paths = write_report(model, out_dir, evaluation=evaluation)
    payload = {"files": [str(p) for p in paths], "out": str(out_dir)}
    out.emit(payload, lambda: [str(p) for p in paths])
    return EXIT_OK


# -- queries (through engine.service) -------------------------------------------------
def _engine(args: argparse.Namespace, out: Output) -> Engine:
    from engine.service import Engine

    return Engine.load(catalog=args.data, model_path=args.model, k=args.k, progress=out.progress)


def _song_dict(song: Song) -> dict[str, Any]:
    return {
        "id": song.id,
        "name": song.name,
        "artist": song.artist,
        "year": song.year,
        "cluster": int(song.cluster),
        "mood": song.mood.label,
    }


def _pick_dict(pick: Pick, score_key: str = "similarity") -> dict[str, Any]:
    """A recommended song; ``score_key`` names what the score means (similarity, typicality)."""
    return {**_song_dict(pick.song), score_key: float(pick.score), "reason": pick.reason}


def _targets_text(targets: Sequence[Target]) -> list[str]:
    return [t.describe() for t in targets]


def _song_title(song: Song) -> str:
    """ "Title — Artist (year)", by the engine's one label formatter."""
    return song_label(song.name, song.artist, song.year)


def _picks_table(picks: Sequence[Pick], score_header: str) -> list[str]:
    return table(
        ["#", "title", "artist", "mood", score_header, "why"],
        [
            [i, p.song.name, p.song.artist, p.song.mood.label, f"{float(p.score):.3f}", p.reason]
            for i, p in enumerate(picks, 1)
        ],
        max_widths={1: 36, 2: 24, 3: 20, 5: 90},
        right=(0, 4),
    )


#: A batch line longer than this (in bytes) is answered with an error, not searched.
BATCH_MAX_LINE_BYTES = 4096


def _batch_lines(stream: BinaryIO) -> Iterator[tuple[str, str | None]]:
    """(text, problem) per line of a binary stream; never holds more than one capped line.

    A line that is not UTF-8, holds control characters or is longer than
    BATCH_MAX_LINE_BYTES comes back with ``problem`` set (and is still one line, so
    answers stay aligned with the input).
    """
    while True:
        raw = stream.readline(BATCH_MAX_LINE_BYTES + 1)
        if not raw:
            return
        too_long = len(raw) > BATCH_MAX_LINE_BYTES and not raw.endswith(b"\n")
        while too_long:  # drop the rest of an over-long line
            rest = stream.readline(BATCH_MAX_LINE_BYTES)
            if not rest or rest.endswith(b"\n"):
                break
        raw = raw.rstrip(b"\n").rstrip(b"\r")
        text = raw.decode("utf-8", errors="replace")
        if too_long:
            yield text[:80], f"line longer than {BATCH_MAX_LINE_BYTES} bytes"
        elif "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
            yield text, "line is not UTF-8 text"
        elif any(ch in text for ch in "\x00\x7f") or any(ord(ch) < 32 and ch != "\t" for ch in text):
            yield text, "line holds control characters"
        else:
            yield text, None


def _search_payload(engine: Engine, query: str, limit: int) -> tuple[dict[str, Any], Resolution]:
    """What ``search --json`` prints for one query, and the resolution; no match raises NoMatchError."""
    from engine.errors import NoMatchError

    res = engine.search(query, limit=limit)
    if not res.candidates:
        shown = one_line(res.query or query)[:80]
        if not shown:
            raise NoMatchError("type a song title to look for", ('"la java"', '"title by artist"'))
        raise NoMatchError(
            f"no song matches “{shown}”", [song_label(c.name, c.artist) for c in res.suggestions]
        )
    matches = [
        {"id": c.id, "name": c.name, "artist": c.artist, "year": c.year, "score": float(c.score)}
        for c in res.candidates
    ]
    return {"query": query, "status": res.status, "matches": matches, "ambiguous": bool(res.ambiguous)}, res


def cmd_search_batch(args: argparse.Namespace, out: Output) -> int:
    """One JSON object per stdin line, in order: the search result or ``{"query", "error"}``.

    A bad line (blank, binary, control characters, too long, nothing to match) gets
    its error object on its own line; the batch goes on. Exit code 0 once every line
    has its answer.
    """
    from engine.errors import EngineError

    engine = _engine(args, out)
    stream: BinaryIO | None = getattr(sys.stdin, "buffer", None)  # absent on a text-only stdin
    if stream is None:  # a text stream (tests, embedding): encode back, same rules
        import io

        stream = io.BytesIO(sys.stdin.read().encode("utf-8", errors="surrogateescape"))
    for text, problem in _batch_lines(stream):
        shown = one_line(clean_display(text))[:200]
        if problem is None and not text.strip():
            problem = "empty line: type a song title to look for"
        if problem is not None:
            payload: dict[str, Any] = {"query": shown, "error": problem, "suggestions": []}
        else:
            try:
                payload = _search_payload(engine, text, args.limit)[0]
            except EngineError as exc:
                message, suggestions = _describe_error(exc)
                payload = {"query": shown, "error": one_line(message), "suggestions": suggestions}
        print(to_json(payload), flush=True)
    return EXIT_OK


def cmd_search(args: argparse.Namespace, out: Output) -> int:
    if args.batch:
        if args.query is not None:
            raise CliError(
                "give either a query or --batch (queries on stdin), not both",
                ['printf "la java\\nshape of you\\n" | python -m engine search --batch'],
            )
        return cmd_search_batch(args, out)
    if args.query is None:
        raise CliError(
            "type a song title to look for (or --batch to read one per line from stdin)",
            ['python -m engine search "la java"'],
        )
    engine = _engine(args, out)
    payload, res = _search_payload(engine, args.query, args.limit)

    def text() -> list[str]:
        lines = table(
            ["#", "title", "artist", "year", "score"],
            [
                [i, c.name, c.artist, c.year if c.year is not None else "", f"{float(c.score):.1f}"]
                for i, c in enumerate(res.candidates, 1)
            ],
            max_widths={1: 50, 2: 30},
            right=(0, 3, 4),
        )
        if res.ambiguous:
            lines += [
                "",
                'several songs match about equally; add the artist to pick one (e.g. "title - artist")',
            ]
        return lines

    out.emit(payload, text)
    return EXIT_OK


def cmd_recommend(args: argparse.Namespace, out: Output) -> int:
    engine = _engine(args, out)
    rec = engine.recommend(args.query, n=args.n, where=args.where)
    payload: dict[str, Any] = {
        "seed": _song_dict(rec.seed),
        "picks": [_pick_dict(p) for p in rec.picks],
        "targets": _targets_text(rec.targets),
    }

    def text() -> list[str]:
        seed = rec.seed
        lines = [f"seed: {_song_title(seed)}  [{seed.mood.label}, cluster {seed.cluster}]"]
        if payload["targets"]:
            lines.append("where: " + "; ".join(payload["targets"]))
        return lines + [""] + _picks_table(rec.picks, "similarity")

    out.emit(payload, text)
    return EXIT_OK


def _pairs(items: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
    """Top genres/artists, (name, count) pairs, as [{"name", "count"}]."""
    return [{"name": str(name), "count": int(count)} for name, count in items]


def cmd_cluster(args: argparse.Namespace, out: Output) -> int:
    engine = _engine(args, out)
    rep = engine.cluster_report(args.query)
    song = rep.song
    mood = rep.mood
    genres, artists = _pairs(rep.top_genres), _pairs(rep.top_artists)
    comparison = [jsonable(c) for c in rep.comparison]
    payload = {
        "song": _song_dict(song),
        "cluster": int(song.cluster),
        "mood": mood.label,
        "description": mood.description,
        "size": int(rep.size),
        "share": float(rep.share),
        "top_genres": genres,
        "top_artists": artists,
        "comparison": comparison,
    }

    def text() -> list[str]:
        lines = [
            f"{_song_title(song)}",
            f"mood: {mood.label} (cluster {song.cluster}; {int(rep.size):,} songs, "
            f"{float(rep.share):.0%} of the catalog)",
        ]
        if payload["description"]:
            lines.append(f"      {payload['description']}")
        if genres:
            lines.append("top genres:  " + ", ".join(f"{g['name']} ({g['count']})" for g in genres))
        if artists:
            lines.append("top artists: " + ", ".join(f"{a['name']} ({a['count']})" for a in artists))
        if rep.comparison:
            lines += ["", "against its mood:"]
            for c in rep.comparison:
                lines.append("  " + c.text)
        return lines

    out.emit(payload, text)
    return EXIT_OK


def cmd_vibe(args: argparse.Namespace, out: Output) -> int:
    engine = _engine(args, out)
    res = engine.vibe(args.mood, n=args.n, seed=args.seed, where=args.where)
    mood = res.mood
    payload: dict[str, Any] = {
        "mood": mood.label,
        "cluster": int(mood.cluster),
        "description": mood.description,
        "picks": [_pick_dict(p, "typicality") for p in res.picks],
        "targets": _targets_text(res.targets),
        "query": res.query,
        "meaning": res.meaning,
        "by_cluster": res.by_cluster,
        "sources": [{"cluster": int(m.cluster), "mood": m.label, "picks": c} for m, c in res.sources],
    }

    def text() -> list[str]:
        lines = [f"{mood.label} (cluster {payload['cluster']})"]
        if payload["description"]:
            lines.append(f"  {payload['description']}")
        if res.query and res.query != mood.label:
            lines.append(
                f"“{res.query}”: {res.meaning}; from "
                + ", ".join(f"{s['mood']} ({s['picks']})" for s in payload["sources"])
            )
        if payload["targets"]:
            lines.append("where: " + "; ".join(payload["targets"]))
        return lines + [""] + _picks_table(res.picks, "typical")

    out.emit(payload, text)
    return EXIT_OK


# -- parser -----------------------------------------------------------------------------
def _add_count(p: argparse.ArgumentParser) -> None:
    """``-n N``: how many songs a command lists, under the one count rule (engine.counts)."""
    p.add_argument(
        "-n",
        type=_song_count,
        default=DEFAULT_COUNT,
        metavar="N",
        help=f"how many ({MIN_COUNT}-{MAX_PICKS}, default {DEFAULT_COUNT})",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    common.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug) on stderr"
    )
    shown = common.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show progress on stderr even when it is not a terminal",
    )
    shown.add_argument("-q", "--quiet", dest="progress", action="store_false", help="no progress messages")

    source = argparse.ArgumentParser(add_help=False)
    source.add_argument(
        "--data",
        metavar="PATH",
        help="catalog: a CSV/Parquet file, a folder of them, or several joined by "
        f"'{os.pathsep}' (default: $CLUSTERFY_CATALOG, else the bundled catalog: "
        "study sample + well-known songs)",
    )

    model_src = argparse.ArgumentParser(add_help=False)
    model_src.add_argument(
        "--model",
        metavar="PATH",
        help="model file: loaded if it exists, else built from the catalog and "
        "saved there (default: cached per catalog in the user cache dir)",
    )
    model_src.add_argument(
        "--k",
        type=_k_value,
        default=4,
        metavar="N|auto",
        help="number of moods when a model has to be built (default 4)",
    )

    parser = argparse.ArgumentParser(
        prog="python -m engine",  # the documented name; python -m clusterfy_cli is the same
        description="Clusterfy engine: cluster songs into moods on audio features; "
        "search, recommend and chart from the shell.",
        epilog="Models are cached in $CLUSTERFY_CACHE_DIR (default ~/.cache/clusterfy).",
    )
    parser.add_argument("--version", action="version", version=f"clusterfy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "fit",
        parents=[common, source],
        help="fit a model on a catalog and save it",
        description="Load and clean a catalog, cluster it and save the model.",
    )
    p.add_argument(
        "--k",
        type=_k_value,
        default=4,
        metavar="N|auto",
        help="number of moods, or 'auto' to pick by silhouette over 2..10 (default 4)",
    )
    p.add_argument(
        "--model", metavar="PATH", help="where to save (default: the cache file obtain_model looks for)"
    )
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser(
        "evaluate",
        parents=[common, source],
        help="compare k by inertia, silhouette, DB",
        description="Fit K-Means for each k in a range and measure it.",
    )
    p.add_argument("--k-min", type=_whole_number, default=DEFAULT_K_RANGE[0], metavar="N")
    p.add_argument("--k-max", type=_whole_number, default=DEFAULT_K_RANGE[1], metavar="N")
    p.add_argument(
        "--n-init",
        type=_restarts,
        default=10,
        metavar="N",
        help="K-Means restarts per k (default 10, as the model uses)",
    )
    p.add_argument(
        "--no-compare",
        action="store_true",
        help="for a catalog of several files, skip the k=4 comparison of the union with each file alone",
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "report",
        parents=[common, source, model_src],
        help="write the model's charts as PNG",
        description="Write k-selection, sizes, profiles, PCA map and genre charts.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    p.add_argument(
        "--k-min",
        type=_whole_number,
        default=DEFAULT_K_RANGE[0],
        metavar="N",
        help="k range of the k-selection chart when the model has no evaluation",
    )
    p.add_argument("--k-max", type=_whole_number, default=DEFAULT_K_RANGE[1], metavar="N")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "search",
        parents=[common, source, model_src],
        help="find songs by title",
        description="Resolve a title (optionally 'title - artist') to catalog songs.",
    )
    p.add_argument("query", nargs="?", help='song title, e.g. "La Java" or "La Java - Mistinguett"')
    p.add_argument(
        "--limit",
        type=_song_count,
        default=DEFAULT_COUNT,
        metavar="N",
        help=f"most matches shown ({MIN_COUNT}-{MAX_PICKS}, default {DEFAULT_COUNT})",
    )
    p.add_argument(
        "--batch",
        action="store_true",
        help="read one query per line from stdin; print one JSON object per line, in order "
        "(the fields of --json, or {query, error, suggestions} for a bad line)",
    )
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "recommend",
        parents=[common, source, model_src],
        help="songs that sound like one",
        description="Songs from the seed's mood that sound most alike.",
    )
    p.add_argument("query", help="seed song title (optionally 'title - artist')")
    _add_count(p)
    p.add_argument("--where", metavar="FILTERS", help='filters such as "energy>0.7 tempo 90-110"')
    p.set_defaults(func=cmd_recommend)

    p = sub.add_parser(
        "cluster",
        parents=[common, source, model_src],
        help="a song's mood and how it fits",
        description="Which mood a song is in, what that mood holds, how the song compares.",
    )
    p.add_argument("query", help="song title (optionally 'title - artist')")
    p.set_defaults(func=cmd_cluster)

    p = sub.add_parser(
        "vibe",
        parents=[common, source, model_src],
        help="songs for a mood",
        description='Songs for mood words (sad, study, "sad but danceable") or a mood\'s name.',
    )
    p.add_argument("mood", help='mood words or a mood\'s name, e.g. chill, sad, road trip, "chill acoustic"')
    _add_count(p)
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed for repeatable picks")
    p.add_argument("--where", metavar="FILTERS", help='filters such as "tempo>120"')
    p.set_defaults(func=cmd_vibe)
    return parser


# -- errors -------------------------------------------------------------------------------
_HINTS = {
    "CatalogError": "--data PATH to a Spotify-features CSV or Parquet file",
    "ArtifactError": "python -m engine fit (or another --model PATH)",
    "OSError": "check the path and its permissions",
    "ValueError": "python -m engine COMMAND --help",
}


def _describe_error(exc: BaseException) -> tuple[str, list[str]]:
    """Message and suggestions for a failure we expect and can explain."""
    from engine.catalog import CatalogError
    from engine.errors import AmbiguousSongError, EngineError
    from engine.filters import TargetError
    from engine.storage.artifact import ArtifactError

    if isinstance(exc, CliError):
        return exc.message, exc.suggestions
    if isinstance(exc, EngineError):  # the service's own words, not re-worded here
        suggestions = list(exc.suggestions)
        if not suggestions and isinstance(exc, AmbiguousSongError):
            suggestions = [f"{c.name} - {c.artist}" for c in exc.candidates]
        return exc.message, suggestions
    if isinstance(exc, CatalogError):  # a message that says what to try needs no hint of ours
        return str(exc), [] if exc.names_fix else [_HINTS["CatalogError"]]
    if isinstance(exc, ArtifactError):  # a refusal that names its fix needs no hint of ours
        return str(exc), [] if exc.fix else [_HINTS["ArtifactError"]]
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}", [_HINTS["OSError"]]
    if isinstance(exc, TargetError) and exc.problems:
        return "; ".join(str(p) for p in exc.problems), []
    if isinstance(exc, ValueError):
        return str(exc), [_HINTS["ValueError"]]
    return f"unexpected {type(exc).__name__}: {exc}", ["rerun with -v for details and report it"]


def _report_error(message: str, suggestions: Sequence[str], out: Output | None) -> None:
    line = "error: " + one_line(message)
    tips = [one_line(s) for s in suggestions if s]
    if tips:
        line += " (try: " + "; ".join(tips[:5]) + ")"
    if out is not None and out.json:
        try:
            print(to_json({"error": one_line(message), "suggestions": tips}))
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger().setLevel(level)
    if verbosity < 2:  # matplotlib and numba chatter is never what a user asked for
        logging.getLogger("matplotlib").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    parser = build_parser()
    out: Output | None = None
    try:
        args = parser.parse_args(argv)
        _configure_logging(args.verbose)
        show = args.progress if args.progress is not None else _is_tty(sys.stderr)
        out = Output(args.json, show_progress=show)
        return int(args.func(args, out) or EXIT_OK)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except SystemExit:
        raise
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): nothing more to say. Point stdout
        # at devnull so the interpreter's final flush does not complain either.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_ERROR
    except Exception as exc:
        message, suggestions = _describe_error(exc)
        if logger.isEnabledFor(logging.INFO):  # -v: the details behind the one line
            logger.info("details of the error below", exc_info=exc)
        _report_error(message, suggestions, out)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
