"""`workshopbot transcript import FILE`: store a Teams meeting transcript as a workshop.

The transcript is cut into question runs (:func:`analysis.transcript.structure_transcript`):
the facilitator (``--facilitator NAME``, else the speaker who leads: opens, asks what others answer, moderates; the
import says which) opens a run with each question, matched to the plan's questions when a
plan is given, else an ad-hoc question. Participants' speech until the next question is
that question's answers (one speaker's consecutive cues merged); the facilitator's other
words are stored with the run as remarks, never as answers. Speakers are pseudonymised in
order of their first answer ("Deltager A", …); names said aloud become the pseudonyms and
nothing else in a quote changes. Everything is stored in ONE transaction
(:func:`storage.imports.import_meeting`): a killed import leaves nothing behind. From then
on ``workshopbot summary`` treats the workshop like any other.

The meeting's date: ``--date`` if given, else the date in a .docx transcript's header, else
the meeting is taken to have ended just now. The workshop's start, its question runs and its
answers (start + the utterance's offset) follow it. A transcript names no time zone, so a
date without an offset (``--date`` or the header) is wall-clock time in this machine's local
zone (:meth:`datetime.astimezone`); give ``--date 2026-11-23T10:00+01:00`` to say otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import CommandError

if TYPE_CHECKING:
    from analysis.transcript import Transcript
    from storage.db import Database

__all__ = ["meeting_start", "parse_date_option", "register"]

log = logging.getLogger(__name__)


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
        "speaker who leads the meeting — opens it, asks what several others answer, "
        "moderates — which the import prints)",
    )
    p.add_argument(
        "--lang",
        choices=("da", "en"),
        default=None,
        help="force the language; default: detected from the participants' speech (a "
        "transcript in neither Danish nor English is refused)",
    )
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


def run(args: argparse.Namespace) -> int:
    """Import the transcript."""
    from analysis.transcript import parse_transcript
    from storage.open import run_with_database

    path: Path = args.file
    transcript = parse_transcript(path)
    if not transcript.utterances:
        raise CommandError(f"{path}: the transcript holds no utterances")
    # The transcript's language: --lang (the language engineer's detection goes here).
    known = {s.lower() for s in transcript.speakers}
    missing = [f for f in args.facilitator if f.lower() not in known]
    if missing:
        raise CommandError(
            f"--facilitator {missing[0]!r} does not speak in {path.name}; the speakers are: "
            + ", ".join(transcript.speakers)
        )
    from analysis.transcript import guess_facilitators

    facilitators = list(args.facilitator) or list(guess_facilitators(transcript))
    if args.facilitator:
        print(f"facilitator: {', '.join(facilitators)} (--facilitator)", file=sys.stderr)
    else:
        print(
            f"facilitator: {facilitators[0]} (leads the meeting: opens it, asks what others answer; give --facilitator "
            "NAME to choose another)",
            file=sys.stderr,
        )
    start = meeting_start(args.date, transcript)
    if args.lang is None:  # detected from what the participants said
        args.lang = _detected_language(path, transcript, facilitators)
    return run_with_database(lambda db: _store(db, args, transcript, facilitators, start))


def _detected_language(path: Path, transcript: Transcript, facilitators: list[str]) -> str:
    """The transcript's language (printed), or a refusal naming what was found."""
    from analysis.language import UnsupportedLanguage, transcript_language

    try:
        found = transcript_language(transcript, facilitators)
    except UnsupportedLanguage as exc:
        raise CommandError(f"{path.name}: {exc}") from None
    how = found.note or "detected from the participants' speech"
    print(f"language: {found.name} ({how}; --lang forces one)", file=sys.stderr)
    return str(found.lang)


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
    chosen: list[str],
    start: datetime,
) -> int:
    from dialogs.transcript_import import ImportRefused, TranscriptRequest, import_transcript

    path: Path = args.file
    request = TranscriptRequest(
        file_name=path.name,
        lang=args.lang,
        start=start,
        facilitators=chosen,
        facilitators_given=bool(args.facilitator),
        org=args.org,
        plan=args.plan,
        series=args.series,
        title=args.title or path.stem,
    )
    try:
        done = await import_transcript(db, transcript, request)
    except ImportRefused as exc:
        raise CommandError(str(exc)) from None
    message = (
        f"imported {path.name}: {done.answers} answers, {done.runs} question runs "
        f"({done.planned} from the plan, {done.adhoc} ad hoc), {done.participants} participants"
    )
    log.info(message)
    print(message, file=sys.stderr)
    print(done.workshop_id)
    return 0
