"""Views under replies: More/rate, song disambiguation, forget confirmation, ownership, timeouts.

Clicks are dispatched with ``View._scheduled_task`` — what discord.py runs for a real
click — so ``interaction_check`` and ``on_error`` are part of every test.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from discord_fakes import FakeInteraction, FakeMessage, http_error

from bot.conversation import Conversation, Requester
from bot.ratelimit import RateLimiter
from bot.replies import FollowUp, PickRef, Reply
from bot.views import (
    GENERIC_ERROR,
    NOT_YOURS,
    ChooseSongView,
    ConfirmView,
    PicksView,
    rate_options,
)

OWNER = SimpleNamespace(id=111, name="owner")
STRANGER = SimpleNamespace(id=222, name="stranger")
WHO = Requester(OWNER.id, OWNER.name, guild_id=5, channel_id=6)


@pytest.fixture
def conversation(engine, store) -> Conversation:
    return Conversation(engine, store, limiter=RateLimiter(rate=10_000, per=1.0))


def click(user=OWNER, **data) -> FakeInteraction:
    return FakeInteraction(user, guild_id=5, channel_id=6, data=data)


def select(view_select, value: str, user=OWNER) -> FakeInteraction:
    return click(user, custom_id=view_select.custom_id, component_type=3, values=[value])


def names(payload: dict) -> set[str]:
    return {f.name.split(". ", 1)[1] for f in payload["embed"].fields}


# -- PicksView --------------------------------------------------------------------
async def test_more_button_gives_new_songs(conversation):
    reply = await conversation.recommend(WHO, "la java", 3)
    view = PicksView(conversation, OWNER.id, reply)
    first = {p.label for p in reply.picks}
    interaction = click()
    await view._scheduled_task(view.more_button, interaction)
    assert interaction.fake_response.deferred  # acknowledged before engine work
    [payload] = interaction.fake_followup.sent
    assert len(payload["embed"].fields) == 3
    assert isinstance(payload["view"], PicksView)
    shown = {n.split(" — ")[0] for n in names(payload)}
    assert not shown & {label.split(" — ")[0] for label in first}
    # and again, from the same (old) message: still nothing repeated
    again = click()
    await view._scheduled_task(view.more_button, again)
    assert not names(again.fake_followup.sent[0]) & names(payload)


async def test_rate_select_stores_feedback(conversation, store):
    reply = await conversation.vibe(WHO, "chill", 2)
    view = PicksView(conversation, OWNER.id, reply)
    values = [o.value for o in view.rate_select.options]
    assert values == [f"{s}:{p.song_id}" for p in reply.picks for s in ("+1", "-1")]
    like = select(view.rate_select, values[0])
    await view._scheduled_task(view.rate_select, like)
    dislike = select(view.rate_select, values[3])
    await view._scheduled_task(view.rate_select, dislike)
    assert await store.feedback(OWNER.id) == {reply.picks[0].song_id: 1, reply.picks[1].song_id: -1}
    [ack] = like.fake_response.sent
    assert ack["ephemeral"] is True and ack["content"].startswith("👍")
    assert dislike.fake_response.sent[0]["content"].startswith("👎")


def test_picks_view_without_follow_up_or_picks():
    view = PicksView(SimpleNamespace(), OWNER.id, Reply(text="x"))
    assert view.more_button.disabled is True
    assert view.rate_select not in view.children


def test_rate_options_respect_discord_limits():
    picks = tuple(PickRef(i, f"id{i}", "L" * 300) for i in range(1, 14))
    picks += (PickRef(14, "z" * 120, "too long an id"),)
    options = rate_options(picks)
    assert len(options) == 25
    assert all(len(o.label) <= 100 and len(o.value) <= 100 for o in options)
    assert all("z" * 99 not in o.value for o in options)


# -- ChooseSongView ---------------------------------------------------------------
async def test_choose_song_runs_the_chosen_recommend(conversation, engine):
    asked = await conversation.recommend(WHO, "kruiisime", 2)
    assert asked.choices and asked.choice_command == "recommend"
    view = ChooseSongView(conversation, OWNER.id, asked)
    chosen = asked.choices[1]
    interaction = select(view.choose_select, chosen.value)
    await view._scheduled_task(view.choose_select, interaction)
    [edit] = interaction.fake_response.edited  # the question greys out
    assert all(item.disabled for item in edit["view"].children)
    assert view.is_finished()
    [payload] = interaction.fake_followup.sent
    assert engine.song_by_id(chosen.value).name in payload["embed"].title
    assert len(payload["embed"].fields) == 2


async def test_choose_song_runs_the_chosen_cluster(conversation, engine):
    asked = await conversation.cluster(WHO, "kruiisime")
    view = ChooseSongView(conversation, OWNER.id, asked)
    interaction = select(view.choose_select, asked.choices[0].value)
    await view._scheduled_task(view.choose_select, interaction)
    [payload] = interaction.fake_followup.sent
    assert payload["file"].filename == "profile.png"


# -- ConfirmView ------------------------------------------------------------------
async def test_confirm_deletes_everything(conversation, store):
    await conversation.recommend(WHO, "la java", 2)
    await conversation.rate(WHO, 1, +1)
    assert (await store.row_counts(OWNER.id))["requests"] == 1
    view = ConfirmView(conversation, OWNER.id)
    interaction = click()
    await view._scheduled_task(view.confirm_button, interaction)
    assert all(v == 0 for v in (await store.row_counts(OWNER.id)).values())
    assert interaction.fake_response.edited[0]["view"] is view
    assert all(item.disabled for item in view.children)
    assert "deleted" in interaction.fake_followup.sent[0]["content"]


async def test_cancel_keeps_everything(conversation, store):
    await conversation.recommend(WHO, "la java", 2)
    view = ConfirmView(conversation, OWNER.id)
    interaction = click()
    await view._scheduled_task(view.cancel_button, interaction)
    assert (await store.row_counts(OWNER.id))["requests"] == 1
    [edit] = interaction.fake_response.edited
    assert "nothing was deleted" in edit["content"]
    assert view.is_finished()


# -- ownership, timeouts, errors ---------------------------------------------------
async def test_non_owner_is_refused_privately(conversation, store):
    await conversation.recommend(WHO, "la java", 2)
    for view, item in [
        (ConfirmView(conversation, OWNER.id), "confirm_button"),
        (PicksView(conversation, OWNER.id, await conversation.recommend(WHO, "la java", 2)), "more_button"),
    ]:
        interaction = click(STRANGER)
        await view._scheduled_task(getattr(view, item), interaction)
        [notice] = interaction.fake_response.sent
        assert notice["ephemeral"] is True and notice["content"] == NOT_YOURS
        assert not interaction.fake_response.deferred and not interaction.fake_followup.sent
    assert (await store.row_counts(OWNER.id))["requests"] == 2


async def test_on_timeout_disables_items_and_edits_the_message(conversation):
    reply = await conversation.recommend(WHO, "la java", 2)
    view = PicksView(conversation, OWNER.id, reply)
    view.message = FakeMessage()
    await view.on_timeout()
    assert all(item.disabled for item in view.children)
    assert view.message.edits == [{"view": view}]


@pytest.mark.parametrize("error", [http_error(), http_error(status=403)])
async def test_on_timeout_tolerates_a_gone_message(conversation, error):
    view = ConfirmView(conversation, OWNER.id)
    view.message = FakeMessage(edit_error=error)
    await view.on_timeout()  # no raise
    assert all(item.disabled for item in view.children)
    view.message = None
    await view.on_timeout()


async def test_callback_failure_is_logged_and_answered_privately(conversation, monkeypatch, caplog):
    reply = await conversation.recommend(WHO, "la java", 2)
    view = PicksView(conversation, OWNER.id, reply)

    async def boom(who, follow_up=None):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(conversation, "more", boom)
    interaction = click()
    with caplog.at_level(logging.ERROR, logger="bot.views"):
        await view._scheduled_task(view.more_button, interaction)
    [payload] = interaction.fake_followup.sent  # the click was already deferred
    assert payload["content"] == GENERIC_ERROR and payload["ephemeral"] is True
    assert "PicksView" in caplog.text and str(OWNER.id) in caplog.text


async def test_view_clicks_are_rate_limited(engine, store):
    conversation = Conversation(engine, store, limiter=RateLimiter(rate=1, per=60))
    reply = await conversation.recommend(WHO, "la java", 2)  # uses no admit itself
    view = PicksView(conversation, OWNER.id, reply)
    await view._scheduled_task(view.more_button, click())
    refused = click()
    await view._scheduled_task(view.more_button, refused)
    [notice] = refused.fake_response.sent
    assert notice["ephemeral"] is True and "Slow down" in notice["content"]
    assert not refused.fake_followup.sent


async def test_follow_up_comes_from_the_reply_not_the_session(conversation):
    """ "More" under an old list continues that list even after other commands."""
    vibe = await conversation.vibe(WHO, "party", 2)
    await conversation.recommend(WHO, "la java", 2)
    view = PicksView(conversation, OWNER.id, vibe)
    assert view.follow_up == FollowUp("vibe", "party", 2, "")
    interaction = click()
    await view._scheduled_task(view.more_button, interaction)
    assert "Party" in interaction.fake_followup.sent[0]["embed"].title
