"""Charts of a fitted model, rendered to PNG bytes (the bot attaches them without a file).

Every function builds its own :class:`matplotlib.figure.Figure` with the Agg canvas and
never goes through pyplot's figure registry, so nothing is left open between calls (the
way matplotlib recommends for servers). Rendering happens under a lock, inside an
``rc_context`` and a ``catch_warnings`` block: the font fallback list and the silenced
"Glyph ... missing from font" warnings apply to our figures only and leak nowhere.

Song titles come from the catalog in any script and may contain ``$``: math text is
turned off so a title is always drawn literally, and glyphs the installed fonts lack
are drawn as boxes rather than crashing or printing warnings.
"""

from __future__ import annotations

import io
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

# Agg before pyplot is ever imported (we do not import it; others in the process might).
if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .evaluation import KResult, choose_k
from .features import FEATURE_LABELS, FEATURE_RANGES
from .moods import format_feature

if TYPE_CHECKING:
    from .model import MoodModel

#: Pixels per inch of every chart; with the widths below no chart exceeds 1200 px.
DPI = 100
MAX_WIDTH_IN = 12.0
#: Most points drawn on the 2-D map (a seeded random sample beyond that).
MAX_SCATTER_POINTS = 20_000

#: Tried in order after DejaVu Sans for characters it lacks (only installed ones are used).
_FALLBACK_FONTS = (
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Noto Sans JP",
    "Noto Sans SC",
    "Noto Sans KR",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans Symbols",
    "Noto Sans Symbols2",
    "Droid Sans Fallback",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Source Han Sans",
    "IPAGothic",
    "Arial Unicode MS",
    "Microsoft YaHei",
    "Yu Gothic",
    "Malgun Gothic",
    "Segoe UI Symbol",
)

_render_lock = threading.Lock()
_font_families: list[str] | None = None

CHART_FILES = {
    "elbow": "k_selection.png",
    "sizes": "cluster_sizes.png",
    "profiles": "cluster_profiles.png",
    "pca": "pca_map.png",
    "genres": "top_genres.png",
    "mood_map": "mood_map.png",
}


# -- plumbing ------------------------------------------------------------------
def _families() -> list[str]:
    """DejaVu Sans followed by whichever fallback fonts are installed (looked up once)."""
    global _font_families
    if _font_families is None:
        from matplotlib import font_manager

        installed = {f.name for f in font_manager.fontManager.ttflist}
        _font_families = ["DejaVu Sans", *[f for f in _FALLBACK_FONTS if f in installed]]
    return _font_families


@contextmanager
def _chart_context() -> Iterator[None]:
    with _render_lock, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from (current )?font")
        warnings.filterwarnings("ignore", message=r".*[Ff]ont family .* not found")
        with matplotlib.rc_context(
            {
                "font.family": _families(),
                "font.size": 10,
                "text.parse_math": False,
                "axes.titlesize": 12,
                "axes.titleweight": "bold",
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ):
            yield


def _render(draw: Callable[[], Figure]) -> bytes:
    """Build a figure with ``draw`` and return it as PNG bytes."""
    with _chart_context():
        fig = draw()
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
        fig.clear()
    return buf.getvalue()


def _figure(
    width: float,
    height: float,
    *,
    left: float = 0.9,
    right: float = 0.3,
    top: float = 0.5,
    bottom: float = 0.7,
    wspace: float = 0.3,
    hspace: float = 0.4,
) -> Figure:
    """A figure ``width`` x ``height`` inches with margins given in inches.

    Fixed margins rather than a layout engine: constrained/tight layout measure every
    text twice and cost more than the drawing itself (they made charts miss 1 s).
    """
    width = min(width, MAX_WIDTH_IN)
    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wspace,
        hspace=hspace,
    )
    return fig


def _colors(k: int) -> list[tuple[float, float, float, float]]:
    cmap = matplotlib.colormaps["tab10" if k <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(k)]


def _short(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(model: MoodModel, cluster: int) -> str:
    return model.moods_[cluster].label


def _check_index(model: MoodModel, index: int) -> int:
    i = int(index)
    if not 0 <= i < len(model.labels_):
        raise ValueError(f"song index {index} is outside the catalog (0..{len(model.labels_) - 1})")
    return i


# -- charts --------------------------------------------------------------------
def elbow_png(evaluation: Sequence[KResult], model_k: int | None = None) -> bytes:
    """Inertia (elbow) and silhouette / Davies–Bouldin over k.

    The k :func:`~engine.evaluation.choose_k` picks is marked, and ``model_k`` (the k a
    model actually uses) too when it differs.
    """
    results = sorted(evaluation, key=lambda r: r.k)
    if not results:
        raise ValueError("no evaluation results to chart")
    chosen = choose_k(list(results))
    ks = [r.k for r in results]

    def draw() -> Figure:
        fig = _figure(11, 4.4, left=1.0, right=0.9, top=0.75, bottom=0.6, wspace=0.4)
        left, right = fig.subplots(1, 2)
        left.plot(ks, [r.inertia for r in results], "o-", color="tab:blue")
        left.set(
            title="Elbow: inertia over k",
            xlabel="number of clusters k",
            ylabel="inertia (within-cluster sum of squares)",
        )
        right.plot(
            ks,
            [r.silhouette for r in results],
            "o-",
            color="tab:green",
            label="silhouette (higher is better)",
        )
        right.set(
            title="Silhouette and Davies–Bouldin over k", xlabel="number of clusters k", ylabel="silhouette"
        )
        db = right.twinx()
        db.plot(
            ks,
            [r.davies_bouldin for r in results],
            "s--",
            color="tab:red",
            label="Davies–Bouldin (lower is better)",
        )
        db.set_ylabel("Davies–Bouldin")
        db.spines["right"].set_visible(True)
        for ax in (left, right):
            ax.set_xticks(ks)
            ax.axvline(chosen, color="grey", linestyle=":", linewidth=1.2)
            if model_k is not None and model_k != chosen:
                ax.axvline(model_k, color="tab:orange", linestyle="--", linewidth=1.0)
            ax.grid(alpha=0.3)
        left.annotate(
            f"best k = {chosen}",
            xy=(chosen, 1),
            xycoords=("data", "axes fraction"),
            xytext=(4, -14),
            textcoords="offset points",
            color="dimgrey",
        )
        if model_k is not None and model_k != chosen:
            left.annotate(
                f"this model: k = {model_k}",
                xy=(model_k, 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -28),
                textcoords="offset points",
                color="tab:orange",
            )
        handles = right.get_legend_handles_labels()[0] + db.get_legend_handles_labels()[0]
        right.legend(handles, [h.get_label() for h in handles], loc="best", fontsize=9)
        sample = results[0].silhouette_sample
        fig.suptitle(f"Choosing k (silhouette on {sample:,} songs)", fontsize=11)
        return fig

    return _render(draw)


def sizes_png(model: MoodModel) -> bytes:
    """Songs per cluster, bars labelled with mood, count and share."""
    sizes = model.sizes_
    k = len(sizes)
    n = int(sizes.sum())
    colors = _colors(k)

    def draw() -> Figure:
        fig = _figure(max(6.0, 1.6 * k + 2), 4.8, left=0.8, bottom=1.4 if k > 4 else 0.8)
        ax = fig.subplots()
        names = [f"{c}: {_label(model, c)}" for c in range(k)]
        bars = ax.bar(range(k), sizes, color=colors)
        ax.bar_label(bars, labels=[f"{s:,}\n({s / n:.0%})" for s in sizes], padding=2, fontsize=9)
        ax.set_xticks(range(k), names, rotation=20 if k > 4 else 0, ha="right" if k > 4 else "center")
        ax.set(title=f"Cluster sizes ({n:,} songs, k={k})", xlabel="cluster", ylabel="number of songs")
        ax.set_ylim(0, sizes.max() * 1.18)
        return fig

    return _render(draw)


def profile_png(model: MoodModel) -> bytes:
    """Heatmap of each cluster's mean features in z-scores (how far from the catalog mean)."""
    features = list(model.features)
    z = model.scaler_.transform(np.asarray(model.profiles_, dtype=np.float64))
    k = len(z)

    def draw() -> Figure:
        fig = _figure(11, 0.6 * k + 2.4, left=1.9, right=0.2, top=0.45, bottom=1.2)
        ax = fig.subplots()
        lim = max(1.0, float(np.abs(z).max()))
        im = ax.imshow(z, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(
            range(len(features)), [FEATURE_LABELS.get(f, f) for f in features], rotation=30, ha="right"
        )
        ax.set_yticks(range(k), [f"{c}: {_label(model, c)}" for c in range(k)])
        for c in range(k):
            for j, f in enumerate(features):
                value = z[c, j]
                shown = 0.0 if abs(value) < 0.05 else value  # no "-0.0"
                ax.text(
                    j,
                    c,
                    f"{shown:+.1f}\n{format_feature(f, model.profiles_[c, j])}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if abs(value) > 0.6 * lim else "black",
                )
        ax.spines[:].set_visible(False)
        ax.set(
            title="Audio profile per cluster (z-score of the cluster mean; raw mean below)",
            xlabel="audio feature",
            ylabel="cluster",
        )
        fig.colorbar(im, ax=ax, label="standard deviations from the catalog mean", shrink=0.9)
        return fig

    return _render(draw)


def pca_png(model: MoodModel, highlight: int | None = None) -> bytes:
    """The songs on the 2-D PCA map, coloured by cluster; ``highlight`` marks one song."""
    coords = np.asarray(model.coords_2d_)
    labels = np.asarray(model.labels_)
    k = int(model.n_clusters_)
    colors = _colors(k)
    target = None if highlight is None else _check_index(model, highlight)
    n = len(coords)
    if n > MAX_SCATTER_POINTS:
        rows = np.random.default_rng(0).choice(n, MAX_SCATTER_POINTS, replace=False)
    else:
        rows = np.arange(n)
    ratio = getattr(model.pca_, "explained_variance_ratio_", None)

    def draw() -> Figure:
        fig = _figure(9, 7, left=0.8, right=0.3, top=0.5, bottom=0.7)
        ax = fig.subplots()
        size = 6 if len(rows) > 5000 else 10
        for c in range(k):
            sel = rows[labels[rows] == c]
            ax.scatter(
                coords[sel, 0],
                coords[sel, 1],
                s=size,
                color=colors[c],
                alpha=0.55,
                linewidths=0,
                label=f"{_label(model, c)} ({int(model.sizes_[c]):,})",
                rasterized=True,
            )
        if target is not None:
            song = model.songs_.iloc[target]
            x, y = coords[target]
            ax.scatter(
                [x],
                [y],
                marker="*",
                s=420,
                color="gold",
                edgecolors="black",
                linewidths=1.2,
                zorder=5,
                label="this song",
            )
            ax.annotate(
                _short(f"{song['name']} — {song['artist']}", 50),
                xy=(x, y),
                xytext=(12, 12),
                textcoords="offset points",
                fontsize=10,
                zorder=6,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "grey", "alpha": 0.9},
                arrowprops={"arrowstyle": "-", "color": "grey"},
            )
        pcs = ["PC1", "PC2"]
        if ratio is not None and len(ratio) >= 2:
            pcs = [f"PC{i + 1} ({ratio[i]:.0%} of variance)" for i in range(2)]
        title = "Songs on the 2-D PCA map, coloured by mood"
        if len(rows) < n:
            title += f" ({len(rows):,} of {n:,} shown)"
        ax.set(title=title, xlabel=pcs[0], ylabel=pcs[1])
        ax.legend(
            title="cluster", loc="best", markerscale=2 if target is None else 1, fontsize=9, framealpha=0.9
        )
        ax.grid(alpha=0.25)
        return fig

    return _render(draw)


def genres_png(model: MoodModel, top: int = 5) -> bytes:
    """Most common genres in each cluster: one horizontal-bar panel per cluster."""
    k = int(model.n_clusters_)
    colors = _colors(k)
    top_genres = model.validation_.top_genres
    sizes = model.sizes_
    cols = min(k, 2 if k <= 4 else 3)
    rows = int(np.ceil(k / cols))

    def draw() -> Figure:
        width, left, right, gap = min(5.5 * cols, MAX_WIDTH_IN), 1.9, 0.2, 2.2
        axis_width = (width - left - right - (cols - 1) * gap) / cols
        height, head, foot, vgap = 2.6 * rows + 0.5, 0.8, 0.55, 0.9
        axis_height = (height - head - foot - (rows - 1) * vgap) / rows
        fig = _figure(
            width,
            height,
            left=left,
            right=right,
            top=head,
            bottom=foot,
            wspace=gap / axis_width,
            hspace=vgap / axis_height,
        )
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for c in range(k):
            ax = axes[c]
            pairs = list(top_genres.get(c, []))[:top]
            ax.set_title(f"{c}: {_label(model, c)}", fontsize=11)
            if not pairs:
                ax.text(
                    0.5, 0.5, "no genre data", ha="center", va="center", transform=ax.transAxes, color="grey"
                )
                ax.set_xticks([])
                ax.set_yticks([])
                continue
            names = [_short(g, 28) for g, _ in pairs][::-1]
            shares = [cnt / max(int(sizes[c]), 1) for _, cnt in pairs][::-1]
            bars = ax.barh(range(len(pairs)), shares, color=colors[c])
            ax.bar_label(bars, labels=[f"{s:.0%}" for s in shares], padding=2, fontsize=8)
            ax.set_yticks(range(len(pairs)), names, fontsize=9)
            ax.set_xlim(0, min(1.0, max(shares) * 1.3 + 0.02))
            ax.set_xlabel("share of the cluster's songs")
        for ax in axes[k:]:
            ax.set_visible(False)
        fig.suptitle("Top genres per cluster (genres were not used to fit)", fontsize=12, fontweight="bold")
        return fig

    return _render(draw)


def song_profile_png(model: MoodModel, index: int, title: str | None = None) -> bytes:
    """One song's 0..1 features next to its cluster's mean and the catalog's mean.

    ``title`` heads the chart ("Title — Artist"); without it the song table is read for
    it (a served engine passes its own label and never loads the table).
    """
    i = _check_index(model, index)
    features = [f for f in model.features if FEATURE_RANGES.get(f) == (0.0, 1.0)]
    if not features:
        raise ValueError("the model has no 0..1 audio features to chart")
    if title is None:
        row = model.songs_.iloc[i]
        title = f"{row['name']} — {row['artist']}"
    song = dict(zip(model.features, np.asarray(model.feature_values_[i], dtype=np.float64).tolist()))
    cluster = int(model.labels_[i])
    idx = [model.features.index(f) for f in features]
    song_values = [float(song[f]) for f in features]
    cluster_values = np.asarray(model.profiles_)[cluster, idx]
    overall_values = np.asarray(model.overall_profile_)[idx]
    others = [f for f in model.features if f not in features]
    extra = "; ".join(
        f"{FEATURE_LABELS.get(f, f)} {format_feature(f, float(song[f]))}"
        f" (cluster {format_feature(f, float(model.profiles_[cluster, model.features.index(f)]))})"
        for f in others
    )

    def draw() -> Figure:
        fig = _figure(10, 5, left=0.8, right=0.3, top=0.5, bottom=1.2)
        ax = fig.subplots()
        x = np.arange(len(features))
        w = 0.27
        ax.bar(x - w, song_values, w, label="this song", color=_colors(model.n_clusters_)[cluster])
        ax.bar(
            x, cluster_values, w, label=f"cluster mean: {_label(model, cluster)}", color="dimgrey", alpha=0.75
        )
        ax.bar(x + w, overall_values, w, label="catalog mean", color="lightgrey", edgecolor="grey")
        ax.set_xticks(x, [FEATURE_LABELS.get(f, f) for f in features], rotation=15)
        ax.set_ylim(0, 1.2)
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.set(xlabel="audio feature (0 to 1)", ylabel="value")
        ax.set_title(_short(title, 70))
        if extra:
            fig.text(0.08, 0.03, _short(extra, 160), fontsize=8.5, color="dimgrey", va="bottom")
        ax.legend(loc="upper center", ncols=3, fontsize=9, framealpha=0.9)
        ax.grid(axis="y", alpha=0.3)
        return fig

    return _render(draw)


def mood_map_png(model: MoodModel, words: Sequence[tuple[str, float, float]] | None = None) -> bytes:
    """Clusters and mood words on the valence × energy plane (Russell's circumplex axes).

    Songs are faint dots coloured by cluster, each cluster's mean is a labelled disc, and
    each vocabulary word sits at the mean of its best-fitting songs (see
    :func:`engine.words.word_search.word_points`; computed here when ``words`` is None).
    Raises ValueError when the model was fitted without valence or energy.
    """
    feats = list(model.features)
    if "valence" not in feats or "energy" not in feats:
        raise ValueError("the model has no valence and energy features to place moods on")
    if words is None:
        from .words.word_search import word_points

        words = word_points(model)
    v, e = feats.index("valence"), feats.index("energy")
    values = model.feature_values_
    labels = np.asarray(model.labels_)
    k = int(model.n_clusters_)
    colors = _colors(k)
    n = len(labels)
    rows = (
        np.random.default_rng(0).choice(n, MAX_SCATTER_POINTS, replace=False)
        if n > MAX_SCATTER_POINTS
        else np.arange(n)
    )
    xs = np.asarray(values[:, v], dtype=np.float64)
    ys = np.asarray(values[:, e], dtype=np.float64)
    prof = np.asarray(model.profiles_)
    placed = _spread_labels([(float(x), float(y)) for _, x, y in words])

    def draw() -> Figure:
        fig = _figure(10, 9.2, left=0.8, right=0.3, top=0.6, bottom=0.7)
        ax = fig.subplots()
        for c in range(k):
            sel = rows[labels[rows] == c]
            ax.scatter(xs[sel], ys[sel], s=5, color=colors[c], alpha=0.16, linewidths=0, rasterized=True)
        # quadrant guides at the catalog's means, with Russell's quadrant names
        mx, my = float(np.mean(xs)), float(np.mean(ys))
        ax.axvline(mx, color="grey", lw=0.8, ls="--", alpha=0.6)
        ax.axhline(my, color="grey", lw=0.8, ls="--", alpha=0.6)
        for tx, ty, text, ha, va in (
            (0.01, 0.99, "tense / angry", "left", "top"),
            (0.99, 0.99, "excited / happy", "right", "top"),
            (0.01, 0.01, "sad / tired", "left", "bottom"),
            (0.99, 0.01, "calm / content", "right", "bottom"),
        ):
            ax.text(
                tx, ty, text, transform=ax.transAxes, ha=ha, va=va, fontsize=9, color="grey", style="italic"
            )
        for (word, x, y), (lx, ly) in zip(words, placed):
            ax.plot([x], [y], marker="o", ms=3, color="black", zorder=4)
            if (lx, ly) != (x, y):
                ax.plot([x, lx], [y, ly], color="grey", lw=0.5, alpha=0.7, zorder=3)
            ax.text(
                lx,
                ly,
                word,
                fontsize=8,
                ha="center",
                va="center",
                zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6},
            )
        for c in range(k):
            cx, cy = prof[c, v], prof[c, e]
            ax.scatter(
                [cx],
                [cy],
                s=300,
                color=colors[c],
                edgecolors="black",
                linewidths=1.0,
                zorder=2,
                alpha=0.6,
                label=f"{c}: {_label(model, c)} ({int(model.sizes_[c]):,} songs)",
            )
            ax.text(cx, cy, str(c), ha="center", va="center", fontsize=9, fontweight="bold", zorder=2.5)
        legend_rows = int(np.ceil(k / 3))
        fig.legend(
            loc="lower center",
            ncols=min(k, 3),
            fontsize=9,
            frameon=False,
            markerscale=0.6,
            title="clusters: ● at each cluster's mean valence and energy; words at their "
            "best-fitting songs' mean",
            title_fontsize=9,
        )
        fig.subplots_adjust(bottom=(0.75 + 0.28 * legend_rows + 0.3) / fig.get_figheight())
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set(
            title=f"Moods and mood words on valence × energy ({n:,} songs, k={k})",
            xlabel="valence (positivity) →",
            ylabel="energy (arousal) →",
        )
        ax.grid(alpha=0.2)
        return fig

    return _render(draw)


def _spread_labels(
    points: list[tuple[float, float]], min_dx: float = 0.075, min_dy: float = 0.022, rounds: int = 80
) -> list[tuple[float, float]]:
    """Label positions near ``points`` that do not overlap much (a few rounds of nudging).

    Words pile up where their picks agree (calm, sleep, peaceful); pushing overlapping
    labels apart vertically keeps each one readable, with a thin line back to its point.
    """
    pos = [list(p) for p in points]
    for _ in range(rounds):
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                dx = pos[i][0] - pos[j][0]
                dy = pos[i][1] - pos[j][1]
                if abs(dx) < min_dx and abs(dy) < min_dy:
                    push = (min_dy - abs(dy)) / 2 + 1e-3
                    sign = 1.0 if dy >= 0 else -1.0
                    pos[i][1] += sign * push
                    pos[j][1] -= sign * push
                    moved = True
        for p in pos:
            p[1] = min(max(p[1], 0.0), 1.0)
        if not moved:
            break
    return [(float(x), float(y)) for x, y in pos]


# -- all at once ---------------------------------------------------------------
def write_report(
    model: MoodModel, out_dir: str | Path, evaluation: Sequence[KResult] | None = None
) -> list[Path]:
    """Write every model chart as PNG into ``out_dir`` (created if needed); return the paths.

    The k-selection chart needs an evaluation over several k: ``evaluation`` if given,
    else the model's own (``n_clusters="auto"``); without either it is skipped.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = evaluation if evaluation is not None else getattr(model, "evaluation_", None)
    charts: list[tuple[str, Callable[[], bytes]]] = []
    if results:
        charts.append(("elbow", lambda: elbow_png(results, model_k=int(model.n_clusters_))))
    charts += [
        ("sizes", lambda: sizes_png(model)),
        ("profiles", lambda: profile_png(model)),
        ("pca", lambda: pca_png(model)),
        ("genres", lambda: genres_png(model)),
    ]
    if "valence" in model.features and "energy" in model.features:
        charts.append(("mood_map", lambda: mood_map_png(model)))
    written = []
    for key, make in charts:
        path = out / CHART_FILES[key]
        path.write_bytes(make())
        written.append(path)
    return written
