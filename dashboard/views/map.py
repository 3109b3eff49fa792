"""Map page: the songs on the model's 2-D PCA map, filterable, with a song's neighbours on request.

Filters and counts use every song; only the points drawn are sampled (at most
``data.MAP_MAX_POINTS``), which keeps the page responsive on a 100k-song catalog.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard import charts, data
from engine.errors import EngineError

ctx = data.current()
model = ctx.model
frame = data.song_frame(ctx.engine, data.model_key(ctx))
n = len(frame)

st.title("Map")
st.caption(
    "Every song placed by the two directions in which the audio features vary most (PCA). "
    "Hover a point for the song, scroll to zoom, drag to pan, click a point to see its "
    "neighbours (double-click clears)."
)

# -- filters (on every song) ------------------------------------------------------------------
moods = [m.label for m in model.moods_]
f1, f2, f3, f4 = st.columns([4, 3, 2, 2])
chosen_moods = f1.multiselect("Moods", moods, default=moods)
genre_counts = frame.loc[frame["genre"] != "", "genre"].value_counts()
genre = f2.selectbox(
    "Genre",
    ["any genre", *genre_counts.index[:300].tolist()],
    help="Primary genre; the 300 most common are listed.",
)
mask = frame["mood"].isin(chosen_moods).to_numpy()
if genre != "any genre":
    mask &= (frame["genre"] == genre).to_numpy()
years = frame["year"].dropna()
if len(years) and years.min() < years.max():
    lo, hi = int(years.min()), int(years.max())
    y_lo, y_hi = f3.slider("Year", lo, hi, (lo, hi))
    if (y_lo, y_hi) != (lo, hi):
        mask &= frame["year"].between(y_lo, y_hi).to_numpy()
pops = frame["popularity"].dropna()
if len(pops) and pops.min() < pops.max():
    p_lo, p_hi = f4.slider("Popularity", 0, 100, (0, 100))
    if (p_lo, p_hi) != (0, 100):
        mask &= frame["popularity"].between(p_lo, p_hi).to_numpy()
shown = frame[mask]

# -- a song to look at ------------------------------------------------------------------------
state = st.session_state


def _clear_pick() -> None:
    state.pop("map_pick", None)
    state.pop("map_error", None)
    state["map_query"] = ""


if "song" in st.query_params and "map_query" not in state:  # ?song=… (links, screenshots)
    state["map_query"] = st.query_params["song"][:200]
query = st.text_input("Find a song on the map", key="map_query", placeholder="a title, or title by artist")
if query.strip() and query != state.get("map_last_query"):
    state.pop("map_error", None)
    try:
        state["map_pick"] = ctx.engine.find_song(query).index
    except EngineError as exc:
        state.pop("map_pick", None)
        state["map_error"] = exc
state["map_last_query"] = query
if state.get("map_error") is not None:
    data.show_engine_error(state["map_error"])
picked_row: int | None = state.get("map_pick")

highlight = None
neighbours = None
if picked_row is not None and 0 <= picked_row < n:
    try:
        rec = ctx.engine.recommend(int(picked_row), 8)
        neighbours = rec
        rows = [p.song.index for p in rec.picks] + [picked_row]  # the picked song drawn last, on top
        highlight = frame.iloc[rows].assign(role=["neighbour"] * len(rec.picks) + ["picked song"])
    except EngineError as exc:
        data.show_engine_error(exc)

drawn = data.sample_rows(shown)
st.caption(
    f"**{len(shown):,} of {n:,} songs match the filters**"
    + ("" if len(drawn) == len(shown) else f"; {len(drawn):,} of them drawn at random to keep the map fast")
)
event = st.altair_chart(
    charts.map_chart(drawn, model, highlight),
    width="stretch",
    on_select="rerun",
    selection_mode="pick",
    key="map_chart",
)
selected = (
    (event or {}).get("selection", {}).get("pick", [])
    if isinstance(event, dict)
    else getattr(getattr(event, "selection", None), "pick", None) or []
)
if selected:
    row = selected[0].get("row")
    if row is not None and not (isinstance(row, float) and math.isnan(row)) and row != state.get("map_pick"):
        state["map_pick"] = int(row)
        st.rerun()

# -- summary of what is shown -----------------------------------------------------------------
if len(shown):
    counts = shown["mood"].value_counts().reindex(moods).fillna(0).astype(int)
    st.caption("Matching songs per mood: " + " · ".join(f"{m} {c:,}" for m, c in counts.items() if c))
else:
    st.warning("No song matches these filters; widen the year or popularity range or pick more moods.")

if neighbours is not None:
    seed = neighbours.seed
    st.subheader(f"{seed.mood.emoji} {seed.label()}")
    st.caption(
        f"mood {seed.mood.label} · the songs that sound most like it: the star on the map is "
        "this song, the diamonds its picks"
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "song": p.song.name,
                    "artist": p.song.artist,
                    "year": str(p.song.year) if p.song.year else "",  # blank, not "None", when unknown
                    "similar": round(100 * p.score),
                    "why": p.reason,
                }
                for p in neighbours.picks
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"similar": st.column_config.NumberColumn(format="%d%%")},
    )
    st.button("Clear the picked song", on_click=_clear_pick)
