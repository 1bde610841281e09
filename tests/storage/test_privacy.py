from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import answers, botstate, participants, privacy, questions, summaries, workshops
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.privacy import REMOVED, scrub_summary


async def _workshop_with_two_people(
    db: Database, mode: str = "pseudonymous"
) -> tuple[int, list[int]]:
    w = await workshops.create_workshop(
        db, org_name="HK", answer_mode=mode, facilitators=["29:fac"]
    )  # type: ignore[arg-type]
    await workshops.start_workshop(db, w.id, actor_user_id="29:ann")
    run = await questions.open_question(db, w.id, "q1", "Hvad er værdierne?")
    ids = []
    for user, name, text in [
        ("29:ann", "Ann Hansen", "Vi skal dele viden fra opgaverne med hinanden"),
        ("29:bo", "Bo Berg", "Lederne skal spørge ind efter kurset"),
        ("29:ann", "Ann Hansen", "ja"),
    ]:
        got = await answers.record_answer(
            db,
            workshop_id=w.id,
            user_id=user,
            display_name=name,
            text=text,
            source="chat",
            question_run_id=run.id,
        )
        ids.append(got.answer.id)
    return w.id, ids


async def test_forget_user_removes_answers_identity_and_quotes(db: Database) -> None:
    wid, (ann1, bo1, _ann2) = await _workshop_with_two_people(db)
    data = {
        "quotes": [
            {
                "answer_id": ann1,
                "pseudonym": "Deltager A",
                "text": "Vi skal dele viden fra opgaverne med hinanden",
            },
            {
                "answer_id": bo1,
                "pseudonym": "Deltager B",
                "text": "Lederne skal spørge ind efter kurset",
            },
        ],
        "themes": [
            {"title": "Deling", "answer_ids": [ann1, bo1], "note": "Deltager A foreslog deling"}
        ],
        "proposals": [{"speaker": "Deltager A", "text": "deling"}],
    }
    markdown = (
        "# Hvad så?\n"
        "> «Vi skal dele viden fra opgaverne med hinanden» — Deltager A (00:00:00)\n"
        "> «Lederne skal spørge ind efter kurset» — Deltager B\n"
        "Deltager AB is not Deltager A.\n"
        "Nyt siden sidst: mere om ledere.\n"
    )
    await summaries.save_summary(db, wid, data=data, markdown=markdown)
    await botstate.write_state(
        db,
        {
            "msteams/users/29:ann": ("{}", None),
            "msteams/users/29:bo": ("{}", None),
            "msteams/conversations/c": ("{}", None),
        },
    )

    report = await privacy.forget_user(db, "29:ann")

    assert (report.participants, report.answers, report.summaries_scrubbed) == (1, 2, 1)
    assert (
        report.facilitator_rows == 0
        and report.events_anonymised == 1
        and report.bot_state_keys == 1
    )
    left = await answers.answers_for_workshop(db, wid, include_withdrawn=True)
    assert [a.id for a in left] == [bo1]
    assert await participants.find_participant(db, wid, "29:ann") is None
    (bo,) = await participants.list_participants(db, wid)
    assert bo.pseudonym == "Deltager B", "others keep their pseudonyms"
    summary = await summaries.latest_summary(db, wid)
    assert summary is not None and summary.scrubbed_at is not None
    text = json.dumps(summary.data, ensure_ascii=False) + summary.markdown
    assert "Vi skal dele viden" not in text
    assert "Deltager A" not in text.replace("Deltager AB", "")
    assert "Lederne skal spørge ind efter kurset" in text, "other people's quotes stay"
    assert summary.data["themes"][0]["answer_ids"] == [bo1]
    assert "Nyt siden sidst" in summary.markdown
    assert await botstate.read_state(
        db, ["msteams/users/29:ann", "msteams/users/29:bo", "msteams/conversations/c"]
    ) == {
        "msteams/users/29:bo": (
            "{}",
            (await botstate.read_state(db, ["msteams/users/29:bo"]))["msteams/users/29:bo"][1],
        ),
        "msteams/conversations/c": (
            "{}",
            (await botstate.read_state(db, ["msteams/conversations/c"]))["msteams/conversations/c"][
                1
            ],
        ),
    }


async def test_forget_user_works_in_anonymous_mode_and_for_facilitators(db: Database) -> None:
    wid, (_, bo1, _) = await _workshop_with_two_people(db, mode="anonymous")
    await workshops.add_facilitator(db, wid, "29:ann")
    report = await privacy.forget_user(db, "29:ann")
    assert (report.participants, report.answers, report.facilitator_rows) == (1, 2, 1)
    assert [a.id for a in await answers.answers_for_workshop(db, wid)] == [bo1]
    assert not await workshops.is_facilitator(db, wid, "29:ann")


async def test_forget_user_removes_state_that_names_them_in_its_values(db: Database) -> None:
    """A dialog in progress or a conversation's state may hold the person's id as a value
    (not in its key): that state goes too; state that names someone else stays."""
    dialog = {"dialog_state": {"stack": [{"id": "reword", "state": {"author": "29:ann"}}]}}
    await botstate.write_state(
        db,
        {
            "msteams/conversations/a:1on1-xyz": (json.dumps(dialog), None),
            "msteams/conversations/a:1on1-anne": (json.dumps({"author": "29:anne"}), None),
            "msteams/conversations/19:group": (json.dumps({"workshop_id": 3}), None),
            "msteams/users/29:bo": (json.dumps({"seen": "29:bo"}), None),
        },
    )
    report = await privacy.forget_user(db, "29:ann")
    assert report.bot_state_keys == 1
    left = await botstate.read_state(
        db,
        [
            "msteams/conversations/a:1on1-xyz",
            "msteams/conversations/a:1on1-anne",
            "msteams/conversations/19:group",
            "msteams/users/29:bo",
        ],
    )
    assert sorted(left) == [
        "msteams/conversations/19:group",
        "msteams/conversations/a:1on1-anne",
        "msteams/users/29:bo",
    ]


async def test_forgetting_an_unknown_user_removes_nothing(db: Database) -> None:
    wid, ids = await _workshop_with_two_people(db)
    report = await privacy.forget_user(db, "29:nobody")
    assert (report.participants, report.answers, report.summaries_scrubbed) == (0, 0, 0)
    assert len(await answers.answers_for_workshop(db, wid)) == len(ids)


def test_scrub_summary_leaves_unrelated_text_alone() -> None:
    data = {"a": ["Deltager AB sagde noget", {"pseudonym": "Deltager B"}], "n": 3}
    new, md, changed = scrub_summary(
        data, "Deltager AB\n", answer_ids={1}, names={"Deltager A"}, texts={"ja"}
    )
    assert (new, md, changed) == (data, "Deltager AB\n", False)
    new, md, changed = scrub_summary(
        {"t": "som Deltager A sagde"}, "", answer_ids=set(), names={"Deltager A"}, texts=set()
    )
    assert changed and new == {"t": f"som {REMOVED} sagde"}


async def test_export_writes_json_and_csv(db: Database, tmp_path: Path) -> None:
    wid, ids = await _workshop_with_two_people(db)
    await answers.withdraw_answer(db, ids[2])
    export = await privacy.export_workshop(db, wid)
    assert [a.id for a in export.answers] == ids
    json_path, csv_path = privacy.write_export(export, tmp_path / "out")
    payload = json.loads(json_path.read_text(encoding="utf-8"))
    assert payload["workshop"]["id"] == wid
    assert [a["text"] for a in payload["answers"]][:2] == [
        "Vi skal dele viden fra opgaverne med hinanden",
        "Lederne skal spørge ind efter kurset",
    ]
    assert payload["answers"][0]["offset"] == export.answers[0].offset
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["answer_id"] for row in rows] == [str(i) for i in ids]
    assert rows[1]["participant"] == "Deltager B"
    assert rows[1]["question_text"] == "Hvad er værdierne?"
    assert rows[2]["withdrawn_at"] != ""
    with pytest.raises(NotFound):
        await privacy.export_workshop(db, 999)


async def test_purge_removes_only_old_workshops(db: Database) -> None:
    old_id, _ = await _workshop_with_two_people(db)
    await workshops.end_workshop(db, old_id)
    new_id, _ = await _workshop_with_two_people(db)
    old = await workshops.get_workshop(db, old_id)
    assert old.ended_at is not None
    nothing = await privacy.purge_older_than(db, 30)
    assert nothing.workshops == 0
    report = await privacy.purge_older_than(db, 30, now=old.ended_at + timedelta(days=31))
    # the newer workshop never ended and was created after the old one ended: also older than 30 days then
    assert set(report.workshop_ids) == {old_id, new_id}
    assert report.answers == 6 and report.participants == 4
    report2 = await privacy.purge_older_than(db, 30)
    assert report2.workshops == 0
    with pytest.raises(NotFound):
        await workshops.get_workshop(db, old_id)


async def test_purge_keeps_recent(db: Database) -> None:
    wid, _ = await _workshop_with_two_people(db)
    w = await workshops.get_workshop(db, wid)
    report = await privacy.purge_older_than(db, 30, now=w.created_at + timedelta(days=29))
    assert report.workshops == 0
    assert len(await answers.answers_for_workshop(db, wid)) == 3


@pytest.mark.parametrize("days", [0, -3, "7", True], ids=["zero", "negative", "text", "bool"])
async def test_purge_refuses_bad_days(db: Database, days: object) -> None:
    with pytest.raises(InvalidInput):
        await privacy.purge_older_than(db, days)  # type: ignore[arg-type]


def test_retention_setting() -> None:
    assert privacy.retention_days_from_env({}) is None
    assert privacy.retention_days_from_env({"WORKSHOPBOT_RETENTION_DAYS": "90"}) == 90
    with pytest.raises(InvalidInput, match="WORKSHOPBOT_RETENTION_DAYS"):
        privacy.retention_days_from_env({"WORKSHOPBOT_RETENTION_DAYS": "soon"})


def test_scrub_summary_handles_the_summary_export_format() -> None:
    """The keys analysis.summary.export.to_dict writes: answer_id(s), pseudonym, speaker,
    target_answer_id, participants."""
    data = {
        "format": "workshopbot-summary/1",
        "participants": ["Deltager A", "Deltager B"],
        "questions": [
            {
                "quotes": [
                    {
                        "answer_id": 1,
                        "pseudonym": "Deltager A",
                        "text": "Viden forsvinder når folk går",
                    },
                    {"answer_id": 2, "pseudonym": "Deltager B", "text": "Enig"},
                ]
            }
        ],
        "signals": [{"answer_id": 2, "speaker": "Deltager B", "target_answer_id": 1}],
        "participation": [
            {"pseudonym": "Deltager A", "answers": 1},
            {"pseudonym": "Deltager B", "answers": 1},
        ],
    }
    new, _, changed = scrub_summary(
        data, "", answer_ids={1}, names={"Deltager A"}, texts={"Viden forsvinder når folk går"}
    )
    assert changed
    assert new["participants"] == ["Deltager B"]
    assert [q["answer_id"] for q in new["questions"][0]["quotes"]] == [2]
    assert new["signals"] == [{"answer_id": 2, "speaker": "Deltager B", "target_answer_id": None}]
    assert new["participation"] == [{"pseudonym": "Deltager B", "answers": 1}]


async def test_purge_removes_stale_bot_state(db: Database) -> None:
    await botstate.write_state(db, {"old": ("{}", None), "new": ("{}", None)})
    async with db.transaction() as conn:
        from sqlalchemy import text

        await conn.execute(
            text("UPDATE bot_state SET updated_at = :t WHERE key = 'old'"),
            {"t": datetime.now(UTC) - timedelta(days=40)},
        )
    report = await privacy.purge_older_than(db, 30)
    assert report.bot_state_keys == 1
    assert set(await botstate.read_state(db, ["old", "new"])) == {"new"}
