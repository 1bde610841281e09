"""Test helpers shared by the bot tests: Teams-shaped activities, the Bot Connector
stand-in (:mod:`tests.support.connector`) and the Agents Playground client
(:mod:`tests.support.playground`)."""

from __future__ import annotations

import itertools
import socket
from datetime import UTC, datetime
from typing import Any

__all__ = ["BOT_ID", "TENANT_ID", "free_port", "teams_activity", "teams_message"]

TENANT_ID = "00000000-0000-0000-0000-000000000001"
BOT_ID = "28:00000000-0000-0000-0000-000000000011"
_ids = itertools.count(1)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def teams_activity(
    service_url: str,
    *,
    type: str = "message",
    conversation_id: str = "19:group-chat@thread.v2",
    conversation_type: str = "groupChat",
    user_id: str = "29:user-anders",
    user_name: str = "Anders Andersen",
    aad_object_id: str = "00000000-0000-0000-0000-000000000021",
    tenant_id: str = TENANT_ID,
    **fields: Any,
) -> dict[str, Any]:
    """A Teams-shaped activity as the Bot Framework service posts it (JSON dict).

    Extra keyword fields (``text``, ``value``, ``name``…) are added as they are.
    """
    activity: dict[str, Any] = {
        "type": type,
        "id": f"1700000000{next(_ids):06d}",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "localTimestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": user_name, "aadObjectId": aad_object_id},
        "conversation": {
            "id": conversation_id,
            "conversationType": conversation_type,
            "tenantId": tenant_id,
            "isGroup": conversation_type != "personal",
        },
        "recipient": {"id": BOT_ID, "name": "workshopbot"},
        "channelData": {"tenant": {"id": tenant_id}},
        "locale": "da-DK",
    }
    activity.update(fields)
    return activity


def teams_message(service_url: str, text: str, **kwargs: Any) -> dict[str, Any]:
    """A Teams message activity with ``text`` (see :func:`teams_activity`)."""
    return teams_activity(service_url, type="message", text=text, **kwargs)
