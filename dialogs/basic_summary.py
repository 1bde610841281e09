"""The basic summary of a workshop: per question the answers with offsets and pseudonyms.

:func:`basic_summary` is pure: it takes plain records (the workshop, its question runs,
answers and participants, as ``storage`` returns them) and returns a :class:`BasicSummary`.
:func:`gather` reads those records from storage.

It is data only, no card: the bot has one summary, the "what now" card
(:mod:`dialogs.summaries`). The load benchmark uses this one to check that every stored
answer is counted.

Privacy: the group audience never sees private answers' text (they are counted); anonymous
workshops show no names or pseudonyms; who has not answered is listed by pseudonym only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dialogs.texts import text
from storage import answers as answers_repo
from storage import participants as participants_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.db import Database
from storage.records import (
    AnswerRecord,
    ParticipantRecord,
    QuestionRunRecord,
    WorkshopRecord,
    format_offset,
)

__all__ = [
    "Audience",
    "BasicSummary",
    "SummaryAnswer",
    "SummaryInputs",
    "SummaryQuestion",
    "basic_summary",
    "gather",
]

Audience = Literal["group", "facilitator"]


@dataclass(frozen=True)
class SummaryAnswer:
    """One answer as the summary shows it."""

    offset: str
    who: str
    text: str
    private: bool


@dataclass(frozen=True)
class SummaryQuestion:
    """One question: its answers, counts and who did not answer (pseudonyms)."""

    question_id: str
    text: str
    answers: tuple[SummaryAnswer, ...]
    count: int
    private_count: int
    hidden_private: int
    missing: tuple[str, ...]
    parked: bool


@dataclass(frozen=True)
class BasicSummary:
    """The whole basic summary."""

    title: str
    language: str
    audience: Audience
    questions: tuple[SummaryQuestion, ...]
    discussion: tuple[SummaryAnswer, ...]
    answer_count: int
    participant_count: int
    duration: str


@dataclass(frozen=True)
class SummaryInputs:
    """The records a summary is made from."""

    workshop: WorkshopRecord
    runs: tuple[QuestionRunRecord, ...]
    answers: tuple[AnswerRecord, ...]
    participants: tuple[ParticipantRecord, ...]


async def gather(db: Database, workshop_id: int) -> SummaryInputs:
    """Read a workshop's records for :func:`basic_summary` (withdrawn answers left out)."""
    workshop = await workshops_repo.get_workshop(db, workshop_id)
    return SummaryInputs(
        workshop=workshop,
        runs=await questions_repo.list_question_runs(db, workshop_id),
        answers=await answers_repo.answers_for_workshop(db, workshop_id),
        participants=await participants_repo.list_participants(db, workshop_id),
    )


def _who(answer: AnswerRecord, workshop: WorkshopRecord, lang: str) -> str:
    if workshop.answer_mode == "anonymous":
        return text("anonymous", lang)
    if workshop.answer_mode == "named" and answer.display_name:
        return answer.display_name
    return answer.pseudonym or text("anonymous", lang)


def basic_summary(
    inputs: SummaryInputs, *, audience: Audience = "group", lang: str | None = None
) -> BasicSummary:
    """Build the basic summary from plain records.

    Args:
        inputs: The workshop's records.
        audience: ``"group"`` hides private answers' text; ``"facilitator"`` shows it,
            marked private.
        lang: The language (default: the workshop's).

    Returns:
        Per question (in the order asked; a question asked twice is merged) the answers with
        offsets and who, counts, and the pseudonyms of participants who did not answer.
    """
    workshop = inputs.workshop
    lang = lang or workshop.language
    answers = [a for a in inputs.answers if not a.withdrawn]
    by_question: dict[str, list[AnswerRecord]] = {}
    run_question = {run.id: run.question_id for run in inputs.runs}
    discussion: list[SummaryAnswer] = []
    for answer in answers:
        qid = run_question.get(answer.question_run_id) if answer.question_run_id else None
        if qid is None:
            if answer.private and audience == "group":
                continue
            discussion.append(_summary_answer(answer, workshop, lang))
            continue
        by_question.setdefault(qid, []).append(answer)

    order: list[str] = []
    texts: dict[str, str] = {}
    parked: dict[str, bool] = {}
    for run in inputs.runs:
        if run.question_id not in texts:
            order.append(run.question_id)
        texts[run.question_id] = run.question_text
        parked[run.question_id] = run.parked and not run.is_open

    pseudonyms = {p.id: p.pseudonym for p in inputs.participants if p.pseudonym}
    answering = {a.participant_id for a in answers}
    questions = []
    for qid in order:
        given = by_question.get(qid, [])
        shown = [
            _summary_answer(a, workshop, lang)
            for a in given
            if not (a.private and audience == "group")
        ]
        who_answered = {a.participant_id for a in given}
        private_count = sum(1 for a in given if a.private)
        missing: tuple[str, ...] = ()
        # With private answers hidden, who did not answer would tell the group who did
        # privately (the one neither quoted nor missing): the group is not told either.
        if workshop.answer_mode != "anonymous" and not (audience == "group" and private_count):
            missing = tuple(
                pseudonyms[p] for p in sorted(answering - who_answered) if p in pseudonyms
            )
        questions.append(
            SummaryQuestion(
                question_id=qid,
                text=texts[qid],
                answers=tuple(shown),
                count=len(given),
                private_count=private_count,
                hidden_private=private_count if audience == "group" else 0,
                missing=missing,
                parked=parked[qid],
            )
        )
    duration = "00:00:00"
    if workshop.started_at is not None:
        end = workshop.ended_at or max((a.created_at for a in answers), default=workshop.started_at)
        duration = format_offset(int((end - workshop.started_at).total_seconds()))
    return BasicSummary(
        title=workshop.title or workshop.org_name,
        language=lang,
        audience=audience,
        questions=tuple(questions),
        discussion=tuple(discussion),
        answer_count=len(answers),
        participant_count=len(answering),
        duration=duration,
    )


def _summary_answer(answer: AnswerRecord, workshop: WorkshopRecord, lang: str) -> SummaryAnswer:
    return SummaryAnswer(
        offset=format_offset(answer.offset_seconds),
        who=_who(answer, workshop, lang),
        text=answer.text,
        private=answer.private,
    )
