"""The dashboard's chat: the bot's conversation (bot.conversation), run for a browser.

Streamlit reruns a page's script on every interaction, synchronously; the conversation
is asynchronous and keeps its history store open. So one event loop per dashboard
process, in a thread of its own, owns the store and the :class:`Conversation` over the
page's engine, and the page hands it one message at a time. Nothing here reads or answers
language itself: the parser and the state machine are the engine's, the replies the bot's.
"""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

from bot.config import settings_from_env
from bot.conversation import Conversation
from bot.replies import Reply, Requester
from bot.startup import open_store
from engine.service import Engine

T = TypeVar("T")

#: The dashboard's local listener (the console is 1; Discord ids are far larger).
DASHBOARD_USER_ID = 2
#: Seconds a chat turn may take before the page says so.
TURN_TIMEOUT_S = 60.0


@dataclass
class ChatRunner:
    """An event loop in a daemon thread, with the conversation it serves."""

    loop: asyncio.AbstractEventLoop
    conversation: Conversation

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TURN_TIMEOUT_S)


@st.cache_resource(max_entries=2)
def chat_runner(_engine: Engine, key: str) -> ChatRunner:
    """One runner per engine (``key`` names the model): started once per dashboard process."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name=f"chat-{key[:12]}", daemon=True).start()
    settings = settings_from_env()
    store = asyncio.run_coroutine_threadsafe(open_store(settings), loop).result(TURN_TIMEOUT_S)
    return ChatRunner(loop, Conversation(_engine, store, prefix=settings.prefix))


def requester(session_key: str) -> Requester:
    """The dashboard's listener; each browser session is a channel of its own, so two tabs
    hold two conversations."""
    channel = zlib.crc32(session_key.encode()) or 1
    return Requester(id=DASHBOARD_USER_ID, name="dashboard", channel_id=channel)


def say(runner: ChatRunner, who: Requester, text: str) -> Reply | None:
    """One typed line, as the console reads it (commands or plain language)."""
    return runner.run(runner.conversation.handle_line(who, text))


def choose(runner: ChatRunner, who: Requester, asked: Reply, value: str) -> Reply:
    """A pick from "which one did you mean?"."""
    return runner.run(runner.conversation.choose(who, asked, value))


__all__ = ["DASHBOARD_USER_ID", "ChatRunner", "chat_runner", "choose", "requester", "say"]
