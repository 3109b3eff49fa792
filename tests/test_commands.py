"""The one command table (bot/commands.py) and the stored continuations, as users meet them.

The table must be what Discord registers, what the console accepts and what ``help``
lists; a chosen song and "more" must continue the request with its count and filters.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from discord.ext import commands as dpy

from bot.cogs import EXTENSIONS
from bot.commands import COMMAND_TABLE, lookup
from bot.conversation import ALIASES, COMMANDS, Conversation, Requester, check_typed_forms
from bot.history import HistoryStore
from bot.replies import render_text

ALICE = Requester(id=111, name="alice", guild_id=5, channel_id=6)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
async def conv(engine, tmp_path):
    store = await HistoryStore.open(tmp_path / "history.sqlite3")
    yield Conversation(engine, store)
    await store.close()


def cog_commands() -> dict[str, dpy.HybridCommand]:
    found: dict[str, dpy.HybridCommand] = {}
    for extension in EXTENSIONS:
        module = importlib.import_module(extension)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, dpy.Cog) and value.__module__ == extension:
                found.update({c.name: c for c in value.__cog_commands__})
    return found


# -- the table is what every front end uses ------------------------------------------------
def test_discord_registers_exactly_the_table():
    registered = cog_commands()
    assert sorted(registered) == sorted(COMMANDS)
    for row in COMMAND_TABLE:
        command = registered[row.name]
        assert tuple(command.aliases) == row.aliases
        assert command.description == row.summary and command.app_command.description == row.summary
        assert command.usage == row.usage


@pytest.mark.parametrize("word", sorted(ALIASES))
async def test_every_alias_answers_like_its_command_in_the_console(conv, word):
    name = ALIASES[word]
    assert lookup(word.upper()).name == name
    if name in {"help", "more", "forget", "moods", "privacy", "link", "like", "dislike"}:
        alias = await conv.handle_line(ALICE, f"!{word}")
        conv._sessions.clear()
        direct = await conv.handle_line(ALICE, f"!{name}")
        assert render_text(alias) == render_text(direct)


def test_a_command_row_without_its_conversation_method_is_refused():
    check_typed_forms(Conversation)  # every row runs from a typed line
    without_link = type("WithoutLink", (Conversation,), {"link": None})
    with pytest.raises(RuntimeError, match=r"\['link'\]"):
        check_typed_forms(without_link)


async def test_help_lists_every_command_that_has_a_help_line(conv):
    listed = " ".join(f.name for f in conv.help().card.fields)
    for row in COMMAND_TABLE:
        if row.help_text is not None:
            assert f"!{row.name}" in listed


async def test_a_typo_suggests_the_command_from_the_table(conv):
    reply = await conv.handle_line(ALICE, "!recomend la java")
    assert reply.error and "Did you mean !recommend?" in reply.text
    reply = await conv.handle_line(ALICE, "!zzzz")
    assert reply.error and "Try !help." in reply.text


# -- continuations ---------------------------------------------------------------------
async def test_choosing_a_song_continues_with_the_count_and_filters(conv):
    asked = await conv.recommend(ALICE, "kruiisime", 2, where="energy>0.2")
    assert asked.choices and asked.on_choice is not None
    answered = await conv.choose(ALICE, asked, asked.choices[1].value)
    assert len(answered.picks) == 2
    assert "Filters: energy > 0.2" in render_text(answered)
    more = await conv.more(ALICE)
    assert len(more.picks) == 2 and "Filters: energy > 0.2" in render_text(more)
    assert not {p.song_id for p in more.picks} & {p.song_id for p in answered.picks}


async def test_a_choice_for_cluster_answers_with_the_mood_card(conv, engine):
    asked = await conv.cluster(ALICE, "kruiisime")
    answered = await conv.handle_line(ALICE, "1")
    assert engine.song_by_id(asked.choices[0].value).name in answered.card.title
    assert "→" in answered.card.title


async def test_more_for_foryou_stays_for_you(conv):
    first = await conv.foryou(ALICE, 3)
    more = await conv.handle_line(ALICE, "more")
    assert more.card.title == first.card.title == "✨ For you" and len(more.picks) == 3


# -- the CLI is a front end outside the engine ------------------------------------------------
def test_the_engine_never_imports_the_command_line():
    code = (
        "import importlib, pkgutil, sys, engine\n"
        "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
        "    if m.name != 'engine.__main__': importlib.import_module(m.name)\n"
        "assert not [m for m in sys.modules if m.startswith('clusterfy_cli')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_python_m_engine_and_the_front_end_are_the_same_program():
    outputs = [
        subprocess.run(
            [sys.executable, "-m", module, "--version"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        for module in ("engine", "clusterfy_cli")
    ]
    assert outputs[0] == outputs[1] and outputs[0].startswith("clusterfy ")
