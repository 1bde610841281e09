"""Teams transcripts: WebVTT and .docx parse into utterances; malformed ones name the line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from docx import Document

from analysis.transcript import (
    TranscriptError,
    attribute_questions,
    parse_docx,
    parse_header_date,
    parse_transcript,
    parse_vtt,
)

VTT = """WEBVTT

0f1c2d3e-1/12-0
00:00:03.120 --> 00:00:07.450
<v Mette Hansen>Velkommen til workshoppen om efteruddannelse.</v>

0f1c2d3e-1/12-1
00:00:07.450 --> 00:00:11.000
<v Mette Hansen>Første spørgsmål: Hvad er HKs værdier?</v>

0f1c2d3e-2/12-0
00:00:40.000 --> 00:00:46.500
<v Jonas Berg>Det er svært at sige.</v>

00:00:47.000 --> 00:00:55.000
<v Sara Lind>Vi skal tage udgangspunkt i afdelingens værdier.</v>

00:01:10.000 --> 00:01:15.000
<v Mette Hansen>Næste: Hvordan kan den viden formidles effektfuldt?</v>

00:01:20.000 --> 00:01:30.000
<v Jonas Berg>Vi burde lave en podcast om opgaverne.</v>

00:01:30.000 --> 00:01:35.000
<v Jonas Berg>Og korte videoer.</v>

00:01:40.000 --> 00:01:45.000
<v Sara Lind>Enig med Jonas, en podcast vil virke.</v>
"""

PLAN = [
    "Hvad er HKs værdier?",
    "Hvordan kan viden fra efteruddannelse indsamles, kategoriseres og analyseres?",
    "Hvordan kan den viden formidles effektfuldt?",
]


def test_vtt_parses_speakers_times_and_merges_consecutive_cues() -> None:
    t = parse_vtt(VTT)
    assert t.speakers == ("Mette Hansen", "Jonas Berg", "Sara Lind")
    first = t.utterances[0]
    assert first.speaker == "Mette Hansen"
    assert first.start == pytest.approx(3.12)
    assert first.end == pytest.approx(11.0)
    assert "Velkommen" in first.text and "Første spørgsmål" in first.text
    jonas = [u for u in t.utterances if u.speaker == "Jonas Berg"]
    assert jonas[1].text == "Vi burde lave en podcast om opgaverne. Og korte videoer."
    assert len(t.utterances) == 6


def test_attribution_follows_the_facilitator() -> None:
    t = attribute_questions(parse_vtt(VTT), PLAN, facilitators=["mette hansen"])
    by_text = {u.text: u.question_index for u in t.utterances}
    assert by_text["Det er svært at sige."] == 0
    assert by_text["Vi skal tage udgangspunkt i afdelingens værdier."] == 0
    assert by_text["Enig med Jonas, en podcast vil virke."] == 2
    assert t.utterances[0].question_index == 0  # the welcome also holds question 1


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("00:00:01.000 --> 00:00:02.000\n<v A>hej</v>\n", 1, "WEBVTT"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhej uden stemme\n", 4, "voice tag"),
        ("WEBVTT\n\ncue-1\n00:00:01 -> 00:00:02\n<v A>hej</v>\n", 4, "cue timing"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\n<v A>hej</v>\n", 3, "before it starts"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", 4, "text"),
    ],
    ids=["no-header", "no-voice", "bad-timing", "backwards", "no-text"],
)
def test_malformed_vtt_names_line_and_expectation(text: str, line: int, expected: str) -> None:
    with pytest.raises(TranscriptError) as info:
        parse_vtt(text)
    message = str(info.value)
    assert message.startswith(f"line {line}:"), message
    assert expected in message


def write_teams_docx(
    path: Path, rows: list[tuple[str, str, str]], *, one_line: bool = False
) -> Path:
    """Write a transcript the way Teams exports it: title block, then speaker/time/text."""
    doc = Document()
    doc.add_paragraph("Workshop om efteruddannelse")
    doc.add_paragraph("Transskription")
    doc.add_paragraph("2. marts 2026, 09:00AM")
    for speaker, time, text in rows:
        doc.add_paragraph("")
        if one_line:
            doc.add_paragraph(f"{speaker}   {time}")
        else:
            doc.add_paragraph(speaker)
            doc.add_paragraph(time)
        for part in text.split("\n"):
            doc.add_paragraph(part)
    doc.save(str(path))
    return path


ROWS = [
    ("Mette Hansen", "0:03", "Velkommen. Hvordan kan den viden formidles effektfuldt?"),
    ("Jonas Berg", "0:40", "Vi burde lave en podcast om opgaverne.\nDen kan ligge på intranettet."),
    ("Jonas Berg", "0:52", "Og korte videoer."),
    ("Sara Lind", "1:05", "Enig, det er en god idé."),
    ("Mette Hansen", "1:02:10", "Tak for i dag."),
]


@pytest.mark.parametrize("one_line", [False, True], ids=["speaker-then-time", "speaker-and-time"])
def test_docx_transcript_parses(tmp_path: Path, one_line: bool) -> None:
    path = write_teams_docx(tmp_path / "t.docx", ROWS, one_line=one_line)
    t = parse_transcript(path)
    assert t.format == "docx"
    assert t.speakers == ("Mette Hansen", "Jonas Berg", "Sara Lind")
    assert [u.speaker for u in t.utterances] == [
        "Mette Hansen",
        "Jonas Berg",
        "Sara Lind",
        "Mette Hansen",
    ]
    jonas = t.utterances[1]
    assert jonas.start == 40
    assert (
        jonas.text
        == "Vi burde lave en podcast om opgaverne. Den kan ligge på intranettet. Og korte videoer."
    )
    assert t.utterances[-1].start == 3730
    assert jonas.end == 65


def test_docx_speaker_without_time_fails_with_paragraph(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Mette Hansen")
    doc.add_paragraph("0:03")
    doc.add_paragraph("Velkommen.")
    doc.add_paragraph("Jonas Berg")
    doc.add_paragraph("0:10")
    path = tmp_path / "bad.docx"
    doc.save(str(path))
    with pytest.raises(TranscriptError, match=r"paragraph 4: expected what 'Jonas Berg' said"):
        parse_docx(path)


def test_docx_without_any_speaker_fails(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Bare noget tekst uden talere.")
    path = tmp_path / "none.docx"
    doc.save(str(path))
    with pytest.raises(TranscriptError, match="paragraph 1: expected a speaker line"):
        parse_transcript(path)


def test_unknown_or_missing_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="no such file"):
        parse_transcript(tmp_path / "missing.vtt")
    other = tmp_path / "notes.txt"
    other.write_text("hej")
    with pytest.raises(TranscriptError, match=r"use a \.vtt or \.docx"):
        parse_transcript(other)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TranscriptError, match=r"not a readable \.docx"):
        parse_transcript(broken)
    vtt = tmp_path / "bad.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhej\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"bad.vtt: line 4"):
        parse_transcript(vtt)


def test_older_stream_docx_layout_parses(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Transcript")
    for cue, speaker, text in [
        ("0:0:3.120 --> 0:0:7.450", "Mette Hansen", "Hvordan kan den viden formidles effektfuldt?"),
        ("0:0:40.0 --> 0:0:46.500", "Jonas Berg", "Vi burde lave en podcast."),
        ("0:0:47.0 --> 0:0:52.0", "Jonas Berg", "Med korte afsnit."),
        ("0:1:5.0 --> 0:1:9.0", "Sara Lind", "Enig."),
    ]:
        doc.add_paragraph(cue)
        doc.add_paragraph(speaker)
        doc.add_paragraph(text)
    path = tmp_path / "stream.docx"
    doc.save(str(path))
    t = parse_transcript(path)
    assert [u.speaker for u in t.utterances] == ["Mette Hansen", "Jonas Berg", "Sara Lind"]
    assert t.utterances[1].text == "Vi burde lave en podcast. Med korte afsnit."
    assert (t.utterances[1].start, t.utterances[1].end) == (40.0, 52.0)
    assert t.utterances[2].start == 65.0


def test_stream_docx_cue_without_text_fails(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("0:0:3.120 --> 0:0:7.450")
    doc.add_paragraph("Mette Hansen")
    doc.add_paragraph("0:0:8.0 --> 0:0:9.0")
    path = tmp_path / "bad-stream.docx"
    doc.save(str(path))
    with pytest.raises(TranscriptError, match="paragraph 1: expected what 'Mette Hansen' said"):
        parse_transcript(path)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("November 23, 2026, 10:03AM", datetime(2026, 11, 23, 10, 3)),
        ("Nov 23, 2026 1:05 PM", datetime(2026, 11, 23, 13, 5)),
        ("January 1, 2026, 12:30AM", datetime(2026, 1, 1, 0, 30)),
        ("Monday, November 23rd, 2026 at 12:15pm", datetime(2026, 11, 23, 12, 15)),
        ("23 November 2026, 10:03", datetime(2026, 11, 23, 10, 3)),
        ("23. november 2026, 10.03", datetime(2026, 11, 23, 10, 3)),
        ("23. november 2026 10:03", datetime(2026, 11, 23, 10, 3)),
        ("mandag den 5. okt. 2026 kl. 9.05", datetime(2026, 10, 5, 9, 5)),
        ("12. okt 2026", datetime(2026, 10, 12)),
        ("3. maj 2026, 14:00", datetime(2026, 5, 3, 14, 0)),
        ("2. marts 2026, 09:00AM", datetime(2026, 3, 2, 9, 0)),
        ("2026-11-23 10:03", datetime(2026, 11, 23, 10, 3)),
        ("2026-11-23T10:03:05", datetime(2026, 11, 23, 10, 3, 5)),
        ("2026-11-23", datetime(2026, 11, 23)),
    ],
)
def test_header_dates_in_english_danish_and_iso(line: str, expected: datetime) -> None:
    assert parse_header_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Transskription",
        "",
        "Workshop 3, 2026",
        "30. februar 2026",
        "23. november 2026 25:00",
        "November 23, 2026, 13:03PM",
        "2026-13-01 10:00",
        "1. ma 2026",
        "Mette Hansen 12 2026",
    ],
    ids=[
        "words",
        "empty",
        "no-month",
        "no-such-day",
        "bad-hour",
        "bad-pm",
        "bad-iso",
        "short",
        "name",
    ],
)
def test_header_without_a_readable_date_gives_none(line: str) -> None:
    assert parse_header_date(line) is None


def test_docx_title_block_gives_the_meeting_start(tmp_path: Path) -> None:
    path = write_teams_docx(tmp_path / "t.docx", ROWS)
    assert parse_transcript(path).started_at == datetime(2026, 3, 2, 9, 0)
    doc = Document()
    doc.add_paragraph("Workshop om efteruddannelse")
    doc.add_paragraph("November 23, 2026, 10:03AM")
    doc.add_paragraph("Mette Hansen   0:03")
    doc.add_paragraph("Velkommen.")
    # A date said later in the meeting is no header.
    doc.add_paragraph("Jonas Berg   0:10")
    doc.add_paragraph("Vi mødes igen 1. december 2026, 10:00.")
    doc.save(str(tmp_path / "english.docx"))
    t = parse_transcript(tmp_path / "english.docx")
    assert t.started_at == datetime(2026, 11, 23, 10, 3)
    # Attribution keeps it.
    assert attribute_questions(t, PLAN, facilitators=["Mette Hansen"]).started_at == t.started_at


def test_transcripts_without_a_dated_header_have_no_start(tmp_path: Path) -> None:
    assert parse_vtt(VTT).started_at is None
    doc = Document()
    doc.add_paragraph("Transskription")
    doc.add_paragraph("Møde den ??. november")
    doc.add_paragraph("Mette Hansen   0:03")
    doc.add_paragraph("Velkommen til mødet 2. marts 2026.")
    doc.save(str(tmp_path / "undated.docx"))
    assert parse_transcript(tmp_path / "undated.docx").started_at is None
    stream = Document()
    stream.add_paragraph("Transcript")
    stream.add_paragraph("23 November 2026, 10:03")
    stream.add_paragraph("0:0:3.120 --> 0:0:7.450")
    stream.add_paragraph("Mette Hansen")
    stream.add_paragraph("Velkommen.")
    stream.save(str(tmp_path / "stream.docx"))
    assert parse_transcript(tmp_path / "stream.docx").started_at == datetime(2026, 11, 23, 10, 3)


# ------------------------------------------------------------------ question structure

from analysis.transcript import guess_facilitators, structure_transcript  # noqa: E402

#: A voice workshop as Teams writes it: a participant speaks first, the facilitator is the
#: one who asks, prompts ("Andre?") and remarks are hers, one answer spans two cues, and
#: the last question meets silence that she notes.
W2 = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Bruger B>Kan I høre mig?</v>

00:00:05.000 --> 00:02:00.000
<v Kollega F>Velkommen. Vi parkerer kortet nu.</v>

00:02:01.000 --> 00:02:09.000
<v Kollega F>Hvordan kan den viden formidles effektfuldt?</v>

00:02:12.000 --> 00:02:20.000
<v Bruger B>Vi burde holde oplæg på afdelingsmøderne.</v>

00:02:20.000 --> 00:02:28.000
<v Bruger B>Ti minutter er nok.</v>

00:02:30.000 --> 00:02:32.000
<v Kollega F>Mm. Andre?</v>

00:02:35.000 --> 00:02:45.000
<v Kollega C>Enig. Og Pointerne burde også rapporteres opad.</v>

00:03:00.000 --> 00:03:06.000
<v Kollega F>Hvad er den enkelte ansattes værdier?</v>

00:03:50.000 --> 00:03:53.000
<v Kollega F>Ja så blev der meget stille.</v>

00:04:05.000 --> 00:04:08.000
<v Kollega C>Nej, jeg kan ikke…</v>
"""

PLAN = [
    "Hvad er HKs værdier?",
    "Hvad er den enkelte ansattes værdier?",
    "Hvordan kan den viden formidles effektfuldt?",
]


def test_the_facilitator_is_who_asks_not_who_speaks_first() -> None:
    transcript = parse_vtt(W2)
    assert transcript.speakers[0] == "Bruger B"
    assert guess_facilitators(transcript) == ("Kollega F",)


def test_plan_questions_open_runs_and_the_facilitators_words_are_not_answers() -> None:
    structure = structure_transcript(parse_vtt(W2), PLAN)
    assert structure.facilitators == ("Kollega F",)
    assert structure.facilitator_source == "leads the meeting"
    assert [t.index for t in structure.turns] == [2, 1]
    first, values = structure.turns
    # The prompt "Andre?" does not open a run; it is a remark, never an answer.
    assert [r.text for r in first.remarks] == ["Mm. Andre?"]
    # One speaker's two cues are one answer.
    assert [(a.speaker, a.text) for a in first.answers] == [
        ("Bruger B", "Vi burde holde oplæg på afdelingsmøderne. Ti minutter er nok."),
        ("Kollega C", "Enig. Og Pointerne burde også rapporteres opad."),
    ]
    assert all(a.speaker != "Kollega F" for t in structure.turns for a in t.answers)
    # Silence is measured from the end of the asking; the noted silence stays a remark.
    assert values.asked_end == pytest.approx(186.0)
    assert [r.text for r in values.remarks] == ["Ja så blev der meget stille."]
    assert values.answers[0].start - values.asked_end == pytest.approx(59.0)
    # Before the first question: open discussion.
    assert [u.text for u in structure.before] == ["Kan I høre mig?"]
    # Her welcome and first question are one utterance (1 s apart): 00:00:05-00:02:09.
    assert structure.facilitator_seconds == pytest.approx(124 + 2 + 6 + 3)


def test_without_a_plan_the_facilitators_questions_are_ad_hoc_runs() -> None:
    structure = structure_transcript(parse_vtt(W2))
    assert [t.index for t in structure.turns] == [None, None]
    assert [t.asked for t in structure.turns] == [
        "Hvordan kan den viden formidles effektfuldt?",
        "Hvad er den enkelte ansattes værdier?",
    ]


def test_a_follow_up_to_one_person_opens_no_run_unless_there_is_only_one() -> None:
    group = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Ann>Hvad skal der til for at opgaverne bliver brugt?</v>

00:00:06.000 --> 00:00:10.000
<v Bo>En database.</v>

00:00:11.000 --> 00:00:15.000
<v Ann>Kan du sige lidt mere om hvordan den skulle virke?</v>

00:00:16.000 --> 00:00:20.000
<v Eva>Jeg er enig med Bo.</v>
"""
    assert len(structure_transcript(parse_vtt(group)).turns) == 1
    alone = "\n".join(line for line in group.splitlines()[:-3])  # without Eva
    turns = structure_transcript(parse_vtt(alone), facilitators=["Ann"]).turns
    assert len(turns) == 2  # with one participant "du" is the whole group


def test_one_speakers_cues_across_a_long_silence_stay_apart() -> None:
    transcript = parse_vtt(W2)
    texts = [u.text for u in transcript.utterances if u.speaker == "Kollega F"]
    assert "Hvad er den enkelte ansattes værdier?" in texts
    assert "Ja så blev der meget stille." in texts


def test_a_silence_after_a_question_shows_in_a_docx_transcript_too() -> None:
    from analysis.transcript import parse_docx_paragraphs

    # A .docx gives start times only; the question's end is estimated from its words.
    transcript = parse_docx_paragraphs(
        [
            "Workshop",
            "Kollega F   0:10",
            "Hvad er den enkelte ansattes værdier?",
            "Kollega C   1:20",
            "Nej, jeg kan ikke…",
        ]
    )
    (turn,) = structure_transcript(transcript, facilitators=["Kollega F"]).turns
    assert turn.answers[0].start - turn.asked_end > 50


# ------------------------------------------------------------------ a question asked again


def _vtt(*cues: tuple[float, float, str, str]) -> str:
    def stamp(t: float) -> str:
        return f"00:{int(t) // 60:02d}:{int(t) % 60:02d}.000"

    body = [f"{stamp(a)} --> {stamp(b)}\n<v {who}>{text}</v>\n" for a, b, who, text in cues]
    return "WEBVTT\n\n" + "\n".join(body)


#: The facilitator asks about onboarding, nobody answers for 18 s, she says it again in
#: other words; only then a participant answers. Then a question of its own follows.
REWORDED = _vtt(
    (1, 60, "Ida Holm", "Velkommen til. Vi har set kortet, nu lægger vi det væk."),
    (61, 68, "Ida Holm", "Hvad betyder kurserne for hvordan nye medarbejdere bliver taget imod?"),
    (86, 95, "Ida Holm", "Med andre ord, hvis du startede i morgen, hvad ville du så ønske dig?"),
    (98, 110, "Per Lund", "En fast makker den første måned."),
    (111, 120, "Sanne Bro", "Og en liste over hvem der har taget hvilke kurser."),
    (125, 132, "Ida Holm", "Hvilke værdier står der i jeres personalepolitik om efteruddannelse?"),
    (140, 150, "Per Lund", "Det ved jeg faktisk ikke, den har jeg aldrig læst."),
)


def test_a_question_asked_again_in_other_words_is_one_run_timed_from_the_rewording() -> None:
    structure = structure_transcript(parse_vtt(REWORDED))
    assert structure.facilitators == ("Ida Holm",)
    assert len(structure.turns) == 2
    first, values = structure.turns
    assert first.asked.startswith("Hvad betyder kurserne")
    assert first.remarks[0].text.startswith("Med andre ord")
    # Silence counts from the question as finally put: the answer came 3 s after it.
    assert first.answers[0].start - first.asked_end == pytest.approx(3.0)
    assert [a.speaker for a in first.answers] == ["Per Lund", "Sanne Bro"]
    assert values.asked.startswith("Hvilke værdier")


def test_a_reworded_question_after_a_short_non_answer_shares_its_words() -> None:
    # No "in other words": the second asking repeats the first one's content words, soon
    # after, and the only reply so far was a hesitation.
    text = _vtt(
        (1, 50, "Tom Reid", "Welcome, everyone. Let us park the map for now."),
        (51, 58, "Tom Reid", "How could the course reports be stored so colleagues can find them?"),
        (70, 72, "Ann Wu", "Hmm, tricky."),
        (
            74,
            82,
            "Tom Reid",
            "Where would you look first if you wanted other colleagues' course reports?",
        ),
        (85, 95, "Ann Wu", "On the intranet, under my team's page."),
        (96, 104, "Raj Das", "In the shared drive, honestly."),
    )
    (turn,) = structure_transcript(parse_vtt(text)).turns
    assert [a.speaker for a in turn.answers] == ["Ann Wu", "Raj Das"]
    assert "intranet" in turn.answers[0].text
    assert turn.asked_end == pytest.approx(82.0)


def test_a_new_question_after_silence_stays_a_run_of_its_own() -> None:
    # Nobody answered the first question, but the next one asks something else and is not
    # said to be a rewording: the silence must stay visible.
    text = _vtt(
        (1, 50, "Tom Reid", "Welcome, everyone. Let us park the map for now."),
        (51, 58, "Tom Reid", "What are the company's values when it comes to training?"),
        (95, 104, "Tom Reid", "Okay. How could managers follow up after a course?"),
        (106, 115, "Ann Wu", "A short chat in the first week back."),
        (116, 125, "Raj Das", "They could ask what we would change."),
    )
    values, follow_up = structure_transcript(parse_vtt(text)).turns
    assert values.answers == ()
    assert [a.speaker for a in follow_up.answers] == ["Ann Wu", "Raj Das"]


def test_a_question_on_the_same_topic_after_real_answers_opens_a_new_run() -> None:
    # The words overlap and it comes soon, but the first question was answered.
    text = _vtt(
        (1, 50, "Tom Reid", "Welcome, everyone. Let us park the map for now."),
        (51, 58, "Tom Reid", "How could course reports be shared with colleagues?"),
        (60, 75, "Ann Wu", "A monthly newsletter with one paragraph from each report."),
        (76, 90, "Raj Das", "Or a lunch talk where the author presents the main points."),
        (92, 100, "Tom Reid", "And how should the course reports be shared with new colleagues?"),
        (102, 112, "Ann Wu", "As part of the onboarding folder."),
        (113, 120, "Raj Das", "Through their buddy, I think."),
    )
    assert len(structure_transcript(parse_vtt(text)).turns) == 2


def test_reask_evidence_weighs_the_rewording_the_shared_words_and_the_pause() -> None:
    from analysis.transcript import REASK_THRESHOLD, REASK_WEIGHTS, reask_evidence

    def weight(first: str, again: str, after: float) -> float:
        return sum(REASK_WEIGHTS[k] for k in reask_evidence(first, again, seconds_after=after))

    first = "Hvordan kan opgaverne gøres synlige for kollegerne?"
    assert weight(first, "Sagt på en anden måde: hvor skulle man kigge?", 60) >= REASK_THRESHOLD
    assert (
        weight(first, "Hvad skal der til for at kollegerne ser opgaverne?", 10) >= REASK_THRESHOLD
    )
    # Shared words alone, long after, do not make the same question.
    assert weight(first, "Hvad skal der til for at kollegerne ser opgaverne?", 90) < REASK_THRESHOLD
    assert weight(first, "Hvilke værdier har afdelingen?", 10) < REASK_THRESHOLD


def test_a_hesitation_is_no_answer_but_a_short_real_answer_is() -> None:
    def runs(reply: str) -> int:
        text = _vtt(
            (1, 50, "Tom Reid", "Welcome, everyone. Let us park the map for now."),
            (
                51,
                58,
                "Tom Reid",
                "How could the course reports be stored so colleagues can find them?",
            ),
            (62, 68, "Ann Wu", reply),
            (
                70,
                78,
                "Tom Reid",
                "So where should the course reports be stored so colleagues find them?",
            ),
            (80, 90, "Raj Das", "On the intranet, under each team's page."),
        )
        return len(structure_transcript(parse_vtt(text)).turns)

    assert runs("Hmm, that's a good question, I'm not sure.") == 1
    # A real answer, however short, answered it: what follows is a question of its own.
    assert runs("In a shared folder on the team drive, sorted by year.") == 2
