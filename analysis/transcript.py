"""Teams meeting transcripts: WebVTT and the .docx Teams exports, as speaker utterances.

WebVTT (what Teams' "Download as .vtt" gives)::

    WEBVTT

    0f1c2d3e-1/12-0
    00:00:03.120 --> 00:00:07.450
    <v Mette Hansen>Velkommen til workshoppen.</v>

The .docx export holds, per utterance, a speaker line, a timestamp line and the text::

    Mette Hansen   0:03           (or "Mette Hansen" then "00:00:03")
    Velkommen til workshoppen.

The paragraphs before the first speaker line are the title block; Teams writes the
meeting's date there ("November 23, 2026, 10:03AM", "23. november 2026 10.03", …), which
becomes :attr:`Transcript.started_at` (see :func:`parse_header_date`). WebVTT has no date.

Consecutive cues of the same speaker are one utterance (unless a silence of more than
:data:`MERGE_GAP` seconds lies between them). Malformed files fail with
:class:`TranscriptError` naming the line (or paragraph) and what was expected there.

Utterances are attributed to a plan's questions where the facilitator's words match a
question's text (:func:`attribute_questions`).
"""

from __future__ import annotations

import difflib
import functools
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.file_limits import FileLimitError, check_docx_package, check_file_size

__all__ = [
    "QuestionTurn",
    "Transcript",
    "TranscriptError",
    "TranscriptStructure",
    "Utterance",
    "attribute_questions",
    "guess_facilitators",
    "parse_docx",
    "parse_header_date",
    "parse_transcript",
    "parse_vtt",
    "question_sentences",
    "reask_evidence",
    "replace_names",
    "structure_transcript",
]

_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
# Bounded name (and class) lengths keep the search linear: with ``[^>]+`` a line of many
# "<v " without ">" made it quadratic (a 100 KB line took over 15 s).
_VOICE = re.compile(r"<v(?:\.[^ <>\n]{0,100})?\s+([^<>\n]{1,200})>(.*?)(?:</v>|$)", re.DOTALL)
#: Longest text of one cue (a Teams cue is a sentence or two; a whole speech is < 10 000).
MAX_CUE_CHARS = 20_000
#: Largest transcript file read (a three-hour Teams meeting: about 2 MB).
MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024
_TAG = re.compile(r"</?[^>]+>")
# A docx header line: "Name   0:03", "Name 1:02:03", or a bare timestamp line.
_DOCX_HEAD = re.compile(rf"^(?P<name>.+?)\s+(?P<time>{_TIME})\s*$")
_DOCX_TIME = re.compile(rf"^\s*(?P<time>{_TIME})(?:\s*-->\s*{_TIME})?\s*$")
# Older exports (Microsoft Stream) put the cue first: "0:0:3.120 --> 0:0:7.450", then the
# speaker, then the text; seconds may have one digit there.
_STREAM_TIME = re.compile(
    r"^\s*(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*-->\s*"
    r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$"
)


class TranscriptError(AnalysisError):
    """A transcript cannot be read; the message names the line and what was expected."""


@dataclass(frozen=True)
class Utterance:
    """What one speaker said without interruption.

    Attributes:
        speaker: The name as the transcript shows it.
        start / end: Seconds from the meeting's start.
        text: The words.
        line: Where it starts in the file (line for VTT, paragraph for docx), 1-based.
        question_index: The plan question it answers (index into the plan's questions).
    """

    speaker: str
    start: float
    end: float
    text: str
    line: int
    question_index: int | None = None


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript."""

    utterances: tuple[Utterance, ...]
    format: str
    #: When the meeting started, from a .docx title block: naive wall-clock time as the
    #: transcript writes it (it names no time zone); None when the file gives no date
    #: (always for WebVTT). Whoever stores it decides the zone.
    started_at: datetime | None = None

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        return tuple(dict.fromkeys(u.speaker for u in self.utterances))


def _seconds(groups: Sequence[str | None]) -> float:
    hours, minutes, seconds, millis = groups
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
    return total + (int((millis or "0").ljust(3, "0")) / 1000.0)


#: Consecutive cues of one speaker further apart than this (seconds) stay two utterances:
#: a facilitator's question, a silence, then "Ja så blev der meget stille" is not one turn.
MERGE_GAP = 8.0


def _merge(raw: Iterable[Utterance], *, max_gap: float | None = MERGE_GAP) -> tuple[Utterance, ...]:
    merged: list[Utterance] = []
    for u in raw:
        if not u.text:
            continue
        if (
            merged
            and merged[-1].speaker == u.speaker
            and (max_gap is None or u.start - merged[-1].end <= max_gap)
        ):
            last = merged[-1]
            merged[-1] = replace(last, end=max(last.end, u.end), text=f"{last.text} {u.text}")
        else:
            merged.append(u)
    return tuple(merged)


def parse_vtt(text: str) -> Transcript:
    """Parse a WebVTT transcript with ``<v Speaker>`` voice tags.

    Args:
        text: The file's text.

    Returns:
        The utterances, consecutive cues of one speaker merged.

    Raises:
        TranscriptError: The header, a cue timing or a voice tag is missing or malformed.
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].startswith("WEBVTT"):
        found = lines[0][:40] if lines else "an empty file"
        raise TranscriptError(f"line 1: expected 'WEBVTT' to start a WebVTT file, found {found!r}")
    raw: list[Utterance] = []
    i = 1
    n = len(lines)
    while i < n:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if line.startswith(("NOTE", "STYLE", "REGION")):
            while i < n and lines[i].strip():
                i += 1
            continue
        timing = _CUE.match(line)
        cue_line = i + 1
        if timing is None:
            # A cue identifier line, then the timing must follow.
            if i + 1 < n and _CUE.match(lines[i + 1].strip()):
                i += 1
                timing = _CUE.match(lines[i].strip())
                cue_line = i + 1
            else:
                raise TranscriptError(
                    f"line {i + 2 if i + 1 < n else i + 1}: expected a cue timing "
                    "'hh:mm:ss.mmm --> hh:mm:ss.mmm' after the cue id "
                    f"{line[:40]!r}"
                )
        assert timing is not None
        groups = timing.groups()
        for part in (groups[0:4], groups[4:8]):
            if int(part[1]) > 59 or int(part[2]) > 59:
                raise TranscriptError(
                    f"line {cue_line}: impossible timestamp in the cue timing "
                    f"{lines[cue_line - 1].strip()[:60]!r}: minutes and seconds run from 00 to 59"
                )
        start, end = _seconds(groups[0:4]), _seconds(groups[4:8])
        if end < start:
            raise TranscriptError(
                f"line {cue_line}: the cue ends ({lines[cue_line - 1].strip()}) before it starts"
            )
        i += 1
        payload: list[str] = []
        while i < n and lines[i].strip():
            payload.append(lines[i].strip())
            i += 1
        if not payload:
            raise TranscriptError(f"line {cue_line + 1}: expected the cue's text after its timing")
        body = " ".join(payload)
        if len(body) > MAX_CUE_CHARS:
            raise TranscriptError(
                f"line {cue_line + 1}: the cue's text is {len(body)} characters long, more than "
                f"the {MAX_CUE_CHARS} a transcript cue may have; is this really a transcript?"
            )
        voices = _VOICE.findall(body)
        if not voices:
            raise TranscriptError(
                f"line {cue_line + 1}: expected a voice tag '<v Speaker>' naming who speaks, "
                f"found {payload[0][:40]!r}"
            )
        for speaker, said in voices:
            words = " ".join(_TAG.sub("", said).split())
            raw.append(Utterance(speaker.strip(), start, end, words, cue_line))
    return Transcript(_merge(raw), "vtt")


def _docx_paragraphs(path: Path) -> list[str]:
    from docx import Document as open_document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        check_docx_package(path)
    except FileLimitError as exc:
        raise TranscriptError(f"{path}: refused: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise TranscriptError(f"{path}: not a readable .docx file (damaged zip: {exc})") from None
    try:
        document = open_document(str(path))
        return [p.text for p in document.paragraphs]
    except SyntaxError as exc:  # lxml's XMLSyntaxError: malformed XML inside the package
        raise TranscriptError(f"{path}: not a readable .docx file (malformed XML: {exc})") from None
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TranscriptError(f"{path}: not a readable .docx file ({exc})") from exc


def parse_docx_paragraphs(paragraphs: Sequence[str]) -> Transcript:
    """Parse the paragraphs of a Teams .docx transcript (see the module docstring).

    Raises:
        TranscriptError: A speaker line has no timestamp, or a speaker has no text.
    """
    raw: list[Utterance] = []
    items = [(i + 1, p.strip()) for i, p in enumerate(paragraphs)]
    items = [(i, p) for i, p in items if p]
    if any(_STREAM_TIME.match(p) for _, p in items):
        return _parse_stream_layout(items)
    k = 0
    # Skip the title block: everything before the first speaker/timestamp pair.
    while k < len(items) and not _is_header(items, k):
        k += 1
    if k == len(items):
        raise TranscriptError(
            "paragraph 1: expected a speaker line followed by a timestamp (e.g. "
            "'Mette Hansen' then '0:03' or '00:00:03.120 --> 00:00:07.450'); found none"
        )
    title = items[:k]
    while k < len(items):
        number, para = items[k]
        head = _DOCX_HEAD.match(para)
        if head and not _DOCX_TIME.match(para):
            speaker, time_text = head.group("name"), head.group("time")
            k += 1
        elif k + 1 < len(items) and _DOCX_TIME.match(items[k + 1][1]):
            speaker, time_text = para, items[k + 1][1]
            k += 2
        else:
            raise TranscriptError(
                f"paragraph {number}: expected a speaker line with a timestamp after it "
                f"(e.g. '0:03'), found {para[:40]!r}"
            )
        timing = _DOCX_TIME.match(time_text) or _CUE.match(time_text)
        match = re.match(_TIME, time_text.strip())
        if timing is None or match is None:
            raise TranscriptError(f"paragraph {number}: expected a timestamp, found {time_text!r}")
        start = _seconds(match.groups())
        text_parts: list[str] = []
        while k < len(items) and not _is_header(items, k):
            text_parts.append(items[k][1])
            k += 1
        if not text_parts:
            raise TranscriptError(
                f"paragraph {number}: expected what {speaker.strip()!r} said after the timestamp"
            )
        raw.append(Utterance(speaker.strip(), start, start, " ".join(text_parts), number))
    # A docx gives only start times: an utterance ends where the next begins.
    fixed = [
        replace(u, end=raw[i + 1].start if i + 1 < len(raw) else u.start) for i, u in enumerate(raw)
    ]
    return Transcript(_merge(fixed), "docx", _title_date(title))


def _title_date(title: Sequence[tuple[int, str]]) -> datetime | None:
    """The first date the title block gives, or None."""
    for _, para in title:
        found = parse_header_date(para)
        if found is not None:
            return found
    return None


def _parse_stream_layout(items: Sequence[tuple[int, str]]) -> Transcript:
    """Cue line, speaker line, text paragraphs (the layout of older Stream exports)."""
    raw: list[Utterance] = []
    k = 0
    while k < len(items) and not _STREAM_TIME.match(items[k][1]):
        k += 1
    title = items[:k]
    while k < len(items):
        number, cue = items[k]
        timing = _STREAM_TIME.match(cue)
        if timing is None:
            raise TranscriptError(
                f"paragraph {number}: expected a cue '0:00:03.120 --> 0:00:07.450', "
                f"found {cue[:40]!r}"
            )
        groups = timing.groups()
        start, end = _seconds(groups[0:4]), _seconds(groups[4:8])
        k += 1
        if k >= len(items) or _STREAM_TIME.match(items[k][1]):
            raise TranscriptError(
                f"paragraph {number + 1}: expected the speaker's name after the cue"
            )
        speaker = items[k][1]
        k += 1
        text_parts: list[str] = []
        while k < len(items) and not _STREAM_TIME.match(items[k][1]):
            text_parts.append(items[k][1])
            k += 1
        if not text_parts:
            raise TranscriptError(
                f"paragraph {number}: expected what {speaker!r} said after the speaker line"
            )
        raw.append(Utterance(speaker, start, end, " ".join(text_parts), number))
    return Transcript(_merge(raw), "docx", _title_date(title))


def _is_header(items: Sequence[tuple[int, str]], k: int) -> bool:
    para = items[k][1]
    if _DOCX_TIME.match(para):
        return False
    head = _DOCX_HEAD.match(para)
    if len(para) <= 80 and head and not head.group("name").rstrip().endswith(tuple(".,:;!?")):
        return True
    return k + 1 < len(items) and len(para) <= 80 and bool(_DOCX_TIME.match(items[k + 1][1]))


_MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "januar": 1, "februar": 2, "marts": 3, "maj": 5, "juni": 6, "juli": 7, "oktober": 10,
}  # fmt: skip
_MONTH = r"(?P<month>[^\W\d_]{3,})\.?"
_DAY_FIRST = re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\.?\s+{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)")
_MONTH_FIRST = re.compile(
    rf"(?<!\w){_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?,?\s+(?P<year>\d{{4}})(?!\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)")
# What may follow the date: ", 10:03AM", " kl. 10.03", " at 10:03 pm", "T10:03:00".
_CLOCK = re.compile(
    r"(?:\s*,)?(?:\s*(?:kl\.?|klokken|at)(?!\w))?[\sT]*"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"(?:\s*(?P<half>[ap])\.?\s?m\.?)?(?!\w|[:.]\d)",
    re.IGNORECASE,
)


def _month_number(word: str) -> int | None:
    """A month's number from its English or Danish name or an abbreviation ("okt", "Sept")."""
    word = word.lower()
    found = {n for name, n in _MONTH_NAMES.items() if name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def parse_header_date(text: str) -> datetime | None:
    """The date and time a transcript's title line gives, or None when it gives none.

    Reads English and Danish month names, whole or abbreviated, day first or month first,
    ISO dates, and 24-hour or AM/PM times; without a time it is midnight. The result is
    naive: the transcript names no time zone, so it is the meeting's wall-clock time.
    Anything unreadable, or an impossible date or time, gives None (never an exception).

    >>> parse_header_date("November 23, 2026, 10:03AM")
    datetime.datetime(2026, 11, 23, 10, 3)
    >>> parse_header_date("23. nov. 2026 kl. 14.30")
    datetime.datetime(2026, 11, 23, 14, 30)
    >>> parse_header_date("Transskription") is None
    True
    """
    for pattern in (_ISO_DATE, _DAY_FIRST, _MONTH_FIRST):
        for match in pattern.finditer(text):
            month_text = match.group("month")
            month = int(month_text) if month_text.isdigit() else _month_number(month_text)
            if month is None:
                continue
            clock = _CLOCK.match(text, match.end())
            hour = minute = second = 0
            if clock is not None:
                hour, minute = int(clock.group("hour")), int(clock.group("minute"))
                second = int(clock.group("second") or 0)
                half = (clock.group("half") or "").lower()
                if half:
                    if not 1 <= hour <= 12:
                        return None
                    hour = hour % 12 + (12 if half == "p" else 0)
            try:
                return datetime(
                    int(match.group("year")), month, int(match.group("day")), hour, minute, second
                )
            except ValueError:
                return None
    return None


def parse_docx(path: Path) -> Transcript:
    """Parse a Teams .docx transcript file."""
    return parse_docx_paragraphs(_docx_paragraphs(path))


def parse_transcript(path: Path) -> Transcript:
    """Parse a transcript file by its extension (``.vtt`` or ``.docx``).

    Raises:
        TranscriptError: Unknown extension, unreadable file or malformed content.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file; give the path of a .vtt or .docx transcript")
    if suffix == ".vtt":
        try:
            check_file_size(path, MAX_TRANSCRIPT_BYTES)
        except FileLimitError as exc:
            raise TranscriptError(f"{path}: refused: {exc}") from None
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TranscriptError(f"{path}: not UTF-8 text ({exc}); save it as UTF-8") from exc
        try:
            return parse_vtt(text)
        except TranscriptError as exc:
            raise TranscriptError(f"{path}: {exc}") from None
    if suffix == ".docx":
        try:
            return parse_docx(path)
        except TranscriptError as exc:
            message = str(exc)
            raise TranscriptError(
                message if message.startswith(str(path)) else f"{path}: {message}"
            ) from None
    raise TranscriptError(f"{path}: unknown transcript type {suffix!r}; use a .vtt or .docx file")


_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def _match_score(said: str, question: str) -> float:
    q_words = _words(question)
    if not q_words:
        return 0.0
    overlap = len(q_words & _words(said)) / len(q_words)
    said_l, question_l = said.lower(), question.lower()
    window = said_l
    if len(said_l) > len(question_l) * 2:
        # Compare with the best-matching stretch of a long utterance.
        sm = difflib.SequenceMatcher(None, said_l, question_l, autojunk=False)
        block = max(sm.get_matching_blocks(), key=lambda b: b.size)
        begin = max(0, block.a - block.b)
        window = said_l[begin : begin + len(question_l) + 20]
    ratio = difflib.SequenceMatcher(None, window, question_l).ratio()
    return max(overlap, ratio)


def _best_question(said: str, questions: Sequence[str]) -> tuple[int, float]:
    """The plan question ``said`` asks and its score; on a tie the one matching more
    words wins ("Hvad er den enkelte ansattes værdier?" is not "Hvad er HK's værdier?")."""
    said_words = _words(said)
    ranked = [
        (_match_score(said, q), len(_words(q) & said_words), -i) for i, q in enumerate(questions)
    ]
    best = max(range(len(questions)), key=lambda i: ranked[i])
    return best, ranked[best][0]


def attribute_questions(
    transcript: Transcript,
    questions: Sequence[str],
    *,
    facilitators: Iterable[str],
    threshold: float = 0.6,
) -> Transcript:
    """Attribute each utterance to the question the facilitator last asked.

    A facilitator utterance opens question ``i`` when it matches the question's text well
    enough (share of the question's words it contains, or the difflib ratio of the best
    matching stretch, >= ``threshold``). Utterances before the first match belong to no
    question.

    Args:
        transcript: The parsed transcript.
        questions: The plan's question texts (filled with the organisation's name).
        facilitators: Speaker names of the facilitators (case-insensitive).
        threshold: How well an utterance must match a question.

    Returns:
        The transcript with ``question_index`` set.
    """
    names = {f.strip().lower() for f in facilitators}
    current: int | None = None
    out: list[Utterance] = []
    for u in transcript.utterances:
        if u.speaker.lower() in names and questions:
            best, score = _best_question(u.text, questions)
            if score >= threshold:
                current = best
        out.append(replace(u, question_index=current))
    return replace(transcript, utterances=tuple(out))


def replace_names(text: str, names: Mapping[str, str], *, lang: str = "da") -> str:
    """Replace speakers' names said in an utterance by their pseudonyms, and nothing else.

    Full names, then their parts alone ("Enig med Jonas" → "Enig med Deltager A"), as
    names only (:class:`analysis.redact.NameReplacer`): speaker labels such as "Bruger B"
    only whole, so the word "bruger" stays; names that are words (Bo, Per, Mark, Vinter)
    only capitalised and not first in a sentence.

    >>> replace_names("Enig med Jonas", {"Jonas Berg": "Deltager A"})
    'Enig med Deltager A'
    >>> replace_names("Når HK bruger 100 millioner", {"Bruger B": "Deltager A"})
    'Når HK bruger 100 millioner'
    """
    from analysis.redact import NameReplacer

    return NameReplacer(names, lang=lang).replace(text)[0]


# ------------------------------------------------------------------ question structure

_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_QUESTION_START = {
    "da": (
        "hvad", "hvordan", "hvilke", "hvilken", "hvilket", "hvorfor", "hvem", "hvor", "hvornår",
        "har", "er", "kan", "skal", "bør", "vil", "ville", "kunne", "findes", "giver", "tænker",
        "synes", "oplever", "mener", "når",
    ),
    "en": (
        "what", "how", "which", "why", "who", "where", "when", "do", "does", "did", "is",
        "are", "can", "could", "should", "would", "will", "have", "has",
    ),
}  # fmt: skip
# A prompt inside a run ("Andre?", "Er der flere der vil sige noget?") or a follow-up to one
# person ("Kan du uddybe det?") does not open a new question.
# "andre"/"flere"/"anyone" make a prompt only where the sentence starts with them ("Andre?",
# "Er der flere der vil sige noget?"): "Hvordan kan man samle opgaverne, så andre kan finde
# dem?" is a question of its own.
_PROMPT = re.compile(
    r"^\W*(og |så |ja,? |okay,? |ok,? )?((er der|har|vil|kan|is there|are there|does|do|has) )?"
    r"(nogen|andre|flere|anyone|anybody|"
    r"someone else|any (more|other))\b|"
    r"\b(noget at tilføje|mere at tilføje|tilføje|uddybe|any more|anything else|anything to add|"
    r"other thoughts|elaborate|say more)\b",
    re.IGNORECASE,
)
_ADDRESSED = re.compile(r"\b(du|dig|din|dit|dine)\b", re.IGNORECASE)
# "Skal jeg sige det på en anden måde?", "Can I share my screen?": about the facilitator.
_ABOUT_SELF = re.compile(
    r"\b(skal|kan|må|vil|burde) jeg\b|\b(shall|should|can|could|may) i\b", re.IGNORECASE
)
#: A facilitator's question sentence needs at least this many words to open an ad-hoc run.
ADHOC_MIN_WORDS = 5
# Chit-chat about the call itself ("Kan I høre mig?", "Can everyone see my screen?"): a short
# question whose only reference point is the speaker.
_SPEAKER_REF = re.compile(r"\b(mig|min|mit|mine|me|my)\b", re.IGNORECASE)
_CHANNEL_MAX_WORDS = 9
# Scheduling ("Skal vi sige fredag den 15.?", "Shall we meet again on the 3rd?"): a question
# that names a day, a date or a clock time.
_SCHEDULING = re.compile(
    r"\b(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|januar|februar|marts|april|maj|juni|juli|august|"
    r"september|oktober|november|december|january|february|march|june|july|october|"
    r"næste (gang|møde|workshop)|next (time|meeting|session|workshop)|"
    r"klokken|o'clock|kalender\w*|calendar)\b|\bkl\.? ?\d|\b\d{1,2}[:.]\d{2}\b|"
    r"\bden \d{1,2}\.|\bthe \d{1,2}(st|nd|rd|th)\b",
    re.IGNORECASE,
)
# The shared premise put to the room ("Kan vi blive enige om, at …?", "…, ikke?", "We agree
# that …, right?") asks for assent, not for answers.
_PREMISE = re.compile(
    r"\b(enige om|enig i|agree (on|that|to)|agreed)\b|"
    r",\s*(ikke|ikke sandt|ikke også|vel|right|okay|ok|yes|no|agreed|"
    r"(isn't|aren't|don't|doesn't|won't|can't) (it|we|they|you|that))\s*\?\s*$",
    re.IGNORECASE,
)


def question_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that end with a question mark."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip().endswith("?")]


def _opens_question(sentence: str, *, one_listener: bool = False) -> bool:
    """Whether a question sentence can open a run: long enough, not a prompt ("Andre?"),
    not about the speaker ("Skal jeg sige det igen?"), not chit-chat about the call ("Kan I
    høre mig?"), not scheduling ("Skal vi sige fredag den 15.?"), not the premise put to
    assent ("…, ikke?"), and not a follow-up to one person unless only one listens."""
    words = _WORD.findall(sentence)
    if len(words) < ADHOC_MIN_WORDS:
        return False
    if _PROMPT.search(sentence) or _ABOUT_SELF.search(sentence):
        return False
    if len(words) <= _CHANNEL_MAX_WORDS and _SPEAKER_REF.search(sentence):
        return False
    if _SCHEDULING.search(sentence) or _PREMISE.search(sentence):
        return False
    # "Kan du uddybe det?" follows up one person, unless there is only one to ask.
    return one_listener or not _ADDRESSED.search(sentence)


def _without_lead_in(question: str) -> str:
    """ "Første spørgsmål: Hvad …?" → "Hvad …?" (the question itself, when it is one)."""
    _head, colon, rest = question.rpartition(":")
    rest = rest.strip()
    if colon and len(_WORD.findall(rest)) >= ADHOC_MIN_WORDS:
        return rest[:1].upper() + rest[1:]
    return question


#: Weights of the evidence that a speaker leads the meeting (see :func:`guess_facilitators`).
FACILITATOR_WEIGHTS = {
    "opens": 1.0,  # speaks most in the opening stretch (the welcome and the presentation)
    "question": 1.0,  # per utterance holding a question that could open a run
    "answered": 2.0,  # such a question answered by two or more others (asked of the room)
    "answers": 0.5,  # the only one to answer someone else's question (about the data)
    "moderates": 0.5,  # between two others, naming the next speaker ("Ja Aisha?")
}
#: The opening stretch: this share of the recording.
OPENING_SHARE = 0.15


def _facilitator_evidence(transcript: Transcript) -> dict[str, dict[str, float]]:
    speakers = transcript.speakers
    utterances = transcript.utterances
    one = len(speakers) <= 2
    evidence = {s: dict.fromkeys(FACILITATOR_WEIGHTS, 0.0) for s in speakers}
    if not utterances:
        return evidence
    start = utterances[0].start
    opening_end = start + OPENING_SHARE * (max(u.end for u in utterances) - start)
    opening = dict.fromkeys(speakers, 0.0)
    for u in utterances:
        if u.start <= opening_end:
            opening[u.speaker] += min(u.end, opening_end) - u.start + len(u.text) / 1000
    evidence[max(speakers, key=lambda s: (opening[s], -speakers.index(s)))]["opens"] = 1.0
    asks = [
        any(_opens_question(q, one_listener=one) for q in question_sentences(u.text))
        for u in utterances
    ]
    for i, u in enumerate(utterances):
        if asks[i]:
            evidence[u.speaker]["question"] += 1
            # Who answers before the asker speaks again or someone else asks: several
            # speakers for a question to the room; one for a question to the facilitator.
            answerers: list[str] = []
            for j in range(i + 1, len(utterances)):
                later = utterances[j]
                if later.speaker == u.speaker or asks[j]:
                    break
                if later.speaker not in answerers:
                    answerers.append(later.speaker)
            if len(answerers) >= 2:
                evidence[u.speaker]["answered"] += 1
            elif len(answerers) == 1:
                evidence[answerers[0]]["answers"] += 1
        # Passing the word: between two different others, naming the one who speaks next.
        if 0 < i < len(utterances) - 1:
            before, after = utterances[i - 1].speaker, utterances[i + 1].speaker
            first_name = after.split()[0].lower() if after.split() else ""
            if (
                u.speaker not in (before, after)
                and before != after
                and first_name
                and first_name in {w.lower() for w in _WORD.findall(u.text)}
            ):
                evidence[u.speaker]["moderates"] += 1
    return evidence


def guess_facilitators(transcript: Transcript) -> tuple[str, ...]:
    """The speaker with the most evidence of leading the meeting (the first speaker on a tie).

    Evidence, weighted by :data:`FACILITATOR_WEIGHTS`: speaking most in the opening
    stretch (the welcome and the presentation, not "Hej, er vi startet?"); utterances with
    a question that could open a run (not "Andre?", "Kan du uddybe?", "Kan I høre mig?" or
    scheduling); such questions answered by two or more different speakers before the
    asker speaks again or someone else asks (a question to the room); being the only one
    to answer another's question (a participant questioning the data asks the
    facilitator, who answers); and passing the word between two others by name. A
    participant who asks many questions therefore does not outrank the facilitator, whose
    questions the whole room answers.
    """
    speakers = transcript.speakers
    if not speakers:
        return ()
    evidence = _facilitator_evidence(transcript)
    score = {s: sum(FACILITATOR_WEIGHTS[k] * v for k, v in evidence[s].items()) for s in speakers}
    best = max(speakers, key=lambda s: (score[s], -speakers.index(s)))
    return (best,)


@dataclass(frozen=True)
class QuestionTurn:
    """One question as the facilitator asked it, with what followed until the next one.

    Attributes:
        index: The plan question it matches (index into the plan's questions); None for
            an ad-hoc question (no plan, or no plan question matched).
        asked: The facilitator's question, as said (the question sentences).
        start: When the facilitator started asking (seconds).
        asked_end: When the asking utterance ended: silence is measured from here.
        end: When the next question started (or the recording ended).
        answers: Participants' utterances, consecutive ones by one speaker merged.
        remarks: The facilitator's other utterances in the run (not answers).
    """

    index: int | None
    asked: str
    start: float
    asked_end: float
    end: float
    answers: tuple[Utterance, ...]
    remarks: tuple[Utterance, ...]


@dataclass(frozen=True)
class TranscriptStructure:
    """A transcript cut into question runs.

    Attributes:
        facilitators: Who asks the questions.
        facilitator_source: ``"given"`` or ``"leads the meeting"`` (guessed by :func:`guess_facilitators`).
        before: Participants' speech before the first question (open discussion).
        turns: The question runs in the order asked.
        facilitator_seconds: How long the facilitators spoke.
        duration: The recording's length (end of the last utterance).
    """

    facilitators: tuple[str, ...]
    facilitator_source: str
    before: tuple[Utterance, ...]
    turns: tuple[QuestionTurn, ...]
    facilitator_seconds: float
    duration: float


#: Words per second of speech, to tell when a .docx utterance (which has only a start
#: time; its "end" is the next one's start) stopped, so a silence after it shows.
SPEECH_RATE = 2.5


def _spoken_until(u: Utterance, transcript: Transcript) -> float:
    if transcript.format != "docx":
        return u.end
    return min(u.end, u.start + len(u.text.split()) / SPEECH_RATE + 2.0)


@dataclass
class _OpenTurn:
    index: int | None
    asked: str
    start: float
    asked_end: float
    answers: list[Utterance] = field(default_factory=list)
    remarks: list[Utterance] = field(default_factory=list)


def _only_questions(turn: _OpenTurn) -> bool:
    """Whether every answer so far asks back (what the facilitator meant)."""
    return bool(turn.answers) and all(
        u.text.rstrip().endswith("?") and len(_WORD.findall(u.text)) <= 25 for u in turn.answers
    )


#: A participant utterance this short (words) that proposes or explains nothing is a
#: non-answer ("Hmm.", "Godt spørgsmål.", "Not sure.") for telling a reworded question.
NON_ANSWER_WORDS = 4
#: Evidence that a facilitator's question asks the previous, unanswered one again.
REASK_WEIGHTS = {
    "reworded": 2.0,  # says so ("sagt på en anden måde", "in other words", "let me rephrase")
    "overlap": 1.0,  # shares content words with the first asking (see REASK_OVERLAP)
    "soon": 0.5,  # within REASK_SECONDS of the first asking's end
}
#: The evidence must sum to this (the overlap alone does not: a new question on the same
#: topic after a silence is a new question, and the silence stays).
REASK_THRESHOLD = 1.5
#: Share of the shorter asking's content words (compared by their first five letters, so
#: "opgaver" meets "opgaverne") the other one must hold, and at least two of them.
REASK_OVERLAP = 0.5
REASK_SECONDS = 30.0
_REWORDED = re.compile(
    r"\b(sagt på en (anden|ny) måde|(sige|spørge|formulere) (det )?(på en anden måde|"
    r"anderledes)|med andre ord|anderledes sagt|omformuler\w*|det jeg mener er|"
    r"in other words|put (it )?(another way|differently)|let me (rephrase|reword)|"
    r"(ask|say|phrase) (it|that) (another way|differently)|what i mean is|or rather|"
    r"rephrase)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.da.stop_words import STOP_WORDS as DA
    from spacy.lang.en.stop_words import STOP_WORDS as EN

    return frozenset(DA) | frozenset(EN)


def _content_stems(text: str) -> set[str]:
    stop = _stop_words()
    return {w[:5] for w in _WORD.findall(text.lower()) if len(w) > 3 and w not in stop}


#: A hesitation or a verdict on the question, in a reply of at most HEDGE_WORDS words
#: ("Øh, det er et godt spørgsmål", "I'm not sure what you mean"), answers nothing.
HEDGE_WORDS = 10
_HEDGE = re.compile(
    r"\b(ved (det )?ikke|aner (det )?ikke|godt spørgsmål|svært spørgsmål|svært at sige|"
    r"hvad mener (du|i)|ikke helt sikker|don't know|do not know|not sure|no idea|"
    r"good question|hard question|tricky|hard to say|what do you mean)\b|^\W*(hmm+|øh+|tja|um+|uh+)\b",
    re.IGNORECASE,
)


def _non_answer(u: Utterance) -> bool:
    words = len(_WORD.findall(u.text))
    return (
        words <= NON_ANSWER_WORDS
        or u.text.rstrip().endswith("?")
        or (words <= HEDGE_WORDS and bool(_HEDGE.search(u.text)))
    )


def _unanswered(turn: _OpenTurn) -> bool:
    """Whether no participant has answered the run yet: no answers, or only short
    non-answers ("Hmm.", "Øh, det er et godt spørgsmål.") and questions back."""
    return all(_non_answer(u) for u in turn.answers)


def reask_evidence(first: str, again: str, *, seconds_after: float) -> dict[str, float]:
    """The evidence that ``again`` asks the question ``first`` once more, in other words.

    Only meaningful when nobody answered in between (:func:`structure_transcript` checks
    that). Features are those of :data:`REASK_WEIGHTS`.

    >>> sorted(reask_evidence("Hvordan deler vi viden?", "Sagt på en anden måde, hvad gør"
    ...     " I med det I lærer?", seconds_after=12))
    ['reworded', 'soon']
    """
    found: dict[str, float] = {}
    if _REWORDED.search(again):
        found["reworded"] = 1.0
    a, b = _content_stems(first), _content_stems(again)
    shared = len(a & b)
    if shared >= 2 and shared >= REASK_OVERLAP * min(len(a), len(b)):
        found["overlap"] = 1.0
    if seconds_after <= REASK_SECONDS:
        found["soon"] = 1.0
    return found


def _reasks(turn: _OpenTurn, again: str, at: float) -> bool:
    if not _unanswered(turn):
        return False
    found = reask_evidence(turn.asked, again, seconds_after=at - turn.asked_end)
    return sum(REASK_WEIGHTS[k] for k in found) >= REASK_THRESHOLD


def structure_transcript(
    transcript: Transcript,
    questions: Sequence[str] = (),
    *,
    facilitators: Iterable[str] = (),
    threshold: float = 0.6,
) -> TranscriptStructure:
    """Cut a transcript into question runs.

    A facilitator utterance opens a run when it matches a plan question (``questions``,
    see :func:`attribute_questions` for the score) or, when no plan is given, when it holds
    a question sentence of at least :data:`ADHOC_MIN_WORDS` words that is not a prompt
    ("Andre?"), a follow-up to one person ("Kan du uddybe?"), chit-chat about the call,
    scheduling or the premise put to assent (see :func:`_opens_question`). Asking the same
    plan question again right away, or rewording a question after the participants only
    asked back what it meant, does not open a second run; nor does asking a question
    again in other words before any participant answered it (only short non-answers or
    questions back in between), told by :func:`reask_evidence` (the facilitator saying
    so, shared content words, a short pause): silence then counts from the rewording. Participants' speech until the
    next question answers it; the facilitator's other words are remarks, never answers.

    Args:
        transcript: The parsed transcript.
        questions: The plan's question texts (filled with the organisation's name), or none.
        facilitators: Speaker names of the facilitators; default :func:`guess_facilitators`.
        threshold: How well an utterance must match a plan question.

    Returns:
        The :class:`TranscriptStructure`.
    """
    given = tuple(f.strip() for f in facilitators if f.strip())
    chosen = given or guess_facilitators(transcript)
    names = {f.lower() for f in chosen}
    one_listener = len([s for s in transcript.speakers if s.lower() not in names]) <= 1
    before: list[Utterance] = []
    turns: list[_OpenTurn] = []
    talk = 0.0
    for u in transcript.utterances:
        if u.speaker.lower() not in names:
            (turns[-1].answers if turns else before).append(u)
            continue
        talk += u.end - u.start
        opened: tuple[int | None, str] | None = None
        if questions:
            best, score = _best_question(u.text, questions)
            if score >= threshold:
                opened = (best, " ".join(question_sentences(u.text)) or questions[best])
        else:
            openers = [
                s
                for s in question_sentences(u.text)
                if _opens_question(s, one_listener=one_listener)
            ]
            if openers:
                opened = (None, " ".join(_without_lead_in(q) for q in openers))
        repeated = (
            opened is not None
            and bool(turns)
            and opened[0] is not None
            and (turns[-1].index == opened[0])
        )
        # "Hvad mener du?" → the facilitator rewords her question: the run goes on.
        if opened is not None and opened[0] is None and turns and _only_questions(turns[-1]):
            repeated = True
        # Asked again in other words before anyone answered: the same run, and silence
        # counts from the rewording (the question as finally put).
        # ("hvis du startede i morgen, …?" may address the room: "du" does not matter here.)
        again = " ".join(
            s for s in question_sentences(u.text) if _opens_question(s, one_listener=True)
        )
        reasked = (
            bool(again)
            and not repeated
            and bool(turns)
            and (opened is None or opened[0] is None or opened[0] == turns[-1].index)
            and _reasks(turns[-1], again, u.start)
        )
        if opened is not None and not repeated and not reasked:
            turns.append(_OpenTurn(opened[0], opened[1], u.start, _spoken_until(u, transcript)))
        elif turns:
            turns[-1].remarks.append(u)
            if reasked:
                turns[-1].asked_end = _spoken_until(u, transcript)
    duration = max((u.end for u in transcript.utterances), default=0.0)
    out = tuple(
        QuestionTurn(
            index=t.index,
            asked=t.asked,
            start=t.start,
            asked_end=t.asked_end,
            end=turns[i + 1].start if i + 1 < len(turns) else duration,
            answers=_merge(t.answers, max_gap=None),
            remarks=tuple(t.remarks),
        )
        for i, t in enumerate(turns)
    )
    return TranscriptStructure(
        facilitators=chosen,
        facilitator_source="given" if given else "leads the meeting",
        before=_merge(before, max_gap=None),
        turns=out,
        facilitator_seconds=talk,
        duration=duration,
    )
