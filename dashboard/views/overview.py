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
        c1, c2, c3 = st.columns(3)
        c1.metric("songs read", f"{report.rows_read:,}")
        c2.metric("kept", f"{report.rows_kept:,}")
        c3.metric("dropped", f"{report.rows_dropped:,}")
        if parts:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "file": p.source,
                            "layout": p.layout,
                            "read": p.rows_read,
                            "kept": p.rows_kept,
                            "dropped": p.rows_dropped,
                        }
                        for p in parts
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    c: st.column_config.NumberColumn(format="localized", width="small")
                    for c in ("read", "kept", "dropped")
                },
            )
        if parts:  # each file's own reasons, then what only the union dropped (songs in two files)
            per_file = {reason for part in parts for reason in part.dropped}
            reasons = [
                {"file": part.source, "why dropped": reason, "songs": count}
                for part in parts
                for reason, count in part.dropped.items()
                if count
            ]
            reasons += [
                {"file": "across files", "why dropped": reason, "songs": count}
                for reason, count in report.dropped.items()
                if count and reason not in per_file
            ]
        else:
            reasons = [
                {"why dropped": reason, "songs": count} for reason, count in report.dropped.items() if count
            ]
        if not reasons:
            st.caption("No row was dropped.")
        notes = dict(getattr(report, "notes", None) or {})
        if notes:
            st.caption("Kept with changes: " + "; ".join(f"{n:,} with {note}" for note, n in notes.items()))
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
    with st.expander(f"Why {report.rows_dropped:,} rows were dropped", expanded=True):
        st.dataframe(
            pd.DataFrame(reasons),
            hide_index=True,
            width="content",
            column_config={"songs": st.column_config.NumberColumn(format="localized")},
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
