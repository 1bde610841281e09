"""The summary of voice and chat workshops reads them as the thesis author did (issue 12).

Proposals at sentence level, silences with their evidence, new perspectives as themes with
their sentences, adjustments only from evidence, and quotes that differ from what was said
only where a name was replaced — in every output format.
"""

from __future__ import annotations

import csv
import io
import json
import re
from difflib import SequenceMatcher

import pytest
from docx import Document

from analysis.summary import build_summary
from analysis.summary.export import to_csv, to_json
from analysis.summary.from_transcript import pseudonyms_for, workshop_data_from_structure
from analysis.summary.model import AnswerData, QuestionRunData, Summary, WorkshopData
from analysis.summary.proposals import is_proposal
from analysis.summary.render_docx import render_docx
from analysis.summary.render_md import render_markdown
from analysis.transcript import parse_vtt, structure_transcript


@pytest.mark.parametrize(
    ("sentence", "lang"),
    [
        ("Det burde være en pligt at man formidler sin viden til kollegerne.", "da"),
        ("Pointerne burde også rapporteres opad.", "da"),
        ("Vi kunne gå mindst to sammen på kursus.", "da"),
        ("Det kunne være en god idé at krystallisere tre pointer fra hver opgave.", "da"),
        ("Hvis man kunne abonnere på kollegernes pointer, ville det hjælpe.", "da"),
        ("Det er anbefalet at man taler om det på vores møder.", "da"),
        ("Lad os tage bæredygtighed med, når vi køber IT.", "da"),
        ("Lederen bør spørge til opgaven ved MUS.", "da"),
        ("Måske kunne en tillidsrepræsentant samle de kritiske pointer.", "da"),
        ("We should share a one-page summary of every assignment.", "en"),
        ("Managers could ask about the course a month later.", "en"),
        ("Let's try a lunch talk once a month.", "en"),
        ("We need to protect a few hours in the first week back.", "en"),
        ("What if HR tagged each summary with its topics?", "en"),
        ("Hvad hvis teamlederen samlede pointerne i et kort notat?", "da"),
        ("Jeg kunne godt tænke mig en fast makker fra samme kursus.", "da"),
        ("Det ville gøre en stor forskel hvis opgaverne lå samlet ét sted.", "da"),
        ("En idé kunne være at bruge fredagsmødet til det.", "da"),
        ("Hvorfor laver vi ikke en fælles mappe til opgaverne?", "da"),
        ("I'd recommend a short checklist for the first week back.", "en"),
        ("One option would be a monthly digest from HR.", "en"),
        ("It would really help to have the assignments in one searchable place.", "en"),
        ("I wish managers asked what we learned.", "en"),
    ],
)
def test_deontic_and_hypothetical_sentences_are_proposals(sentence: str, lang: str) -> None:
    assert is_proposal(sentence, lang) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sentence", "lang"),
    [
        ("Jeg har kun været i HK et års tid, så jeg ved ikke hvad der skal til.", "da"),
        ("Fordi vi skal køre, med en bestemt samtaleteknik.", "da"),
        ("Sidst blev punktet strøget fordi vi skulle nå en sag.", "da"),
        ("Jeg skrev om hvordan vi kunne forkorte ventetiden på telefonen.", "da"),
        ("Hvis man skal udfylde en lang formular, så sker det ikke.", "da"),
        ("Jeg fik at vide at jeg skulle på kursus.", "da"),
        ("Hvad skal vi gøre ved det?", "da"),
        ("Problemet er at vi skal nå alt for meget.", "da"),
        ("Nej, jeg kan ikke svare på det.", "da"),
        ("Last year we were told we should email it to HR.", "en"),
        ("I would have loved a mentor in my first year.", "en"),
        ("Because we have to use a fixed script on every call.", "en"),
        ("What should we do about it?", "en"),
        ("I have only been here for a year, so I do not know what we should do.", "en"),
        ("Vi skal jo altid nå vores sager, så der er ingen tid til læsning.", "da"),
        ("Man må hele tiden prioritere telefonerne.", "da"),
        ("We always have to answer the phones first, so reading waits.", "en"),
    ],
)
def test_complaints_narrative_questions_and_background_are_not(sentence: str, lang: str) -> None:
    assert is_proposal(sentence, lang) is None  # type: ignore[arg-type]


# A voice workshop rebuilt in the thesis's way: speaker labels, names that are words, a
# facilitator who asks, a complaint, a silence the facilitator notes.
W1 = """WEBVTT

00:00:02.000 --> 00:06:00.000
<v Bruger F>Velkommen. Her er kortet over opgaverne, og nu parkerer vi det igen.</v>

00:06:01.000 --> 00:06:08.000
<v Bruger F>Hvordan kan den viden formidles effektfuldt?</v>

00:06:12.000 --> 00:06:30.000
<v Bo Vinter>Vi kunne gå mindst to sammen på kursus, så man har en at dele det med.</v>

00:06:31.000 --> 00:06:50.000
<v Bruger B>Enig med Bo. Det er et godt forslag.</v>

00:06:52.000 --> 00:07:20.000
<v Kollega C>Fordi vi skal køre, med en bestemt samtaleteknik. Den bruger vi hver dag.</v>

00:07:30.000 --> 00:07:36.000
<v Bruger F>Hvad er HKs værdier?</v>
"""

W2 = """WEBVTT

00:00:02.000 --> 00:03:00.000
<v Bruger F>Velkommen igen. Vi parkerer kortet.</v>

00:03:01.000 --> 00:03:08.000
<v Bruger F>Hvordan kan den viden formidles effektfuldt?</v>

00:03:12.000 --> 00:03:40.000
<v Kollega C>Det burde være en pligt at man formidler sin viden. Pointerne burde også rapporteres opad.</v>

00:03:41.000 --> 00:03:50.000
<v Per Mark>Jeg er enig med Kollega C. Per måned bruger HK mange penge på kurser.</v>

00:03:52.000 --> 00:04:30.000
<v Bo Vinter>Men der er noget janteloven over det. Kommer man hjem og siger noget klogt, bliver man kaldt akademiker af Per.</v>

00:04:32.000 --> 00:04:40.000
<v Kollega C>Fordi vi skal køre, med en bestemt samtaleteknik.</v>

00:05:00.000 --> 00:05:06.000
<v Bruger F>Hvad er den enkelte ansattes værdier?</v>

00:05:50.000 --> 00:05:53.000
<v Bruger F>Ja så blev der meget stille.</v>

00:06:10.000 --> 00:06:14.000
<v Kollega C>Nej, jeg kan ikke…</v>

00:06:16.000 --> 00:06:18.000
<v Per Mark>Det ved jeg ikke.</v>
"""

PLAN = [
    "Hvad er HKs værdier?",
    "Hvad er den enkelte ansattes værdier?",
    "Hvordan kan den viden formidles effektfuldt?",
]


def _workshop(text: str, number: int, name: str) -> tuple[WorkshopData, dict[str, str]]:
    transcript = parse_vtt(text)
    structure = structure_transcript(transcript, PLAN)
    names = pseudonyms_for(structure, transcript.speakers, "da")
    data = workshop_data_from_structure(
        structure,
        speakers=transcript.speakers,
        lang="da",
        title=name,
        question_ids=["q1", "q2", "q9"],
        question_texts=PLAN,
        workshop_id=name,
        series="Transfer",
        number_in_series=number,
        org="HK",
    )
    return data, names


@pytest.fixture(scope="module")
def series() -> tuple[Summary, WorkshopData, WorkshopData]:
    w1, _ = _workshop(W1, 1, "w1")
    w2, _ = _workshop(W2, 2, "w2")
    return build_summary(w2, earlier=[w1]), w1, w2


def test_every_proposal_sentence_is_found_and_quoted_verbatim(
    series: tuple[Summary, WorkshopData, WorkshopData],
) -> None:
    summary, _, w2 = series
    texts = [p.text for p in summary.proposals]
    assert "Det burde være en pligt at man formidler sin viden." in texts
    assert "Pointerne burde også rapporteres opad." in texts
    assert not any("samtaleteknik" in t or "Per måned" in t for t in texts)
    said = [a.text for a in w2.all_answers]
    for p in summary.proposals:
        for m in p.mentions:
            assert any(m.sentence in s for s in said)
    # "Jeg er enig med Kollega C" backs both of C's proposals.
    duty = next(p for p in summary.proposals if "pligt" in p.text)
    assert duty.supporters == ("Deltager B",) and duty.support_count == 1


def test_the_silence_is_flagged_with_its_evidence(
    series: tuple[Summary, WorkshopData, WorkshopData],
) -> None:
    summary, _, _ = series
    values = next(s for s in summary.silences if s.question_id == "q2")
    assert {"gap", "noted_silence", "refusals"} <= set(values.reasons)
    assert values.gap_seconds == pytest.approx(64, abs=1)
    assert any(e.endswith("Facilitator: Ja så blev der meget stille.") for e in values.evidence)
    assert any(e.endswith("Deltager A: Nej, jeg kan ikke…") for e in values.evidence)
    md = render_markdown(summary)
    assert "Ja så blev der meget stille." in md and "64 sek." in md
    assert "Ingen spørgsmål mødte tavshed" not in md


def test_a_question_without_any_answer_is_a_silence() -> None:
    w1, _ = _workshop(W1, 1, "w1")
    summary = build_summary(w1)
    values = next(s for s in summary.silences if s.question_id == "q1")
    assert "no_answers" in values.reasons


def test_new_perspectives_are_themes_with_their_sentence(
    series: tuple[Summary, WorkshopData, WorkshopData],
) -> None:
    summary, _, _ = series
    themes = {t.term: t for t in summary.novelty.new_terms}
    # Shown as written ("janteloven"), never as the lemma only the lemmatizer knows.
    assert "janteloven" in themes and "akademiker" in themes
    jante = themes["janteloven"]
    assert jante.sentence == "Men der er noget janteloven over det."
    assert jante.pseudonym == "Deltager C"
    everyday = {
        "stille",
        "stor",
        "gerne",
        "selvfølgelig",
        "tale",
        "tid",
        "arbejde",
        "leder",
        "lære",
    }
    assert not everyday & {p for t in themes for p in t.split()}
    # The earlier workshop's "kursus" came back ("kurser"): not new. Verbs are no themes.
    assert "kursus" not in themes
    assert not {"rapportere", "formidle", "kalde"} & set(themes)
    md = render_markdown(summary)
    assert "**janteloven** — «Men der er noget janteloven over det.»" in md


def test_a_complaint_never_becomes_a_follow_up_question(
    series: tuple[Summary, WorkshopData, WorkshopData],
) -> None:
    summary, _, _ = series
    for a in summary.adjustments:
        assert "samtaleteknik" not in (a.text or "") and "samtaleteknik" not in a.reason
    follow = [a for a in summary.adjustments if a.kind == "add_follow_up"]
    assert follow and all(a.answer_ids for a in follow)  # each cites its proposal's answers


def test_a_long_intro_is_cited_from_the_timing() -> None:
    w1, _ = _workshop(W1, 1, "w1")
    intro = next(a for a in build_summary(w1).adjustments if a.kind == "shorten_intro")
    assert "Facilitatoren talte i 6 af 8 min." in intro.reason


# ------------------------------------------------ quotes: only names may differ, anywhere


def _name_only_changes(source: str, quoted: str, names: dict[str, str]) -> bool:
    """Whether ``quoted`` is ``source`` with some names replaced by their pseudonyms."""
    a, b = source.split(), quoted.split()
    pseudonym_words = {w for p in names.values() for w in p.split()}
    name_words = {w.strip(".,:;!?") for n in names for w in n.split()}
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        removed = [w.strip(".,:;!?'s") for w in a[i1:i2]]
        added = [w.strip(".,:;!?") for w in b[j1:j2]]
        if not removed or not all(w in name_words or w.rstrip("s") in name_words for w in removed):
            return False
        if not all(w in pseudonym_words or w.rstrip("s") in pseudonym_words for w in added):
            return False
    return True


def _quotes(summary: Summary) -> list[str]:
    out = [q.text for s in summary.questions for q in s.quotes]
    out += [m.sentence for p in summary.proposals for m in p.mentions]
    out += [t.sentence for t in (*summary.novelty.new_terms, *summary.novelty.untouched)]
    out += [e.split(": ", 1)[1] for s in summary.silences for e in s.evidence]
    return out


def test_no_quote_in_any_format_differs_from_what_was_said_but_for_names(
    series: tuple[Summary, WorkshopData, WorkshopData],
) -> None:
    summary, _, _ = series
    transcript = parse_vtt(W2)
    names = pseudonyms_for(structure_transcript(transcript, PLAN), transcript.speakers, "da")
    said = [u.text for u in transcript.utterances]
    quotes = _quotes(summary)
    assert len(quotes) >= 10
    for quote in quotes:
        # Each quote is a stretch of one utterance, changed only where a name was.
        source = next((s for s in said if _name_only_changes(s, quote, names) or quote in s), None)
        if source is None:
            source = max(said, key=lambda s: SequenceMatcher(None, s, quote).ratio())
            window = source[: len(quote) + 40]
            assert _name_only_changes(window, quote, names) or any(
                _name_only_changes(s, quote, names) for s in re.split(r"(?<=[.!?…])\s+", source)
            ), (quote, source)
    # The ordinary words survived the names "Bruger B" / "Per Mark" / "Bo Vinter".
    md = render_markdown(summary)
    assert "Per måned bruger HK mange penge på kurser." in md
    # Every format carries the same quotes verbatim.
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(summary))).paragraphs)
    data = json.loads(to_json(summary))
    json_quotes = {q["text"] for s in data["questions"] for q in s["quotes"]}
    csv_quotes = {row["text"] for row in csv.DictReader(io.StringIO(to_csv(summary)))}
    for quote in (q.text for s in summary.questions for q in s.quotes):
        assert quote in md and quote in docx_text
        assert quote in json_quotes and quote in csv_quotes
    for quote in _quotes(summary):
        assert quote in md and quote in docx_text


def test_themes_name_things_not_actions_or_qualities() -> None:
    from analysis.summary.prepared import prepare
    from analysis.summary.themes import find_themes

    run = QuestionRunData(
        "q1",
        "Hvordan?",
        1,
        answers=(
            AnswerData("1", "Deltager A", "Vi kunne forkorte ventetiden med en chatbot.", 10.0),
            AnswerData("2", "Deltager B", "Jeg skrev ret kritisk om vagtplanerne.", 20.0),
        ),
    )
    data = WorkshopData("w", "w", questions=(run,))
    answers = [a for q in prepare(data, lang="da", audience="facilitator") for a in q.answers]
    themes = find_themes(answers, lang="da")
    assert "chatbot" in themes and "vagtplan" in themes
    assert "forkorte" not in themes and "kritisk" not in themes
    assert themes["chatbot"].sentence == "Vi kunne forkorte ventetiden med en chatbot."
