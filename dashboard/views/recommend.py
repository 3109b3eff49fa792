"""Recommend page: the bot's ``recommend`` and ``vibe`` with the same engine calls and errors.

A song is searched with type-ahead (Engine.complete_song on what was typed), then
Engine.recommend gives its picks with similarity and reasons, and Engine.cluster_report
how the song compares with its mood. Errors are the EngineError messages the bot shows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from engine.errors import AmbiguousSongError, EngineError
from engine.features import FEATURE_RANGES
from engine.results import Pick

ctx = data.current()
engine = ctx.engine
state = st.session_state

st.title("Recommend")
st.caption(
    "The same answers as `!recommend` and `!vibe` in Discord. Filters use the bot's words: "
    "`energy>0.7`, `tempo 90-110`, `year 1990-1999`, `popularity>50`."
)

# ?song=la+java&vibe=chill opens the page with those typed in (links, screenshots)
for param, key in (("song", "rec_query"), ("vibe", "vibe_word")):
    if param in st.query_params and key not in state:
        state[key] = st.query_params[param][:200]

LINK = st.column_config.LinkColumn("listen", display_text="▶ Spotify")


def picks_table(picks: tuple[Pick, ...], similarity: bool) -> None:
    """Picks as a table; every pick is in the seed's (or the asked) mood, so no mood column."""
    rows = [
        {
            "song": p.song.name,
            "artist": p.song.artist,
            "year": str(p.song.year) if p.song.year else "",  # blank, not "None", when unknown
            **({"similar": round(100 * p.score)} if similarity else {}),
            "why": p.reason,
            "listen": p.song.link,
        }
        for i, p in enumerate(picks, 1)
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "listen": LINK,
            "similar": st.column_config.NumberColumn(format="%.0f%%"),
            "song": st.column_config.TextColumn(width="medium"),
            "why": st.column_config.TextColumn(width="large"),
        },
    )


song_tab, vibe_tab = st.tabs(["🎵 Songs like a song", "🎭 Vibe: songs of a mood"])

with song_tab:
    c1, c2, c3 = st.columns([4, 3, 1])
    query = c1.text_input("Song", key="rec_query", placeholder="e.g. la java, or title by artist")
    where = c2.text_input("Filters (optional)", key="rec_where", placeholder="energy>0.5 tempo 90-130")
    count = c3.number_input("Picks", 1, 10, 5, key="rec_count")
    chosen = query
    if query.strip():
        try:
            options = engine.complete_song(query, 10)
        except EngineError:
            options = []
        if options:
            labels = {value: label for label, value in options}
            values = [query, *[v for v in labels if v != query]]
            chosen = st.selectbox(
                "Matching songs: keep the best match or pick one",
                values,
                key="rec_pick",
                format_func=lambda v: f"best match for “{query}”" if v == query else labels[v],
            )
        try:
            rec = engine.recommend(chosen, int(count), where=where)
        except AmbiguousSongError as exc:
            st.warning(f"{exc.message[:1].upper()}{exc.message[1:]} Pick one in the list above.")
            rec = None
        except EngineError as exc:
            data.show_engine_error(exc)
            rec = None
        if rec is not None:
            seed = rec.seed
            st.subheader(f"{seed.mood.emoji} Songs like {seed.name}")
            st.markdown(
                f"**{seed.label()}** · mood **{seed.mood.label}** — {seed.mood.description}"
                + (f"  \nfilters: {', '.join(t.text for t in rec.targets)}" if rec.targets else "")
            )
            picks_table(rec.picks, similarity=True)
            report = engine.cluster_report(seed.id)
            left, right = st.columns([3, 2])
            with left:
                st.markdown("**How it compares** (0-to-1 features)")
                rows = [
                    {"feature": fc.label, "who": who, "value": v}
                    for fc in report.comparison
                    if FEATURE_RANGES.get(fc.feature) == (0.0, 1.0)
                    for who, v in (
                        ("this song", fc.value),
                        ("its mood", fc.cluster_mean),
                        ("catalog", fc.overall_mean),
                    )
                ]
                st.altair_chart(charts.comparison_chart(pd.DataFrame(rows)), width="stretch")
            with right:
                st.markdown("**What sets it apart in its mood**")
                for fc in report.comparison[:5]:
                    st.markdown(f"- {fc.text}")
                st.caption(f"{seed.mood.label}: {report.size:,} songs ({report.share:.0%} of the catalog)")
    else:
        st.info("Type a song to start, e.g. **la java**.")

with vibe_tab:
    c1, c2, c3 = st.columns([4, 3, 1])
    word = c1.text_input(
        "Mood or vibe words",
        key="vibe_word",
        placeholder="chill, sad, road trip, sad but danceable…",
        help="Moods: " + ", ".join(f"{m.key} ({m.label})" for m in engine.moods),
    )
    vwhere = c2.text_input("Filters (optional)", key="vibe_where", placeholder="tempo 60-90")
    vcount = c3.number_input("Picks", 1, 10, 5, key="vibe_count")
    if word.strip():
        try:
            result = engine.vibe(word, int(vcount), where=vwhere, seed=state.get("vibe_seed", 0))
        except EngineError as exc:
            data.show_engine_error(exc)
        else:
            m = result.mood
            st.subheader(f"{result.emoji or m.emoji} {result.query or m.label} vibes")
            if result.by_cluster:
                st.markdown(m.description)
            else:  # mood words: what they sound like, and which moods the picks come from
                st.markdown(f"Sounds like: {result.meaning}.")
                st.caption(
                    "From "
                    + ", ".join(f"{mood.emoji} {mood.label} ({count})" for mood, count in result.sources)
                )
            picks_table(result.picks, similarity=False)
            if st.button("Deal new songs"):
                state["vibe_seed"] = state.get("vibe_seed", 0) + 1
                st.rerun()
    else:
        st.info("Type mood words, e.g. **chill**, **rainy day** or **sad but danceable**.")
