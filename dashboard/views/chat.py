"""Chat page: talk to Clusterfy in your own words, as on Discord and in the console.

"something like In the End but calmer", then "sadder", "the second one but slower",
"no more Drake": the same conversation (one parser, one state machine) as the bot. Each
list comes with the critique buttons the bot shows under it; pressing one is the same as
typing it.
"""

from __future__ import annotations

import uuid

import pandas as pd
import streamlit as st

from bot.replies import Reply, plain_text, render_text
from dashboard import data
from dashboard.chat import chat_runner, choose, requester, say

ctx = data.current()
state = st.session_state
runner = chat_runner(ctx.engine, data.model_key(ctx))
if "chat_session" not in state:
    state["chat_session"] = uuid.uuid4().hex
    state["chat_log"] = []  # (role, text or Reply)
who = requester(state["chat_session"])

st.title("Chat")
st.caption(
    "Ask in your own words — “something like In the End but calmer”, “5 chill songs from the 90s” — "
    "then refine: “sadder”, “a bit faster”, “the second one but slower”, “no more Drake”, "
    "“older stuff”, “start over”. Commands work too (`!recommend la java 3`)."
)


def _send(text: str) -> None:
    state["chat_log"].append(("user", text))
    try:
        reply = say(runner, who, text)
    except Exception:  # noqa: BLE001 - the page must answer; the log has the traceback
        data.logger.exception("chat turn failed")
        reply = Reply(text="⚠️ Something went wrong on my side; try again.", error=True)
    if reply is not None:
        state["chat_log"].append(("assistant", reply))


def _show(reply: Reply, key: str, last: bool) -> None:
    if reply.understood:
        st.markdown(f"*{reply.understood}*")
    if reply.card is not None:
        card = reply.card
        st.markdown(f"**{card.title}**")
        if reply.songs:
            rows = [
                {
                    "#": i,
                    "song": s.name,
                    "artist": s.artist,
                    "year": str(s.year) if s.year else "",
                    "why": plain_text(f.value.split(" · ")[-1]),
                    "listen": s.link,
                }
                for i, (s, f) in enumerate(zip(reply.songs, card.fields), 1)
            ]
            st.dataframe(
                pd.DataFrame(rows),
                hide_index=True,
                width="stretch",
                column_config={
                    "listen": st.column_config.LinkColumn("listen", display_text="▶ Spotify"),
                },
            )
        else:
            st.text(render_text(Reply(card=card)))
    elif reply.text:
        (st.warning if reply.error else st.markdown)(reply.text)
    if not last:
        return
    if reply.choices:
        for i, c in enumerate(reply.choices[:10]):
            if st.button(c.label, key=f"{key}-c{i}"):
                state["chat_log"].append(("user", c.label))
                state["chat_log"].append(("assistant", choose(runner, who, reply, c.value)))
                st.rerun()
    if reply.actions:
        cols = st.columns(min(len(reply.actions), 7))
        for i, action in enumerate(reply.actions[:7]):
            if cols[i].button(action.label, key=f"{key}-a{i}"):
                _send(action.text)
                st.rerun()


# ?say=…&say=… opens the page on a conversation already had (links, screenshots): each
# line is said in turn, once per browser session.
if not state["chat_log"] and not state.get("chat_said"):
    state["chat_said"] = True
    for line in st.query_params.get_all("say")[:5]:
        _send(line[:1000])

log = state["chat_log"]
for n, (role, item) in enumerate(log):
    with st.chat_message(role):
        if isinstance(item, Reply):
            _show(item, f"m{n}", last=n == len(log) - 1)
        else:
            st.markdown(item)

typed = st.chat_input("Ask for music…", max_chars=1000)
if typed:
    _send(typed)
    st.rerun()
