"""Overview page: the catalog and its cleaning, k and its quality figures, the elbow, the moods."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data

ctx = data.current()
model = ctx.model
n = len(model.labels_)

st.title("Clusterfy — overview")
st.caption("A K-Means mood model on Spotify audio features, the same model the bot serves.")

# -- the catalog ---------------------------------------------------------------------------
report = getattr(model, "cleaning_report_", None)
reasons: list[dict[str, object]] = []
left, right = st.columns([3, 2])
with left:
    st.subheader("Catalog")
    if report is not None:
        parts = list(getattr(report, "files", None) or [])
        st.markdown(
            f"**{'Files' if parts else 'File'}:** `{report.source}` ({report.layout}"
            f"{'' if parts else ' layout'})  \n**Path:** `{ctx.settings.catalog}`"
        )
        merged = int(getattr(report, "rows_merged", 0) or 0)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("rows read", f"{report.rows_read:,}")
        c2.metric("songs", f"{report.rows_kept:,}")
        c3.metric("dropped", f"{report.rows_dropped:,}")
        c4.metric("merged", f"{merged:,}", help="rows that were another copy of a song listed already")
        if parts:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "file": p.source,
                            "layout": p.layout,
                            "read": p.rows_read,
                            "songs": p.rows_kept,
                            "dropped": p.rows_dropped,
                            "merged": int(getattr(p, "rows_merged", 0) or 0),
                        }
                        for p in parts
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    c: st.column_config.NumberColumn(format="localized", width="small")
                    for c in ("read", "songs", "dropped", "merged")
                },
            )
        # each file's own reasons, then what happened across files (one song in several files)
        for where, part in [*((p.source, p) for p in parts), ("across files" if parts else "", report)]:
            for what, table in (("dropped", part.dropped), ("merged", getattr(part, "merged", {}) or {})):
                reasons += [
                    {"file": where, "what": what, "why": reason, "rows": count}
                    for reason, count in table.items()
                    if count
                ]
        if not parts:
            reasons = [{k: v for k, v in r.items() if k != "file"} for r in reasons]
        if not reasons:
            st.caption("No row was dropped or merged.")
        notes = dict(getattr(report, "notes", None) or {})
        if notes:
            st.caption("Kept with changes: " + "; ".join(f"{n:,} with {note}" for note, n in notes.items()))
        popularity = dict(getattr(report, "popularity", None) or {})
        basis = popularity.get("songs")
        if isinstance(basis, dict) and basis:
            st.caption(
                "Popularity: "
                + "; ".join(f"{k} {v:,}" for k, v in basis.items())
                + " (spotify = Spotify's own figure; streams, hit = estimated, see data/README.md)"
            )
    else:
        st.markdown(f"**Songs:** {n:,} (this model file does not record how its catalog was cleaned)")
    if ctx.settings.model_path is not None:
        st.caption(f"Model file: `{ctx.settings.model_path}`")
with right:
    st.subheader("Model")
    metrics = model.metrics_
    c1, c2 = st.columns(2)
    c1.metric("moods (k)", f"{model.n_clusters_}")
    c2.metric(
        "silhouette",
        f"{metrics.silhouette:.3f}",
        help=f"-1..1, higher = moods better separated. Computed on {metrics.silhouette_sample:,} songs.",
    )
    c1.metric("Davies–Bouldin", f"{metrics.davies_bouldin:.3f}", help="0 and up, lower is better.")
    c2.metric("inertia", f"{metrics.inertia:,.0f}", help="Within-mood sum of squared distances.")
    st.caption("Audio moods overlap (music is a continuum), so a silhouette around 0.2 is typical.")

if reasons:
    title = (
        f"Why {report.rows_dropped:,} rows were dropped and {int(getattr(report, 'rows_merged', 0)):,} merged"
    )
    with st.expander(title, expanded=True):
        st.dataframe(
            pd.DataFrame(reasons),
            hide_index=True,
            width="content",
            column_config={"rows": st.column_config.NumberColumn(format="localized")},
        )

# -- the moods -------------------------------------------------------------------------------
st.subheader("Moods")
summary = pd.DataFrame(model.summary())
st.altair_chart(charts.sizes_chart(model), width="stretch")
table = summary.assign(
    mood=[f"{e} {label}" for e, label in zip(summary["emoji"], summary["label"])],
    share=(100 * summary["share"]).round(1),
)
st.dataframe(
    table[["mood", "size", "share", "description"]],
    hide_index=True,
    width="stretch",
    column_config={
        "share": st.column_config.ProgressColumn(
            "share", format="%.0f%%", min_value=0.0, max_value=100.0, width="small"
        ),
        "size": st.column_config.NumberColumn("songs", format="localized", width="small"),
        "mood": st.column_config.TextColumn(width="small"),
        "description": st.column_config.TextColumn(width="large"),
    },
)

# -- choosing k ------------------------------------------------------------------------------
st.subheader("Choosing k")
results = data.cached_elbow(model)
if results is None and (st.session_state.pop("elbow_wanted", False) or st.query_params.get("elbow") == "1"):
    bar = st.progress(0.0, text="measuring k=2…")
    ks = list(data.ELBOW_KS)

    def step(k: int, r) -> None:
        bar.progress(
            min(1.0, (ks.index(k) + 1) / len(ks)),
            text=f"k={k}: silhouette {r.silhouette:.3f}, Davies–Bouldin {r.davies_bouldin:.3f}",
        )

    results = data.measure_elbow(model, step)
    bar.empty()
if results:
    st.altair_chart(charts.elbow_charts(results, int(model.n_clusters_)), width="stretch")
    st.caption(
        f"K-Means with {model.n_init} restarts for each k on all {n:,} songs; silhouette on "
        f"{results[0].silhouette_sample:,} songs. The dashed line is this model's k. "
        "Try another k on the **Try k** page."
    )
else:
    st.markdown(
        "Inertia, silhouette and Davies–Bouldin over k=2..10 show which k separates the moods "
        "best. Measuring fits K-Means nine times over the catalog (under a minute for the "
        "bundled catalog, several minutes for 100k songs); the figures are kept afterwards."
    )
    if st.button("Measure k=2..10"):
        st.session_state["elbow_wanted"] = True
        st.rerun()
