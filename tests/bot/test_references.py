"""The fast conversation-reference conversion gives what msrest gives, for the shapes Teams
sends (group chat, channel thread, 1:1 chat, with and without tenant and names)."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot.teams.references import reference_dict, reference_of

BASE: dict[str, Any] = {
    "type": "message",
    "id": "1700000000123",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "channelId": "msteams",
    "from": {"id": "29:bo", "name": "Bo", "aadObjectId": "aad-bo"},
    "recipient": {"id": "28:bot", "name": "workshopbot"},
    "text": "Et svar",
}


@pytest.mark.parametrize(
    "conversation",
    [
        {
            "id": "19:g@thread.v2",
            "conversationType": "groupChat",
            "isGroup": True,
            "tenantId": "t1",
        },
        {
            "id": "19:c@thread.tacv2;messageid=1",
            "conversationType": "channel",
            "isGroup": True,
            "tenantID": "t1",
        },
        {"id": "a:1on1", "conversationType": "personal", "name": "Bo"},
        {"id": "19:bare"},
    ],
    ids=["group", "channel-thread", "personal", "bare"],
)
@pytest.mark.parametrize("locale", [None, "da-DK"], ids=["no-locale", "locale"])
def test_the_fast_conversion_equals_msrest(
    conversation: dict[str, Any], locale: str | None
) -> None:
    body = {**BASE, "conversation": conversation, **({"locale": locale} if locale else {})}
    reference = TurnContext.get_conversation_reference(Activity().deserialize(body))
    as_dict = reference_dict(reference)
    assert as_dict == reference.serialize()
    slow, fast = ConversationReference().deserialize(as_dict), reference_of(as_dict)
    assert fast.serialize() == slow.serialize() == as_dict
    assert vars(fast.conversation) == vars(slow.conversation)
    assert vars(fast.bot) == vars(slow.bot) and vars(fast.user) == vars(slow.user)


def test_a_stored_reference_without_a_user_reads_back() -> None:
    stored = {"conversation": {"id": "19:g"}, "serviceUrl": "https://x/", "channelId": "msteams"}
    reference = reference_of(stored)
    assert reference.user is None and reference.conversation.id == "19:g"
    assert reference.serialize() == stored
