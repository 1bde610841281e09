"""One authoritative tenant per activity: the allow-list is checked against the one tenant
every tenant field agrees on; an activity whose fields name different tenants (one allowed,
one not) is refused whichever field a reader looks at first; the workshop stores exactly
the tenant that was checked. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.workload import LocalConnector, WorkshopDriver
from tests.hostile._databases import DATABASES, bot_on
from tests.hostile.conftest import BackgroundBot
from tests.support import TENANT_ID, teams_message

OTHER = "99999999-0000-0000-0000-000000000000"


@pytest.fixture(scope="module", params=DATABASES)
def tenant_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundBot]:
    with bot_on(
        request.param,
        request,
        tmp_path_factory.mktemp("tenants"),
        allowed_tenants=frozenset({TENANT_ID}),
    ) as bot:
        yield bot


def _set(activity: dict[str, Any], where: str, value: str) -> None:
    if where == "channelData.tenant.id":
        activity["channelData"]["tenant"] = {"id": value}
    else:
        activity["conversation"][where.split(".")[1]] = value


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {"conversation.tenantId": TENANT_ID, "channelData.tenant.id": OTHER},
            id="channel-data-differs",
        ),
        pytest.param(
            {"conversation.tenantId": OTHER, "channelData.tenant.id": TENANT_ID},
            id="conversation-differs",
        ),
        pytest.param(
            {
                "conversation.tenantId": TENANT_ID,
                "conversation.tenantID": OTHER,
                "channelData.tenant.id": TENANT_ID,
            },
            id="sdk-spelling-differs",
        ),
        pytest.param(
            {"conversation.tenantId": TENANT_ID, "channelData.tenant.id": TENANT_ID + " "},
            id="look-alike-differs",
        ),
    ],
)
def test_conflicting_tenant_fields_are_refused(
    tenant_bot: BackgroundBot, fields: dict[str, str]
) -> None:
    assert tenant_bot.card is not None
    activity = tenant_bot.driver.answer_activity(tenant_bot.card, 40, via="card", text="Konflikt")
    for where, value in fields.items():
        _set(activity, where, value)
    tenant_bot.drain()  # an earlier answer's card update may still be on its way
    before = len(tenant_bot.all_answers())
    calls = len(tenant_bot.connector.calls)
    status, text = tenant_bot.post(activity)
    assert status == 403, text
    assert "conflicting tenants" in text
    assert len(tenant_bot.all_answers()) == before
    tenant_bot.drain()
    assert len(tenant_bot.connector.calls) == calls


def test_a_workshop_started_with_conflicting_tenants_is_not_created(
    tenant_bot: BackgroundBot,
) -> None:
    url = tenant_bot.connector.url
    activity = teams_message(
        url, "<at>workshopbot</at> start", conversation_id="19:mixed@thread.v2"
    )
    activity["channelData"]["tenant"] = {"id": OTHER}  # conversation.tenantId stays allowed
    before = {w.id for w in tenant_bot.workshops()}
    assert tenant_bot.post(activity)[0] == 403
    assert {w.id for w in tenant_bot.workshops()} == before


class _OneFieldDriver(WorkshopDriver):
    """A facilitator whose client sends the tenant in one field only."""

    def __init__(self, *args: Any, where: str) -> None:
        super().__init__(*args)
        self.where = where

    def activity(self, *, user: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
        activity = super().activity(user=user, **fields)
        del activity["conversation"]["tenantId"]
        del activity["channelData"]["tenant"]
        _set(activity, self.where, TENANT_ID)
        return activity


@pytest.mark.parametrize("where", ["conversation.tenantId", "channelData.tenant.id"])
def test_one_tenant_field_alone_is_the_checked_and_stored_tenant(
    tenant_bot: BackgroundBot, where: str
) -> None:
    driver = _OneFieldDriver(
        tenant_bot.http, tenant_bot.base, LocalConnector(tenant_bot.connector), where=where
    )
    tenant_bot.call(driver.start_workshop(org="Et Felt A/S"))
    started = [w for w in tenant_bot.workshops() if w.conversation_id == driver.conversation_id]
    assert len(started) == 1
    assert started[0].tenant_id == TENANT_ID


@pytest.mark.parametrize("value", [["a"], {"id": TENANT_ID}, 7])
def test_a_tenant_field_that_is_not_a_string_is_refused(
    tenant_bot: BackgroundBot, value: Any
) -> None:
    assert tenant_bot.card is not None
    activity = tenant_bot.driver.answer_activity(tenant_bot.card, 41, via="card", text="Type")
    activity["conversation"]["tenantId"] = value
    before = len(tenant_bot.all_answers())
    status, text = tenant_bot.post(activity)
    assert status in (400, 403), text
    assert len(tenant_bot.all_answers()) == before
