"""The facilitation flow on a real, migrated SQLite database: moving through the questions,
parking, skipping, reordering, adding, answer checks, the basic summary, plan edits and the
per-user state on the SQL bot-state storage."""

from __future__ import annotations

import pytest

from dialogs import plan_editing
from dialogs import workshop as flow
from dialogs.basic_summary import basic_summary, gather
from dialogs.permissions import Person
from dialogs.state import ConversationInfo, PendingPrivate, UserProgress
from dialogs.workshop import SetupChoice, WorkshopStateError
from storage import answers as answers_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.db import Database
from storage.records import WorkshopRecord

CONV = "19:flow@thread.v2"


async def start(
    db: Database, *, mode: str = "pseudonymous", plan: str = "default"
) -> WorkshopRecord:
    return await flow.launch(
        db,
        SetupChoice(
            plan_key=plan, series="new", series_name="Serie", org="HK", language="da", mode=mode
        ),
        conversation_id=CONV + ";messageid=17",
        reference=None,
        facilitators=["29:fie"],
    )


async def fresh(db: Database, workshop: WorkshopRecord) -> WorkshopRecord:
    return await workshops_repo.get_workshop(db, workshop.id)


async def test_launch_starts_with_the_plan_order_and_one_workshop_per_conversation(
    db: Database,
) -> None:
    workshop = await start(db)
    assert workshop.status == "running" and workshop.started_at is not None
    assert workshop.conversation_id == CONV, "a channel thread's suffix is dropped"
    assert workshop.facilitators == ("29:fie",)
    agenda = await flow.load_agenda(db, workshop)
    assert agenda.order[:2] == ("q0", "q1")
    with pytest.raises(WorkshopStateError) as refused:
        await start(db)
    assert refused.value.key == "already_running"
    assert "allerede" in refused.value.message("da")


async def test_setup_without_organisation_is_refused(db: Database) -> None:
    with pytest.raises(WorkshopStateError, match="setup_missing"):
        await flow.launch(
            db,
            SetupChoice(plan_key="default", org=" "),
            conversation_id=CONV,
            reference=None,
            facilitators=["29:fie"],
        )
    assert await workshops_repo.find_active_workshop(db, CONV) is None


async def test_next_back_skip_park_and_return(db: Database) -> None:
    workshop = await start(db)
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q0"
    assert "HKs" in step.opened.question_text or "HK" in step.opened.question_text
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q1"
    assert [r.question_id for r in step.closed] == ["q0"]
    step = await flow.advance(db, workshop, "back", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q0"
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q2", "q1 was asked already"
    step = await flow.advance(db, workshop, "skip", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q3"
    step = await flow.advance(db, workshop, "park", actor="29:fie")
    assert step.notice == "parked" and step.opened is not None and step.opened.question_id == "q4"
    upcoming, parked = await flow.remaining(db, workshop)
    assert parked == ["q3"] and "q2" not in upcoming and "q3" not in upcoming
    step = await flow.advance(db, workshop, "return", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q3"
    assert (await flow.remaining(db, workshop))[1] == []
    with pytest.raises(WorkshopStateError) as refused:
        await flow.advance(db, workshop, "return", actor="29:fie")
    assert refused.value.key == "reason_nothing_parked"
    open_runs = [r for r in await questions_repo.list_question_runs(db, workshop.id) if r.is_open]
    assert len(open_runs) == 1


async def test_the_end_of_the_plan_and_a_paused_workshop_are_polite_refusals(db: Database) -> None:
    workshop = await start(db, plan="before-course")
    agenda = await flow.load_agenda(db, workshop)
    for _ in agenda.order:
        await flow.advance(db, workshop, "next", actor="29:fie")
    with pytest.raises(WorkshopStateError) as refused:
        await flow.advance(db, workshop, "next", actor="29:fie")
    assert refused.value.key == "reason_no_more"
    assert "ikke flere spørgsmål" in refused.value.message("da")
    paused = await workshops_repo.pause_workshop(db, workshop.id)
    with pytest.raises(WorkshopStateError, match="reason_paused"):
        await flow.advance(db, paused, "back", actor="29:fie")


async def test_reorder_and_add_change_what_comes_next(db: Database) -> None:
    workshop = await start(db)
    await flow.advance(db, workshop, "next", actor="29:fie")
    order = await flow.reorder(db, workshop, ["q8", "q7"], actor="29:fie")
    assert order[:3] == ["q8", "q7", "q1"]
    with pytest.raises(WorkshopStateError) as refused:
        await flow.reorder(db, workshop, ["q0"], actor="29:fie")
    assert refused.value.key == "reason_unknown_question"
    new_id = await flow.add_question(db, workshop, "Hvad mangler vi?", actor="29:fie")
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == new_id
    assert step.opened.question_text == "Hvad mangler vi?"
    view = await flow.question_view(db, await fresh(db, workshop), step.opened)
    assert view.added and view.total == len((await flow.load_agenda(db, workshop)).order)
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q8"


async def test_answers_are_checked_before_anything_is_stored(db: Database) -> None:
    workshop = await start(db)
    first = (await flow.advance(db, workshop, "next", actor="29:fie")).opened
    assert first is not None
    stored = await flow.record(
        db,
        workshop,
        user_id="29:bo",
        display_name="Bo",
        answer_text=" Viden ",
        source="chat",
        activity_id="a1",
    )
    assert stored.created and stored.answer.text == "Viden"
    assert stored.answer.question_run_id == first.id
    assert stored.answer.created_at.tzinfo is not None
    with pytest.raises(WorkshopStateError) as too_long:
        await flow.record(
            db, workshop, user_id="29:bo", display_name="Bo", answer_text="x" * 4001, source="chat"
        )
    assert too_long.value.key == "too_long" and "4001" in too_long.value.message("da")
    with pytest.raises(WorkshopStateError, match="empty_answer"):
        await flow.record(
            db, workshop, user_id="29:bo", display_name="Bo", answer_text="  ", source="chat"
        )
    with pytest.raises(WorkshopStateError, match="other_workshop"):
        await flow.record(
            db,
            workshop,
            user_id="29:bo",
            display_name="Bo",
            answer_text="x",
            source="card",
            run_id=first.id,
            card_workshop_id=workshop.id + 1,
        )
    await flow.advance(db, workshop, "next", actor="29:fie")
    with pytest.raises(WorkshopStateError, match="stale_question"):
        await flow.record(
            db,
            workshop,
            user_id="29:bo",
            display_name="Bo",
            answer_text="for sent",
            source="card",
            run_id=first.id,
            card_workshop_id=workshop.id,
        )
    again = await flow.record(
        db,
        workshop,
        user_id="29:bo",
        display_name="Bo",
        answer_text="Viden",
        source="chat",
        activity_id="a1",
    )
    assert not again.created
    assert await answers_repo.count_answers(db, workshop.id) == 1


async def test_messages_while_no_question_is_open_are_open_discussion(db: Database) -> None:
    workshop = await start(db)
    stored = await flow.record(
        db,
        workshop,
        user_id="29:bo",
        display_name="Bo",
        answer_text="Jeg tvivler på data",
        source="chat",
    )
    assert stored.answer.question_run_id is None
    summary = basic_summary(await gather(db, workshop.id))
    assert [a.text for a in summary.discussion] == ["Jeg tvivler på data"]


async def test_basic_summary_counts_hides_private_and_names_the_silent(db: Database) -> None:
    workshop = await start(db)
    q0 = (await flow.advance(db, workshop, "next", actor="29:fie")).opened
    assert q0 is not None
    for user, answer, private in (
        ("29:a", "Faglighed", False),
        ("29:b", "Fællesskab", False),
        ("29:c", "Hemmeligt", True),
    ):
        await flow.record(
            db,
            workshop,
            user_id=user,
            display_name=user,
            answer_text=answer,
            source="private" if private else "chat",
            private=private,
        )
    await flow.advance(db, workshop, "next", actor="29:fie")
    await flow.record(
        db, workshop, user_id="29:a", display_name="A", answer_text="Kun A", source="chat"
    )
    inputs = await gather(db, workshop.id)
    group = basic_summary(inputs, audience="group")
    assert [q.question_id for q in group.questions] == ["q0", "q1"]
    first, second = group.questions
    assert first.count == 3 and first.private_count == 1 and first.hidden_private == 1
    assert [a.text for a in first.answers] == ["Faglighed", "Fællesskab"]
    assert all(a.who.startswith("Deltager") for a in first.answers)
    assert first.missing == ()
    assert second.count == 1 and set(second.missing) == {"Deltager B", "Deltager C"}
    assert group.answer_count == 4 and group.participant_count == 3
    facilitator = basic_summary(inputs, audience="facilitator")
    assert "Hemmeligt" in [a.text for a in facilitator.questions[0].answers]
    assert len(group.duration) == 8


async def test_anonymous_summary_shows_no_one(db: Database) -> None:
    workshop = await start(db, mode="anonymous")
    await flow.advance(db, workshop, "next", actor="29:fie")
    await flow.record(
        db, workshop, user_id="29:a", display_name="Anna", answer_text="Svar", source="chat"
    )
    await flow.advance(db, workshop, "next", actor="29:fie")
    summary = basic_summary(await gather(db, workshop.id), lang="en")
    assert [a.who for a in summary.questions[0].answers] == ["Anonymous"]
    assert summary.questions[1].missing == ()
    answers = await answers_repo.answers_for_workshop(db, workshop.id)
    assert answers[0].display_name is None


async def test_withdraw_removes_a_person_from_the_summary(db: Database) -> None:
    workshop = await start(db)
    await flow.advance(db, workshop, "next", actor="29:fie")
    await flow.record(
        db, workshop, user_id="29:a", display_name="A", answer_text="Mit svar", source="chat"
    )
    await flow.record(
        db, workshop, user_id="29:b", display_name="B", answer_text="Andet", source="chat"
    )
    assert await flow.withdraw(db, workshop, "29:a") == 1
    summary = basic_summary(await gather(db, workshop.id))
    assert [a.text for a in summary.questions[0].answers] == ["Andet"]
    assert await flow.withdraw(db, workshop, "29:nobody") == 0


FIE = Person("29:fie", "aad-fie")


async def test_plan_edits_make_new_versions(db: Database) -> None:
    title, message = await plan_editing.run(
        db, "plan copy", "default hk-2026", author="Fie", lang="da", actor=FIE
    )
    assert title == "hk-2026" and "version 1" in message
    _, message = await plan_editing.run(
        db, "plan move", "hk-2026 q8 1", author="Fie", lang="da", actor=FIE
    )
    assert "version 2" in message
    plan = await plan_editing.load_named_plan(db, "hk-2026")
    assert plan.question_ids[0] == "q8"
    _, message = await plan_editing.run(
        db,
        "plan reword",
        "hk-2026 q1: Hvad betyder værdier for dig?",
        author="Fie",
        lang="da",
        actor=FIE,
    )
    assert "version 3" in message
    _, message = await plan_editing.run(
        db, "plan add", "hk-2026: Hvem skal vide det?", author="Fie", lang="da", actor=FIE
    )
    _, message = await plan_editing.run(
        db, "plan drop", "hk-2026 q12", author="Fie", lang="da", actor=FIE
    )
    assert "version 5" in message
    plan = await plan_editing.load_named_plan(db, "hk-2026")
    assert plan.question("q1").text["da"] == "Hvad betyder værdier for dig?"
    assert "q12" not in plan.question_ids and plan.questions[-1].text["da"] == "Hvem skal vide det?"
    builtin = await plan_editing.load_named_plan(db, "default")
    assert builtin.question_ids[0] == "q0", "the original is untouched"
    _, listing = await plan_editing.run(db, "plans", "", author="Fie", lang="da", actor=FIE)
    assert "hk-2026" in listing and "default" in listing
    _, problem = await plan_editing.run(
        db, "plan move", "hk-2026 q99 1", author="Fie", lang="da", actor=FIE
    )
    assert "kunne ikke" in problem
    _, usage = await plan_editing.run(
        db, "plan move", "hk-2026", author="Fie", lang="en", actor=FIE
    )
    assert usage.startswith("Usage")
    workshop = await flow.launch(
        db,
        SetupChoice(plan_key="hk-2026", org="HK"),
        conversation_id="19:other",
        reference=None,
        facilitators=["29:fie"],
    )
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q8"


async def test_only_owners_and_operators_edit_a_plan(db: Database) -> None:
    """Being facilitator of some workshop is no right over another person's plan."""
    await plan_editing.run(db, "plan copy", "default fies", author="Fie", lang="da", actor=FIE)
    await start(db)  # Mallory's own throwaway workshop makes her a facilitator ...
    mallory = Person("29:mallory", "aad-mallory")
    _, refused = await plan_editing.run(
        db,
        "plan reword",
        "fies q1: Klik her: https://evil.example",
        author="M",
        lang="da",
        actor=mallory,
    )
    assert "ejer" in refused and "plan kopiér fies" in refused
    assert "evil" not in str(await plan_editing.load_named_plan(db, "fies"))
    _, refused = await plan_editing.run(
        db, "plan copy", "default fies", author="M", lang="da", actor=mallory
    )
    assert "ejer" in refused, "copying onto someone's plan would replace it"
    _, refused = await plan_editing.run(
        db, "plan drop", "default q1", author="Fie", lang="da", actor=FIE
    )
    assert "indbygget" in refused and "plan kopiér default" in refused
    _, saved = await plan_editing.run(
        db,
        "plan drop",
        "default q1",
        author="Ops",
        lang="da",
        actor=mallory,
        operators=frozenset({"aad-mallory"}),
    )
    assert "version 2" in saved, "an operator (named by Entra id) may"


def test_user_state_survives_its_json_form() -> None:
    progress = UserProgress(PendingPrivate(3, 9), 3)
    assert UserProgress.from_json(progress.to_json()) == progress
    assert UserProgress.from_json({"pending_private": {"workshop_id": "x"}}) == UserProgress()
    assert UserProgress.from_json(None) == UserProgress()
    assert ConversationInfo.from_json(ConversationInfo(5).to_json()) == ConversationInfo(5)


async def test_user_state_is_kept_per_user_on_the_sql_storage(db: Database) -> None:
    from botbuilder.core import TurnContext, UserState
    from botbuilder.core.adapters import TestAdapter
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    from bot.state_storage import SqlStorage
    from dialogs.state import load_progress, save_progress

    storage = SqlStorage(db)

    def turn(user: str) -> TurnContext:
        return TurnContext(
            TestAdapter(),
            Activity(
                type="message",
                channel_id="msteams",
                from_property=ChannelAccount(id=user),
                recipient=ChannelAccount(id="bot"),
                conversation=ConversationAccount(id=CONV),
                text="x",
            ),
        )

    state = UserState(storage)
    prop = state.create_property("workshop_progress")
    anna = turn("29:anna")
    await save_progress(prop, anna, UserProgress(PendingPrivate(1, 2), 1))
    await state.save_changes(anna)
    # A fresh state object reads from the database, not from memory.
    again = UserState(storage)
    prop2 = again.create_property("workshop_progress")
    loaded_anna = turn("29:anna")
    await again.load(loaded_anna)
    assert await load_progress(prop2, loaded_anna) == UserProgress(PendingPrivate(1, 2), 1)
    bo = turn("29:bo")
    await again.load(bo)
    assert await load_progress(prop2, bo) == UserProgress()


async def test_back_twice_steps_back_through_the_questions(db: Database) -> None:
    workshop = await start(db)
    for _ in range(3):
        await flow.advance(db, workshop, "next", actor="29:fie")
    opened = [(await flow.advance(db, workshop, "back", actor="29:fie")).opened for _ in range(2)]
    assert [run.question_id for run in opened if run] == ["q1", "q0"]
    with pytest.raises(WorkshopStateError, match="reason_no_previous"):
        await flow.advance(db, workshop, "back", actor="29:fie")
    step = await flow.advance(db, workshop, "next", actor="29:fie")
    assert step.opened is not None and step.opened.question_id == "q3"


async def test_withdraw_works_in_anonymous_workshops(db: Database) -> None:
    workshop = await start(db, mode="anonymous")
    await flow.advance(db, workshop, "next", actor="29:fie")
    await flow.record(
        db, workshop, user_id="29:a", display_name="A", answer_text="Mit", source="chat"
    )
    await flow.record(
        db, workshop, user_id="29:b", display_name="B", answer_text="Dit", source="chat"
    )
    assert await flow.withdraw(db, workshop, "29:a") == 1
    assert [a.text for a in await answers_repo.answers_for_workshop(db, workshop.id)] == ["Dit"]
