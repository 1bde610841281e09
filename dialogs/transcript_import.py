"""Store a structured meeting transcript as a workshop: the use case behind
``workshopbot transcript import`` (the command line only reads options and prints).

The transcript is cut into question runs (:func:`analysis.transcript.structure_transcript`);
the facilitators' questions open runs, matched to the plan's questions when a plan is given,
else stored as ad-hoc questions. Speakers are pseudonymised in order of their first answer;
names said aloud become the pseudonyms and nothing else in a quote changes. Everything is
written in ONE transaction (:func:`storage.imports.import_meeting`): a killed import leaves
nothing behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from analysis.redact import NameReplacer
from analysis.summary.from_transcript import adhoc_question_id
from analysis.transcript import Transcript, Utterance, structure_transcript
from dialogs.errors import DialogError
from dialogs.plans import Plan, load_plan
from dialogs.summaries import TRANSCRIPT_EVENT, TRANSCRIPT_QUESTION_EVENT
from dialogs.workshop import plan_version_for
from storage import plans as plans_repo
from storage.answers import MAX_ANSWER_CHARS
from storage.errors import StorageError
from storage.imports import ImportedAnswer, ImportedRun, MeetingImport, import_meeting
from storage.participants import pseudonym_label

if TYPE_CHECKING:
    from storage.db import Database

__all__ = [
    "CHUNK",
    "ImportRefused",
    "Imported",
    "TranscriptRequest",
    "import_transcript",
    "speaker_id",
    "split_text",
]

#: Longest piece an utterance is stored as (under the storage's limit); longer utterances
#: are split at word boundaries.
CHUNK = MAX_ANSWER_CHARS - 100


class ImportRefused(DialogError):
    """The import cannot go ahead (unknown plan, no organisation, storage refused); its
    message says what to give instead. Nothing was stored."""


@dataclass(frozen=True)
class TranscriptRequest:
    """What the person importing chose (the command line's options, checked)."""

    file_name: str
    lang: str
    start: datetime
    facilitators: list[str]
    facilitators_given: bool
    org: str = ""
    plan: str | None = None
    series: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Imported:
    """What was stored."""

    workshop_id: int
    answers: int
    runs: int
    planned: int
    adhoc: int
    participants: int


def split_text(text: str, limit: int = CHUNK) -> list[str]:
    """Split a long utterance into pieces of at most ``limit`` characters at spaces."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def speaker_id(file_name: str, speaker: str) -> str:
    """A speaker's stable id: per file and speaker, never the name itself."""
    digest = hashlib.sha256(f"{file_name}\0{speaker}".encode()).hexdigest()[:24]
    return f"transcript:{digest}"


async def _plan_questions(
    db: Database, request: TranscriptRequest
) -> tuple[int | None, Plan | None, list[tuple[str, str]], str]:
    """The plan version (stored first: plan versions are shared, not part of the import),
    the plan, its questions as asked (id, text) and the organisation's name."""
    plan = None
    version_id = None
    if request.plan:
        try:
            version_id = await plan_version_for(db, request.plan, author="transcript import")
        except DialogError as exc:
            raise ImportRefused(
                f"--plan {request.plan!r}: {exc}; see `workshopbot plan list`"
            ) from None
        plan = load_plan((await plans_repo.get_plan_version(db, version_id)).text)
    org = request.org.strip() or (plan.organisation if plan is not None else None) or ""
    if not org:
        raise ImportRefused(
            "give the organisation's name with --org NAME (it fills {org} in the plan's "
            "questions and heads the summary)"
        )
    questions: list[tuple[str, str]] = []
    if plan is not None:
        lang = request.lang if request.lang in plan.languages else plan.default_language
        questions = [(q.id, plan.render(q, lang, org)) for q in plan.questions]
    return version_id, plan, questions, org


async def import_transcript(
    db: Database, transcript: Transcript, request: TranscriptRequest
) -> Imported:
    """Store ``transcript`` as one ended workshop, in one transaction.

    Raises:
        ImportRefused: With what to give instead; nothing was stored.
    """
    start = request.start
    version_id, _plan, questions, org = await _plan_questions(db, request)
    structure = structure_transcript(
        transcript, [text for _, text in questions], facilitators=request.facilitators
    )
    facilitators = structure.facilitators

    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    # Answers in time order: open discussion before the first question, then each run.
    utterances: list[tuple[int | None, Utterance]] = [(None, u) for u in structure.before]
    utterances += [(i, u) for i, turn in enumerate(structure.turns) for u in turn.answers]
    # Pseudonyms as storage will number them (order of first answer); names said aloud
    # become them, and the facilitators "Facilitator". Only names change in a quote.
    order = list(dict.fromkeys(u.speaker for _, u in utterances))
    names = {s: pseudonym_label(n, request.lang) or s for n, s in enumerate(order, start=1)}
    names.update({f: "Facilitator" for f in facilitators})
    names.update(
        {
            s: "Facilitator"
            for s in transcript.speakers
            if s.lower() in {f.lower() for f in facilitators}
        }
    )
    replacer = NameReplacer(names, lang=request.lang)

    def clean(text: str) -> str:
        return replacer.replace(text)[0]

    runs: list[ImportedRun] = []
    adhoc = planned = 0
    for turn in structure.turns:
        if turn.index is not None:
            qid, text = questions[turn.index]
            planned += 1
        else:
            adhoc += 1
            qid, text = adhoc_question_id(adhoc), clean(turn.asked)
        runs.append(
            ImportedRun(
                question_id=qid,
                text=text,
                opened_at=at(turn.start),
                closed_at=at(turn.end),
                event_data={
                    # Silence is measured from the end of the asking.
                    "opened_offset": turn.asked_end,
                    "closed_offset": turn.end,
                    "remarks": [[r.start, clean(r.text)] for r in turn.remarks],
                },
            )
        )
    answers = [
        ImportedAnswer(
            user_id=speaker_id(request.file_name, u.speaker),
            text=piece,
            created_at=at(u.start),
            activity_id=f"transcript:{u.line}:{part}",
            run_index=run_index,
        )
        for run_index, u in utterances
        for part, piece in enumerate(split_text(clean(u.text)))
    ]
    meeting = MeetingImport(
        org_name=org,
        language=request.lang,
        title=request.title or request.file_name.rsplit(".", 1)[0],
        started_at=start,
        ended_at=at(structure.duration),
        runs=runs,
        answers=answers,
        series_name=request.series,
        plan_version_id=version_id,
        question_event=TRANSCRIPT_QUESTION_EVENT,
        events=[
            (
                TRANSCRIPT_EVENT,
                {
                    "file": request.file_name,
                    "format": transcript.format,
                    "duration": structure.duration,
                    "utterances": len(transcript.utterances),
                    "answers": len(answers),
                    "questions": len(runs),
                    "facilitator_seconds": structure.facilitator_seconds,
                    "facilitator": "given" if request.facilitators_given else "leads the meeting",
                },
            )
        ],
    )
    try:
        workshop_id = await import_meeting(db, meeting)
    except StorageError as exc:
        raise ImportRefused(f"{request.file_name}: nothing was stored: {exc}") from None
    return Imported(
        workshop_id=workshop_id,
        answers=len(answers),
        runs=len(runs),
        planned=planned,
        adhoc=adhoc,
        participants=len(order),
    )
