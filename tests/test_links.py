"""Where to listen: every song shown links to Spotify (track page or search), safely.

The engine derives the link (track id → track page, otherwise a search for title and
artist); the conversation puts it on the title and in front of each pick on Discord,
and the console leaves links out of lists and gives them on ``link N``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import discord.ext.test as dpytest
import pytest
from discord_fakes import run_slash

from bot.conversation import Conversation, Requester
from bot.replies import EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, LISTEN_TEXT, render_text
from engine.links import SEARCH_URL, TRACK_URL, is_spotify_track_id, listen_url

LINK = re.compile(r"(?<!\\)\[([^\]]*)\]\((https://[^)\s]+)\)")
ME = Requester(id=42, name="tester")


def test_spotify_ids_link_to_the_track_page():
    assert (
        listen_url("3k4N13FLmeIcETs5zwxnvd", "Le Fado", "Mistinguett") == TRACK_URL + "3k4N13FLmeIcETs5zwxnvd"
    )
    assert is_spotify_track_id("3k4N13FLmeIcETs5zwxnvd")
    for not_an_id in (
        "",
        "x-3f2a9c",
        "3k4N13FLmeIcETs5zwxnv",
        "3k4N13FLmeIcETs5zwxnvd1",
        "3k4N13FLmeIcETs5zwx-vd",
    ):
        assert not is_spotify_track_id(not_an_id)


@pytest.mark.parametrize(
    "title, artist",
    [
        ("Smells Like Teen Spirit", "Nirvana"),
        ("Don't Stop Me Now - 2011 Mix)", "Queen"),
        ("[x](javascript:alert(1)) <@&1> @everyone", "A\nB  ) ]"),
        ("강남스타일", "PSY"),
    ],
)
def test_other_songs_link_to_a_percent_encoded_search(title, artist):
    url = listen_url("hits-0123456789abcdef", title, artist)
    assert url.startswith(SEARCH_URL)
    query = url[len(SEARCH_URL) :]
    # nothing that could end the markdown link, the URL or start a mention survives
    assert not set(query) & set(" ()[]<>@\n\"'")
    assert unquote(query) == " ".join(f"{title} {artist}".split())


def test_every_bundled_song_has_a_link(engine):
    for index in range(0, engine.n_songs, 97):
        song = engine.song(index)
        assert song.link.startswith(TRACK_URL if is_spotify_track_id(song.id) else SEARCH_URL)


async def test_picks_seed_and_cluster_link_to_their_songs(engine, store):
    conversation = Conversation(engine, store)
    reply = await conversation.recommend(ME, "la java", 10)
    card = reply.card.fitted()
    assert card.size() <= EMBED_TOTAL_LIMIT
    seed = engine.find_song("la java")
    assert f"[La Java]({seed.link})" in card.description
    for field, ref in zip(card.fields, reply.picks):
        assert len(field.value) <= FIELD_VALUE_LIMIT
        text, url = LINK.match(field.value).groups()
        assert text == LISTEN_TEXT and url == engine.song_by_id(ref.song_id).link

    vibe = await conversation.vibe(ME, "chill", 3)
    assert all(LINK.match(f.value) for f in vibe.card.fields)
    cluster = await conversation.cluster(ME, "la java")
    assert f"({seed.link})" in cluster.card.description


async def test_history_links_each_shown_song(engine, store):
    conversation = Conversation(engine, store)
    await conversation.recommend(ME, "la java", 10)
    history = await conversation.history(ME)
    value = history.card.fields[0].value
    assert len(LINK.findall(value)) == 11  # the seed and the ten picks
    assert len(value) <= FIELD_VALUE_LIMIT


async def test_console_text_has_no_markdown_links_and_link_n_gives_one(engine, store):
    conversation = Conversation(engine, store)
    listed = await conversation.handle_line(ME, "!recommend la java 3")
    text = render_text(listed.fitted())
    assert "https://" not in text and LISTEN_TEXT not in text and "](" not in text
    assert f"1. {engine.song_by_id(listed.picks[0].song_id).label()}" in text
    second = engine.song_by_id(listed.picks[1].song_id)
    answer = render_text((await conversation.handle_line(ME, "link 2")).fitted())
    assert answer == f"🔗 {second.label()}: {second.link}"


@pytest.mark.parametrize("line", ["link", "link 0", "link 4", "link x", "link 99999999999"])
async def test_link_of_an_unknown_pick_says_what_to_type(engine, store, line):
    conversation = Conversation(engine, store)
    await conversation.handle_line(ME, "!recommend la java 3")
    reply = await conversation.handle_line(ME, line)
    assert reply.error and "1 to 3" in reply.text


async def test_link_before_any_list_says_how_to_start(engine, store):
    reply = await Conversation(engine, store).handle_line(ME, "link 1")
    assert reply.error and "recommend" in reply.text


async def test_prefix_link_posts_the_url_without_a_preview(bot):
    await dpytest.message("!recommend la java 2")
    listed = dpytest.get_message()
    await dpytest.message("!link 1")
    message = dpytest.get_message()
    first = listed.embeds[0].fields[0]
    url = LINK.match(first.value).group(2)
    assert message.content.endswith(f"<{url}>")  # bracketed: Discord shows no preview card
    assert not message.embeds


async def test_slash_link_answers_privately(bot):
    await run_slash(bot, "recommend", song="la java", count=2)
    interaction = await run_slash(bot, "link", number=2)
    sent = interaction.all_sent()
    assert len(sent) == 1 and sent[0]["ephemeral"] is True
    assert "https://open.spotify.com/" in sent[0]["content"]
