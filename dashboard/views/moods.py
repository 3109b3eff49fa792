"""Moods page: each mood's audio profile against the catalog, typical songs, genres and artists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from engine.errors import EngineError
from engine.moods import format_feature

ctx = data.current()
model = ctx.model
validation = model.validation_

st.title("Moods")
st.caption(
    "What each mood sounds like compared with the whole catalog. Genres were not used to fit "
    "the moods, so they are an outside check."
)

c1, c2, c3 = st.columns(3)
c1.metric("moods", f"{model.n_clusters_}")
c2.metric(
    "genre purity",
    "—" if validation.genre_purity is None else f"{validation.genre_purity:.1%}",
    help="Share of songs whose mood's most common primary genre is their own.",
)
c3.metric(
    "genre NMI",
    "—" if validation.genre_nmi is None else f"{validation.genre_nmi:.3f}",
    help="Normalised mutual information between moods and primary genres (0 = none, 1 = same).",
)
if validation.songs_with_genre < len(model.labels_):
    st.caption(f"Genre figures use the {validation.songs_with_genre:,} songs that have a genre.")

st.altair_chart(charts.profile_heatmap(model), width="stretch")

raw = pd.DataFrame(
    {
        data.feature_label(f): [
            format_feature(f, float(model.profiles_[c, j])) for c in range(model.n_clusters_)
        ]
        + [format_feature(f, float(model.overall_profile_[j]))]
        for j, f in enumerate(model.features)
    },
    index=[f"{m.emoji} {m.label}" for m in model.moods_] + ["whole catalog"],
)
with st.expander("Raw means (file units)"):
    st.dataframe(raw, width="stretch")

st.subheader("Each mood")
tabs = st.tabs([f"{m.emoji} {m.label}" for m in model.moods_])
for mood, tab in zip(model.moods_, tabs):
    with tab:
        size = int(model.sizes_[mood.cluster])
        st.markdown(
            f"**{mood.description}**  \n{size:,} songs ({size / len(model.labels_):.0%} of the "
            f"catalog) · ask the bot with `!vibe {mood.key}`"
        )
        left, right = st.columns([3, 2])
        with left:
            st.markdown("**Typical songs** (closest to the mood's centre)")
            try:
                result = ctx.engine.vibe(mood.key, 8, seed=0)
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "song": p.song.name,
                                "artist": p.song.artist,
                                "year": str(p.song.year)
                                if p.song.year
                                else "",  # blank, not "None", when unknown
                                "why": p.reason,
                            }
                            for p in result.picks
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "year": st.column_config.TextColumn(width="small"),
                        "song": st.column_config.TextColumn(width="medium"),
                        "artist": st.column_config.TextColumn(width="small"),
                        "why": st.column_config.TextColumn(width="large"),
                    },
                )
            except EngineError as exc:
                data.show_engine_error(exc)
        with right:
            st.markdown("**Top genres**")
            genres = validation.top_genres.get(mood.cluster, [])
            if genres:
                st.dataframe(
                    pd.DataFrame(
                        [{"genre": g, "songs": k, "share": round(100 * k / size)} for g, k in genres]
                    ),
                    hide_index=True,
                    width="stretch",
                    column_config={"share": st.column_config.NumberColumn(format="%d%%")},
                )
            else:
                st.caption("no genre data")
            st.markdown("**Top artists**")
            artists = validation.top_artists.get(mood.cluster, [])
            st.dataframe(
                pd.DataFrame([{"artist": a, "songs": k} for a, k in artists]),
                hide_index=True,
                width="stretch",
            )
