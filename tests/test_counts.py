"""The one song-count rule and the shared failure wordings, as each front end applies them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from discord import app_commands
from discord.ext import commands

from bot import errors
from bot.conversation import MAX_COUNT, Conversation
from bot.ratelimit import Verdict
from bot.replies import GENERIC_ERROR, slow_down_text
from clusterfy_cli.cli import build_parser
from engine.counts import DEFAULT_COUNT, MAX_CHAT_COUNT, MAX_PICKS, BadCount, check_count


@pytest.mark.parametrize(
    "given, expected",
    [
        (None, DEFAULT_COUNT),
        ("", DEFAULT_COUNT),
        ("3", 3),
        (" 7 ", 7),
        (1, 1),
        (MAX_CHAT_COUNT, MAX_CHAT_COUNT),
    ],
)
def test_counts_in_range_are_taken_as_given(given, expected):
    assert check_count(given) == expected


@pytest.mark.parametrize(
    "given, message",
    [
        (0, "between 1 and 10, not 0"),
        (-2, "between 1 and 10, not -2"),
        (MAX_CHAT_COUNT + 1, "between 1 and 10, not 11"),
        ("lots", "“lots” is not a number of songs"),
        ("2.5", "“2.5” is not a number of songs"),
        ("9" * 40, "between 1 and 10, not 9999999999999999999…"),
    ],
)
def test_counts_out_of_range_are_refused_with_the_reason(given, message):
    with pytest.raises(BadCount) as info:
        check_count(given)
    assert str(info.value) == message or message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_chat_and_engine_ceilings_are_the_ones_the_front_ends_use():
    assert MAX_COUNT == MAX_CHAT_COUNT == 10  # slash options and "!recommend x 11" stop here
    assert check_count(MAX_PICKS, maximum=MAX_PICKS) == 25
    with pytest.raises(BadCount, match="between 1 and 25, not 26"):
        check_count(MAX_PICKS + 1, maximum=MAX_PICKS)


@pytest.mark.parametrize("command", [["recommend", "la java"], ["vibe", "chill"], ["search", "la java"]])
def test_the_cli_refuses_a_count_above_25_instead_of_clamping_it(command, capsys):
    flag = "--limit" if command[0] == "search" else "-n"
    parser = build_parser()
    assert getattr(parser.parse_args([*command, flag, "25"]), flag.lstrip("-")) == 25
    assert getattr(parser.parse_args(command), flag.lstrip("-")) == DEFAULT_COUNT
    with pytest.raises(SystemExit) as info:
        parser.parse_args([*command, flag, "26"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "the number of songs must be between 1 and 25, not 26" in err and "Traceback" not in err


def test_kmeans_restarts_keep_their_own_range(capsys):
    parser = build_parser()
    assert parser.parse_args(["evaluate", "--n-init", "100"]).n_init == 100
    with pytest.raises(SystemExit):
        parser.parse_args(["evaluate", "--n-init", "101"])
    assert "between 1 and 100, got 101" in capsys.readouterr().err


def test_failure_and_slow_down_wordings_are_shared_by_every_path():
    # what the slash and the prefix paths answer to a failure nobody foresaw (the buttons'
    # answer: tests/test_views.py), not the constants they import
    member = SimpleNamespace(id=7)
    interaction = SimpleNamespace(command=None, user=member, guild_id=None)
    ctx = SimpleNamespace(
        interaction=None, prefix="!", clean_prefix="!", command=None, author=member, guild=None
    )
    assert errors.app_error_text(interaction, app_commands.AppCommandError("boom")) == GENERIC_ERROR  # type: ignore[arg-type]
    assert errors.command_error_text(ctx, commands.CommandError("boom")) == GENERIC_ERROR  # type: ignore[arg-type]
    assert GENERIC_ERROR == "⚠️ Something went wrong on my side; try again."
    notice = Conversation.slow_down(Verdict(allowed=False, notify=True, retry_after=2.4))
    assert notice.error and notice.text == slow_down_text(2.4) == "⚠️ Slow down a little — try again in 2 s."
    assert slow_down_text(0.1).endswith("in 1 s.")  # never "try again in 0 s"
