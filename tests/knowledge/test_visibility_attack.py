"""The search's SQL and :func:`dialogs.permissions.may_see_takeaway` say the same thing, for
every viewer and every takeaway of a directory built to tempt mistakes (same team name in
another tenant, no team, a manager elsewhere, drafts, withdrawn ones)."""

from __future__ import annotations

import itertools
import random
from datetime import date

from dialogs.permissions import Person, may_see_takeaway
from storage.db import Database
from storage.knowledge import people, search, takeaways
from storage.knowledge.search import Viewer

#: (user, tenant, team, manager)
DIRECTORY = [
    ("29:anna", "t1", "Løn", "29:mette"),
    ("29:bo", "t1", "Løn", "29:mette"),
    ("29:carl", "t1", "IT", "29:anna"),
    ("29:mette", "t1", "Ledelse", None),
    ("29:nils", "t1", None, None),
    ("29:eve", "t2", "Løn", None),  # the same team name in another tenant
    ("29:otto", "t2", "IT", "29:mette"),  # a "manager" outside the tenant
]


async def test_search_shows_exactly_what_the_permission_allows(db: Database) -> None:
    rng = random.Random(16)
    for user, tenant, team, manager in DIRECTORY:
        await people.set_directory(
            db, user, tenant_id=tenant, team=team or "", manager_id=manager or ""
        )
    course = await takeaways.add_course(
        db,
        name="Fælles kursus",
        provider="AMU",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 6),
    )
    written = []
    for (author, tenant, _team, _manager), visibility, state in itertools.product(
        DIRECTORY, ("team", "org", "manager"), ("published", "draft", "withdrawn")
    ):
        saved = await takeaways.save_takeaway(
            db,
            course_id=course.id,
            user_id=author,
            points=(f"fællesord {rng.random():.6f}", "b", "c"),
            visibility=visibility,
            language="da",
            consent=state != "draft",
            tenant_id=tenant,
        )
        if state == "withdrawn":
            saved = await takeaways.withdraw_takeaway(db, saved.id, author)
        written.append(saved)
    by_user = {d[0]: d for d in DIRECTORY}
    checked = 0
    for viewer, tenant, team, _ in DIRECTORY:
        expected = {
            t.id
            for t in written
            if may_see_takeaway(
                Person(viewer),
                viewer_tenant=tenant,
                viewer_team=team,
                author_id=t.user_id,
                author_tenant=t.tenant_id,
                author_team=by_user[t.user_id][2],
                author_manager=by_user[t.user_id][3],
                visibility=t.visibility,
                published=t.published,
            )
        }
        found = {
            h.takeaway.id
            for h in await search.search_takeaways(
                db, Viewer(viewer, tenant), "fællesord", limit=50
            )
        }
        assert found == expected, viewer
        checked += len(expected)
    # The matrix is not trivially empty or full.
    assert 0 < checked < len(written) * len(DIRECTORY)
    # An outsider with the same team name never sees team takeaways of t1.
    eve = {
        h.takeaway.user_id
        for h in await search.search_takeaways(db, Viewer("29:eve", "t2"), "fællesord", limit=50)
    }
    assert eve <= {"29:eve", "29:otto"}


async def test_org_only_search_shows_only_what_the_whole_tenant_may_see(db: Database) -> None:
    """The summary card's links (``org_only``): whoever asks, only published takeaways
    shared with the whole organisation of that tenant; never a team's, a manager's, a
    draft, a withdrawn one, nor another tenant's (the same matrix as above)."""
    for user, tenant, team, manager in DIRECTORY:
        await people.set_directory(
            db, user, tenant_id=tenant, team=team or "", manager_id=manager or ""
        )
    course = await takeaways.add_course(
        db, name="Kursus", provider="AMU", starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 6)
    )
    written = []
    for (author, tenant, _team, _manager), visibility, state in itertools.product(
        DIRECTORY, ("team", "org", "manager"), ("published", "draft", "withdrawn")
    ):
        saved = await takeaways.save_takeaway(
            db,
            course_id=course.id,
            user_id=author,
            points=("fællesord", "b", "c"),
            visibility=visibility,
            language="da",
            consent=state != "draft",
            tenant_id=tenant,
        )
        if state == "withdrawn":
            saved = await takeaways.withdraw_takeaway(db, saved.id, author)
        written.append(saved)
    for viewer, tenant, _team, _manager in [*DIRECTORY, ("", "t1", None, None)]:
        expected = {
            t.id for t in written if t.visibility == "org" and t.published and t.tenant_id == tenant
        }
        found = {
            h.takeaway.id
            for h in await search.search_takeaways(
                db, Viewer(viewer, tenant), "fællesord", limit=50, org_only=True
            )
        }
        assert found == expected, viewer
        # t1's five people and t2's two each shared one org takeaway that is published.
        assert len(expected) == (5 if tenant == "t1" else 2)
