"""The fast activity parser builds exactly what msrest builds, or lets msrest do it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botbuilder.schema import Activity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msrest.exceptions import DeserializationError
from msrest.serialization import Model

from bot.activity_json import parse_activity
from tests.support import teams_activity, teams_message


def shape(value: Any) -> Any:
    """Everything an object holds, with types (so 1, 1.0 and True differ)."""
    if isinstance(value, Model):
        return (type(value).__name__, {k: shape(v) for k, v in sorted(vars(value).items())})
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    return (type(value).__name__, value)


def same_as_msrest(body: dict[str, Any]) -> None:
    try:
        expected = Activity().deserialize(body)
    except DeserializationError:
        with pytest.raises(DeserializationError):
            parse_activity(body)
        return
    got = parse_activity(body)
    assert shape(got) == shape(expected)
    assert got.serialize() == expected.serialize()


SERVICE = "https://smba.trafficmanager.net/emea/"

REAL = [
    teams_message(
        SERVICE,
        "<at>workshopbot</at> næste",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "28:bot", "name": "workshopbot"},
                "text": "<at>workshopbot</at>",
            },
            {
                "type": "clientInfo",
                "locale": "da-DK",
                "country": "DK",
                "platform": "Web",
                "timezone": "Europe/Copenhagen",
            },
        ],
        textFormat="plain",
        localTimezone="Europe/Copenhagen",
        attachments=[{"contentType": "text/html", "content": "<div>næste</div>"}],
    ),
    teams_message(
        SERVICE,
        "",
        value={
            "kind": "answer",
            "question": 3,
            "answer": "7",
            "private": False,
            "x": None,
            "f": 1.5,
        },
    ),
    teams_activity(
        SERVICE,
        type="conversationUpdate",
        membersAdded=[{"id": "29:new", "aadObjectId": "00000000-0000-0000-0000-000000000099"}],
        channelData={
            "tenant": {"id": "t"},
            "eventType": "teamMemberAdded",
            "team": {"id": "19:team"},
        },
    ),
    teams_activity(
        SERVICE,
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": "answer", "data": {"q": 1}},
            "trigger": "manual",
        },
    ),
    teams_activity(
        SERVICE,
        type="event",
        name="application/vnd.microsoft.meetingEnd",
        value={"Id": "m", "EndTime": "2024-01-01T10:00:00Z"},
    ),
    {
        **teams_message(SERVICE, "t"),
        "timestamp": "2024-01-01T12:00:00.1234567Z",
        "localTimestamp": "2024-01-01T13:00:00.123+01:00",
    },
]


@pytest.mark.parametrize(
    "body", REAL, ids=["mention", "submit", "members-added", "execute", "meeting-end", "timestamps"]
)
def test_real_teams_activities_parse_like_msrest(body: dict[str, Any]) -> None:
    same_as_msrest(body)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
account = st.fixed_dictionaries(
    {"id": st.text(max_size=8)},
    optional={
        "name": st.text(max_size=8) | json_values,
        "aadObjectId": st.text(max_size=8),
        "role": st.text(max_size=4),
        "extra": json_values,
    },
)
conversation = st.fixed_dictionaries(
    {"id": st.text(max_size=8) | json_values},
    optional={
        "isGroup": st.booleans() | json_values,
        "conversationType": st.text(max_size=8),
        "tenantId": st.text(max_size=8),
        "tenantID": st.text(max_size=8),
    },
)
timestamps = (
    st.datetimes().map(lambda d: d.isoformat() + "Z")
    # .NET's 7 fractional digits, offsets, no zone, and near misses for the fast parser
    | st.builds(
        lambda d, digits, zone: d.strftime("%Y-%m-%dT%H:%M:%S") + digits + zone,
        st.datetimes(),
        st.sampled_from(["", ".1", ".123456", ".1234567", ".123456789"]),
        st.sampled_from(["Z", "z", "+02:00", "-05:30", "+14:00", "", "+0200", " "]),
    )
    | st.sampled_from(["0000-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-11-23T24:00:00Z"])
    | st.text(max_size=12)
)
activities = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "invoke", "event", "conversationUpdate"])},
    optional={
        "id": st.text(max_size=8),
        "text": st.text(max_size=20) | json_values,
        "from": account | json_values,
        "recipient": account,
        "conversation": conversation,
        "serviceUrl": st.just(SERVICE),
        "timestamp": timestamps,
        "value": json_values,
        "channelData": json_values,
        "entities": st.lists(
            st.fixed_dictionaries(
                {"type": st.text(max_size=6)},
                optional={"mentioned": account, "text": st.text(max_size=6)},
            ),
            max_size=3,
        )
        | json_values,
        "attachments": st.lists(
            st.fixed_dictionaries(
                {"contentType": st.text(max_size=6)}, optional={"content": json_values}
            ),
            max_size=2,
        ),
        "membersAdded": st.lists(account, max_size=2),
        "historyDisclosed": st.booleans() | json_values,
        "suggestedActions": json_values,
        "unknownField": json_values,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities)
def test_generated_activities_parse_like_msrest(body: dict[str, Any]) -> None:
    same_as_msrest(body)
