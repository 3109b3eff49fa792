"""Interactive Altair (Vega-Lite) charts of a fitted model, for the dashboard's pages.

Pure functions from engine objects to ``alt.Chart``: the numbers come from the model
(profiles, scaler, PCA coordinates, evaluation results), these only draw them.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from engine.evaluation import KResult, choose_k
from engine.model import MoodModel
from engine.moods import format_feature

from .data import feature_label

#: Mood colours: the same palette on every page so a mood keeps its colour.
PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
    "#1f77b4",
    "#d62728",
)


def mood_scale(model: MoodModel) -> alt.Scale:
    labels = [m.label for m in model.moods_]
    return alt.Scale(domain=labels, range=[PALETTE[i % len(PALETTE)] for i in range(len(labels))])


def elbow_charts(results: Sequence[KResult], model_k: int) -> alt.HConcatChart:
    """Inertia over k (the elbow), silhouette over k and Davies–Bouldin over k; the model's k marked."""
    best = choose_k(list(results))
    frame = pd.DataFrame(
        [
            {"k": r.k, "inertia": r.inertia, "silhouette": r.silhouette, "Davies–Bouldin": r.davies_bouldin}
            for r in results
        ]
    )
    rule = (
        alt.Chart(pd.DataFrame({"k": [model_k]}))
        .mark_rule(color="#f58518", strokeDash=[4, 3])
        .encode(x="k:Q")
    )
    x = alt.X("k:Q", title="number of moods k", axis=alt.Axis(tickMinStep=1, values=frame["k"].tolist()))

    def panel(column: str, title: str, color: str, fmt: str) -> alt.LayerChart:
        line = (
            alt.Chart(frame)
            .mark_line(point=True, color=color)
            .encode(
                x=x,
                y=alt.Y(f"{column}:Q", title=column, scale=alt.Scale(zero=False)),
                tooltip=["k", alt.Tooltip(f"{column}:Q", format=fmt)],
            )
        )
        return (line + rule).properties(title=title, height=240, width=205)

    return alt.hconcat(
        panel("inertia", "Elbow: inertia (lower = tighter moods)", "#4c78a8", ",.0f"),
        panel("silhouette", f"Silhouette (higher is better; best k = {best})", "#54a24b", ".3f"),
        panel("Davies–Bouldin", "Davies–Bouldin (lower is better)", "#e45756", ".3f"),
    )


def sizes_chart(model: MoodModel, title: str = "Songs per mood") -> alt.Chart:
    """Bars of mood sizes with count and share in the tooltip and on the bar."""
    frame = pd.DataFrame(model.summary())
    frame["mood"] = frame["label"]
    frame["text"] = [f"{s:,} ({p:.0%})" for s, p in zip(frame["size"], frame["share"])]
    base = alt.Chart(frame).encode(
        y=alt.Y("mood:N", sort=None, title=None),
        x=alt.X("size:Q", title="songs"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("mood:N", scale=mood_scale(model), legend=None),
        tooltip=["mood", alt.Tooltip("size:Q", format=","), alt.Tooltip("share:Q", format=".1%")],
    )
    text = base.mark_text(align="left", dx=4).encode(text="text:N")
    return (bars + text).properties(title=title, height=alt.Step(30))


def profile_heatmap(model: MoodModel) -> alt.Chart:
    """Each mood's mean features in z-scores against the catalog, raw means in the tooltip."""
    z = model.scaler_.transform(np.asarray(model.profiles_, dtype=np.float64))
    rows = []
    for c, mood in enumerate(model.moods_):
        for j, f in enumerate(model.features):
            raw = float(model.profiles_[c, j])
            rows.append(
                {
                    "mood": mood.label,
                    "feature": feature_label(f),
                    "z": round(float(z[c, j]), 2),
                    "mean": format_feature(f, raw),
                    "catalog mean": format_feature(f, float(model.overall_profile_[j])),
                    "cell": f"{float(z[c, j]):+.1f}",
                }
            )
    frame = pd.DataFrame(rows)
    lim = max(1.0, float(np.abs(z).max()))
    base = alt.Chart(frame).encode(
        x=alt.X(
            "feature:N",
            sort=[feature_label(f) for f in model.features],
            title=None,
            axis=alt.Axis(labelAngle=-25, labelOverlap=False, orient="top"),
        ),
        y=alt.Y("mood:N", sort=[m.label for m in model.moods_], title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "z:Q",
            scale=alt.Scale(scheme="redblue", reverse=True, domain=[-lim, lim]),
            title="z-score",
            legend=alt.Legend(gradientLength=120),
        ),
        tooltip=[
            "mood",
            "feature",
            alt.Tooltip("z:Q", title="z-score", format="+.2f"),
            alt.Tooltip("mean:N", title="mood mean"),
            "catalog mean",
        ],
    )
    text = base.mark_text(fontSize=12).encode(
        text="cell:N",
        color=alt.condition(f"abs(datum.z) > {0.6 * lim:.3f}", alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(
        title="Audio profile: each mood's mean in standard deviations from the catalog mean",
        height=alt.Step(44),
    )


def map_chart(
    points: pd.DataFrame, model: MoodModel, highlight: pd.DataFrame | None = None, title: str = ""
) -> alt.Chart:
    """The 2-D PCA map: hover for title/artist/mood/year, scroll to zoom, drag to pan, click to pick."""
    ratio = getattr(model.pca_, "explained_variance_ratio_", None)
    xt, yt = (
        ("PC1", "PC2")
        if ratio is None
        else (f"PC1 ({ratio[0]:.0%} of variance)", f"PC2 ({ratio[1]:.0%} of variance)")
    )
    pick = alt.selection_point(name="pick", fields=["row"], on="click", clear="dblclick", nearest=True)
    zoom = alt.selection_interval(bind="scales", name="zoom")
    size = 14 if len(points) > 2000 else 26
    dots = (
        alt.Chart(points)
        .mark_circle(size=size, opacity=0.6)
        .encode(
            x=alt.X("x:Q", title=xt),
            y=alt.Y("y:Q", title=yt),
            color=alt.Color(
                "mood:N", scale=mood_scale(model), legend=alt.Legend(title="mood", orient="right")
            ),
            tooltip=[
                alt.Tooltip("title:N"),
                alt.Tooltip("artist:N"),
                alt.Tooltip("mood:N"),
                alt.Tooltip("year:Q", format="d"),
                alt.Tooltip("genres:N"),
                alt.Tooltip("popularity:Q", format=".0f"),
            ],
        )
        .add_params(pick, zoom)
    )
    layers: list[alt.Chart] = [dots]
    if highlight is not None and len(highlight):
        picked = "datum.role == 'picked song'"
        stars = (
            alt.Chart(highlight)
            .mark_point(filled=True, stroke="black", strokeWidth=1)
            .encode(
                x="x:Q",
                y="y:Q",
                shape=alt.condition(
                    picked,
                    alt.value(
                        "M0,-1.2L0.3,-0.35L1.15,-0.35L0.45,0.15L0.7,1L0,0.5"
                        "L-0.7,1L-0.45,0.15L-1.15,-0.35L-0.3,-0.35Z"
                    ),
                    alt.value("diamond"),
                ),
                size=alt.condition(picked, alt.value(420), alt.value(130)),
                color=alt.condition(picked, alt.value("#ffd21f"), alt.value("#222222")),
                tooltip=[
                    alt.Tooltip("role:N", title=""),
                    "title:N",
                    "artist:N",
                    "mood:N",
                    alt.Tooltip("year:Q", format="d"),
                ],
            )
        )
        layers.append(stars)
    return alt.layer(*layers).properties(title=title, height=560)


def comparison_chart(rows: pd.DataFrame) -> alt.Chart:
    """Grouped bars: one song's 0..1 features beside its mood's mean and the catalog's."""
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("feature:N", title=None, axis=alt.Axis(labelAngle=-20, labelOverlap=False)),
            xOffset=alt.XOffset("who:N", sort=["this song", "its mood", "catalog"]),
            y=alt.Y("value:Q", title="value (0 to 1)", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "who:N",
                sort=["this song", "its mood", "catalog"],
                title=None,
                scale=alt.Scale(range=["#e45756", "#4c78a8", "#bab0ac"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=["feature", "who", alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(height=260)
    )


def side_by_side_sizes(current: MoodModel, other: MoodModel, other_name: str) -> alt.Chart:
    """Both models' mood sizes as shares, one panel each, for the "Try k" comparison."""
    frames = []
    for name, model in (("current model", current), (other_name, other)):
        f = pd.DataFrame(model.summary())
        f["model"] = name
        frames.append(f)
    frame = pd.concat(frames, ignore_index=True)
    frame["text"] = [f"{s:,} ({p:.0%})" for s, p in zip(frame["size"], frame["share"])]
    base = alt.Chart().encode(
        y=alt.Y("label:N", sort=None, title=None),
        x=alt.X(
            "share:Q",
            title="share of the catalog",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, float(frame["share"].max()) * 1.35]),
        ),
    )
    layer = alt.layer(
        base.mark_bar(color="#4c78a8").encode(
            tooltip=["label", alt.Tooltip("size:Q", format=","), alt.Tooltip("share:Q", format=".1%")]
        ),
        base.mark_text(align="left", dx=4).encode(text="text:N"),
        data=frame,
    )
    return (
        layer.properties(width=300, height=alt.Step(26))
        .facet(column=alt.Column("model:N", title=None, sort=["current model", other_name]))
        .resolve_scale(y="independent")
    )
