"""`workshopbot transcript import FILE`: store a Teams meeting transcript as a workshop.

The speakers' utterances become answers (source ``transcript``); speakers are
pseudonymised in order of appearance ("Deltager A", …) and their names are not stored; the
facilitator (``--facilitator NAME``, default the first speaker) asks the questions, and
every utterance is attributed to the plan question the facilitator last asked. From then on
``workshopbot summary`` treats the workshop like any other.

The meeting's date: ``--date`` if given, else the date in a .docx transcript's header, else
the meeting is taken to have ended just now. The workshop's start, its question runs and its
answers (start + the utterance's offset) follow it. A transcript names no time zone, so a
date without an offset (``--date`` or the header) is wall-clock time in this machine's local
zone (:meth:`datetime.astimezone`); give ``--date 2026-11-23T10:00+01:00`` to say otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import CommandError

if TYPE_CHECKING:
    from analysis.transcript import Transcript
    from storage.db import Database

__all__ = ["meeting_start", "parse_date_option", "register", "split_text"]

log = logging.getLogger(__name__)

#: Longest answer the storage takes; longer utterances are split at word boundaries.
CHUNK = 3900


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``workshopbot transcript import``."""
    parser = subparsers.add_parser(
        "transcript",
        help="import a Teams meeting transcript (.vtt or .docx) as a workshop",
        description="Workshops held by voice: read the transcript Teams recorded and store "
        "it as a workshop whose answers are the speakers' utterances.",
    )
    sub = parser.add_subparsers(dest="transcript_command", metavar="ACTION", required=True)
    p = sub.add_parser(
        "import",
        help="store a transcript as a new workshop and print its id",
        description="Prints the new workshop's id on standard output.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="a .vtt or .docx transcript")
    p.add_argument("--series", metavar="NAME", help="the series (created if it does not exist)")
    p.add_argument("--plan", metavar="NAME", help="the question plan (stored or built-in id)")
    p.add_argument(
        "--facilitator",
        metavar="NAME",
        action="append",
        default=[],
        help="the facilitator's name as the transcript shows it (repeatable; default: the "
        "first speaker)",
    )
    p.add_argument("--lang", choices=("da", "en"), default="da", help="language (default da)")
    p.add_argument("--org", metavar="NAME", default="", help="the organisation's name")
    p.add_argument("--title", metavar="TEXT", help="the workshop's title (default: the file name)")
    p.add_argument(
        "--date",
        metavar="WHEN",
        help="when the meeting started, ISO: 2026-11-23T10:00 or '2026-11-23 10:00' (local "
        "time unless it has an offset, e.g. +01:00); default: the date in a .docx "
        "transcript's header, else the meeting ended now",
    )
    p.set_defaults(func=run)


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


def _speaker_id(path: Path, speaker: str) -> str:
    # Stable per file and speaker, never the name itself.
    digest = hashlib.sha256(f"{path.name}\0{speaker}".encode()).hexdigest()[:24]
    return f"transcript:{digest}"


def run(args: argparse.Namespace) -> int:
    """Import the transcript."""
    from analysis.transcript import parse_transcript
    from storage.open import run_with_database

    path: Path = args.file
    transcript = parse_transcript(path)
    if not transcript.utterances:
        raise CommandError(f"{path}: the transcript holds no utterances")
    facilitators = list(args.facilitator) or [transcript.speakers[0]]
    known = {s.lower() for s in transcript.speakers}
    missing = [f for f in facilitators if f.lower() not in known]
    if missing:
        raise CommandError(
            f"--facilitator {missing[0]!r} does not speak in {path.name}; the speakers are: "
            + ", ".join(transcript.speakers)
        )
    if not args.facilitator:
        print(f"facilitator: {facilitators[0]} (the first speaker)", file=sys.stderr)
    start = meeting_start(args.date, transcript)
    return run_with_database(lambda db: _store(db, args, transcript, facilitators, start))


#: How far in the future a meeting may end (clocks differ a little); as storage allows.
_CLOCK_SKEW = timedelta(minutes=1)


def parse_date_option(text: str) -> datetime:
    """``--date``'s value as an aware datetime (no offset: this machine's local time).

    Raises:
        CommandError: Not an ISO date (and time); the message names the option.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"--date {text!r} is not an ISO date and time; write e.g. 2026-11-23T10:00, "
            "'2026-11-23 10:00' (local time) or 2026-11-23T10:00+01:00"
        ) from None
    return when if when.tzinfo is not None else when.astimezone()  # naive: local time


def meeting_start(date_option: str | None, transcript: Transcript) -> datetime:
    """When the meeting started: ``--date``, else the transcript's header, else the
    recording's length before now; prints which one it took.

    Raises:
        CommandError: A bad ``--date``, or a date after which the meeting would end in the
            future.
    """
    duration = timedelta(seconds=max((u.end for u in transcript.utterances), default=0.0))
    now = datetime.now().astimezone()
    if date_option is not None:
        start = parse_date_option(date_option)
        source, name = "from --date", f"--date {date_option!r}"
    elif transcript.started_at is not None:
        start = transcript.started_at.astimezone()  # naive: local wall-clock time
        source = "from the transcript's header"
        name = f"the transcript's header date {transcript.started_at:%Y-%m-%d %H:%M}"
    else:
        start = (now - duration).replace(microsecond=0)
        source = "none given and the transcript states none: it ended now; give --date"
        name = ""
    if start + duration > now + _CLOCK_SKEW:
        raise CommandError(
            f"{name}: the meeting would end at {start + duration:%Y-%m-%d %H:%M %Z}, which is in "
            "the future; give the date it was held with --date"
        )
    print(f"meeting date: {start:%Y-%m-%d %H:%M %Z} ({source})", file=sys.stderr)
    return start


async def _store(
    db: Database,
    args: argparse.Namespace,
    transcript: Transcript,
    facilitators: list[str],
    start: datetime,
) -> int:
    from analysis.transcript import attribute_questions, replace_names
    from bot.summaries import TRANSCRIPT_EVENT, TRANSCRIPT_QUESTION_EVENT
    from storage import answers as answers_repo
    from storage import events as events_repo
    from storage import questions as questions_repo
    from storage import series as series_repo
    from storage import workshops as workshops_repo

    path: Path = args.file
    plan = None
    version_id = None
    if args.plan:
        from dialogs.errors import DialogError
        from dialogs.plans import load_plan
        from dialogs.workshop import plan_version_for
        from storage import plans as plans_repo

        try:
            version_id = await plan_version_for(db, args.plan, author="transcript import")
        except DialogError as exc:
            raise CommandError(
                f"--plan {args.plan!r}: {exc}; see `workshopbot plan list`"
            ) from None
        plan = load_plan((await plans_repo.get_plan_version(db, version_id)).text)
    org = args.org.strip() or (plan.organisation if plan is not None else None) or ""
    if not org:
        raise CommandError(
            "give the organisation's name with --org NAME (it fills {org} in the plan's "
            "questions and heads the summary)"
        )
    series_id = None
    if args.series:
        series_id = (await series_repo.get_or_create_series(db, args.series)).id
    workshop = await workshops_repo.create_workshop(
        db,
        org_name=org,
        language=args.lang,
        answer_mode="pseudonymous",
        series_id=series_id,
        plan_version_id=version_id,
        title=args.title or path.stem,
    )
    questions: list[tuple[str, str]] = []
    if plan is not None:
        lang = args.lang if args.lang in plan.languages else plan.default_language
        questions = [(q.id, plan.render(q, lang, org)) for q in plan.questions]
    attributed = attribute_questions(
        transcript, [text for _, text in questions], facilitators=facilitators
    )
    workshop = await workshops_repo.start_workshop(db, workshop.id, started_at=start)
    facilitator_names = {f.lower() for f in facilitators}

    # Question runs, in the order the facilitator asked them.
    spans: list[tuple[int, float]] = []  # (question index, opened at)
    for u in attributed.utterances:
        if u.question_index is not None and (not spans or spans[-1][0] != u.question_index):
            spans.append((u.question_index, u.start))
    end_of_recording = max(u.end for u in attributed.utterances)
    run_ids: list[int] = []
    for i, (index, opened) in enumerate(spans):
        qid, text = questions[index]
        run = await questions_repo.open_question(
            db, workshop.id, qid, text, opened_at=start + timedelta(seconds=opened)
        )
        closed = spans[i + 1][1] if i + 1 < len(spans) else end_of_recording
        await questions_repo.close_question(db, run.id, closed_at=start + timedelta(seconds=closed))
        await events_repo.log_event(
            db,
            workshop.id,
            TRANSCRIPT_QUESTION_EVENT,
            data={"run_id": run.id, "opened_offset": opened, "closed_offset": closed},
        )
        run_ids.append(run.id)

    # Names said aloud are personal data too: replace them by the pseudonyms the
    # speakers get (storage numbers them in order of first answer = appearance).
    from storage.participants import pseudonym_label

    speakers = [s for s in transcript.speakers if s.lower() not in facilitator_names]
    names = {s: pseudonym_label(i, args.lang) or s for i, s in enumerate(speakers, start=1)}
    names.update({f: "Facilitator" for f in facilitators})
    stored = 0
    span_index = -1
    for u in attributed.utterances:
        while span_index + 1 < len(spans) and u.start >= spans[span_index + 1][1]:
            span_index += 1
        if u.speaker.lower() in facilitator_names:
            continue
        run_id = run_ids[span_index] if span_index >= 0 else None
        said = replace_names(u.text, names)
        for part, piece in enumerate(split_text(said)):
            await answers_repo.record_answer(
                db,
                workshop_id=workshop.id,
                user_id=_speaker_id(path, u.speaker),
                text=piece,
                source="transcript",
                activity_id=f"transcript:{u.line}:{part}",
                question_run_id=run_id,
                created_at=start + timedelta(seconds=u.start),
            )
            stored += 1
    await workshops_repo.end_workshop(
        db, workshop.id, ended_at=start + timedelta(seconds=end_of_recording)
    )
    await events_repo.log_event(
        db,
        workshop.id,
        TRANSCRIPT_EVENT,
        data={
            "file": path.name,
            "format": transcript.format,
            "duration": end_of_recording,
            "utterances": len(attributed.utterances),
            "answers": stored,
            "questions": len(spans),
            "facilitator_seconds": sum(
                u.end - u.start
                for u in attributed.utterances
                if u.speaker.lower() in facilitator_names
            ),
        },
    )
    log.info(
        "imported %s: %d answers, %d question runs, %d speakers",
        path.name,
        stored,
        len(spans),
        len(transcript.speakers),
    )
    print(workshop.id)
    return 0
