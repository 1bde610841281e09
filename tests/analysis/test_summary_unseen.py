"""Classes of error found on workshops by an author who saw no code (split 'blind3').

Every sentence here is written for these tests, none is taken from the evaluation set:
each test checks a class (courtesy, hedging, ellipsis, rhetoric, burden, counterfactual,
norm, narrative, others' rules; adverbs before "suggest"; themes as written; chat
deflections and typing time), with controls that must still propose or stay unflagged.
"""

from __future__ import annotations

import pytest

from analysis.summary import build_summary
from analysis.summary.model import AnswerData, QuestionRunData, WorkshopData
from analysis.summary.proposals import is_proposal, proposal_evidence
from analysis.summary.themes import _shown

Q_DA = "Hvordan kunne vi dele viden fra kurserne bedre?"
Q_EN = "How could we share what people learn on courses?"


def _q(lang: str) -> str:
    return Q_DA if lang == "da" else Q_EN


NOT_PROPOSALS = [
    # Courtesy as a verbless "answer" to a measure question.
    ("da", "Tusind tak for invitationen."),
    ("da", "Hej allesammen og godmorgen."),
    ("en", "Thank you for the invitation."),
    ("en", "Many thanks for the floor."),
    # Hedging non-answers and "one could say".
    ("da", "Det er et emne, som vi nok kunne diskutere i timevis, og jeg har ikke et klart svar."),
    ("en", "That's a question we could debate for hours, and I honestly don't have an answer."),
    ("da", "Man kunne vel godt sige at kurset handler om samarbejde."),
    ("en", "You could say the course is really about trust."),
    # A modal without its main verb.
    ("en", "we should, but we don't"),
    ("da", "det burde den, men det gør den ikke"),
    # Rhetorical questions.
    ("en", "Could anybody seriously remember a two-day course a year later?"),
    ("da", "Kan nogen overhovedet nå at læse tyve sider i en vagt?"),
    # Duties listed as a burden; a duty causing a lack.
    ("da", "Vi skal lave vagtplaner og vi skal skrive journaler og så skal vi også nå kaffen."),
    (
        "en",
        "We have to file the reports and we have to answer the phones and then we must do the rota.",
    ),
    ("en", "Auditors must sign off by the 10th, so there's no slack at all."),
    ("da", "Vi skal aflevere budgettet i marts, så der er aldrig tid til kurser."),
    (
        "da",
        "Der er mange nye i butikkerne, og de skal så lære kassesystemet og så skal de også tage hygiejnekurset.",
    ),
    (
        "en",
        "We have lots of part-timers and they have to do the e-learning at home and then they must pass a test.",
    ),
    # A generic norm in a subordinate clause.
    ("da", "Og der er jo det med at man ikke skal gå uden om sin leder."),
    # Counterfactuals with particles between the modal and the perfect.
    ("da", "Vi burde jo faktisk have haft den samtale."),
    ("da", "Det skulle nok ikke have været sendt ud så tidligt."),
    ("en", "We should really not have waited so long."),
    # One's own past with a generic "man skal" inside; others' rules in a past story.
    ("da", "Jeg begyndte for et par måneder siden og man skal selv spørge sig frem."),
    (
        "da",
        "Dengang jeg var på kursus, måtte vi ikke tage noter med, men det er jo "
        "kursusstedets regler, og dem må man respektere.",
    ),
]

PROPOSALS = [
    # One or two adverbs between "vil"/"would" and the suggesting verb.
    ("da", "Jeg vil varmt anbefale, at vi laver en fælles mappe."),
    ("da", "Jeg vil altså bare foreslå en fast dag."),
    ("en", "I would humbly suggest a shared folder for the slides."),
    ("en", "I'd strongly recommend a monthly show-and-tell."),
    # A third person's "could just".
    ("da", "Hun kunne jo bare sende et kort referat rundt bagefter."),
    ("en", "They could just post a summary in the channel."),
    # Controls: plain proposals, a purpose clause, two duties without a background
    # statement, a verbless measure, a condition without a comma, a hedge then a proposal.
    ("da", "Vi skal samle opgaverne i en database."),
    ("en", "We must make time for this, so people actually use what they learn."),
    ("da", "Vi skal lave en mappe og vi skal have en tovholder."),
    ("da", "Der er mange gode opgaver, og vi burde samle dem i en mappe."),
    ("da", "Faste makkere til de nyansatte."),
    ("en", "A short welcome session for new starters."),
    ("da", "Når en kollega kommer hjem fra kursus skal lederen spørge ind til det."),
    ("en", "You could say we should have a shared folder."),
    # Words in -te that are no past verb ("første", "ansatte") do not date the sentence.
    ("da", "De første uger kunne man have en fast makker."),
    ("da", "De nyansatte kunne få en makker."),
]


@pytest.mark.parametrize(("lang", "sentence"), NOT_PROPOSALS, ids=lambda v: str(v)[:40])
def test_not_a_proposal(lang: str, sentence: str) -> None:
    found = is_proposal(sentence, lang, question=_q(lang))  # type: ignore[arg-type]
    assert found is None, (sentence, proposal_evidence(sentence, lang, question=_q(lang)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "sentence"), PROPOSALS, ids=lambda v: str(v)[:40])
def test_a_proposal(lang: str, sentence: str) -> None:
    assert is_proposal(sentence, lang, question=_q(lang)) is not None  # type: ignore[arg-type]


def test_the_evidence_names_the_class() -> None:
    burden = proposal_evidence("We must close by the 5th so there is never time.", "en")
    assert "modal" in burden and "burden" in burden
    hedge = proposal_evidence("It's a topic we could discuss forever.", "en")
    assert "hedge" in hedge


def test_a_theme_is_shown_as_written() -> None:
    # The lemma is shown only when it is itself written as often as any form.
    assert _shown("nyansætte", {"nyansatte": 2, "nyansat": 1}) == "nyansatte"
    assert _shown("makker", {"makkere": 1, "makker": 1}) == "makker"
    assert _shown("makke", {"makker": 3}) == "makker"


def _answers(qid: str, rows: list[tuple[float, str, str]]) -> tuple[AnswerData, ...]:
    return tuple(
        AnswerData(id=f"{qid}:{i}", pseudonym=who, text=text, offset_seconds=at)
        for i, (at, who, text) in enumerate(rows, start=1)
    )


def _chat(
    wid: str, number: int, questions: list[tuple[str, float, list[tuple[float, str, str]]]]
) -> WorkshopData:
    runs = tuple(
        QuestionRunData(
            question_id=f"q{i}",
            text=text,
            position=i,
            opened_offset=opened,
            closed_offset=opened + 600,
            answers=_answers(f"{wid}q{i}", rows),
        )
        for i, (text, opened, rows) in enumerate(questions, start=1)
    )
    people = tuple(dict.fromkeys(who for _, _, rows in questions for _, who, _ in rows))
    return WorkshopData(
        id=wid, title=wid, lang="da", series="Læring", number_in_series=number,
        participants=people, questions=runs,
    )  # fmt: skip


def test_a_new_theme_is_shown_in_the_participants_words() -> None:
    first = _chat(
        "w1",
        1,
        [("Hvordan kan viden deles?", 100, [
            (130, "Deltager A", "Vi skal holde fyraftensmøder om opgaverne."),
            (160, "Deltager B", "Opgaverne kunne ligge i en fælles database."),
        ])],
    )  # fmt: skip
    second = _chat(
        "w2",
        2,
        [("Hvordan kan viden deles?", 100, [
            (130, "Deltager A", "De nyansatte burde få en makker fra første dag."),
            (160, "Deltager B", "Ja, de nyansatte mangler en makker, især i vagterne."),
            (190, "Deltager C", "Min makker lærte mig mere end introduktionskurset."),
        ])],
    )  # fmt: skip
    shown = [t.term for t in build_summary(second, earlier=[first]).novelty.new_terms]
    text = " ".join(a.text.lower() for q in second.questions for a in q.answers)
    assert shown, "the new themes should be shown"
    for term in shown:
        assert term in text, f"{term!r} is not a form any participant wrote"
    assert any("nyansat" in t or "makker" in t for t in shown)


def test_a_values_question_met_with_chat_deflections_is_a_silence() -> None:
    data = _chat(
        "w",
        1,
        [
            ("Hvilke værdier skal styre vores efteruddannelse?", 100, [
                (130, "Deltager A", "godt spm 😅 spørg min leder"),
                (150, "Deltager B", "afhænger af hvem man spørger"),
                (170, "Deltager C", "næste spørgsmål? 🙈"),
                (190, "Deltager D", "over min lønklasse 😂"),
            ]),
            ("Hvordan kan viden deles?", 800, [
                (830, "Deltager A", "Vi skal samle opgaverne i en fælles database med søgning."),
                (850, "Deltager B", "En tråd i Teams hvor man poster hvad man har lært på kurset."),
                (870, "Deltager C", "Det afhænger af om lederne giver tid til at læse dem bagefter."),
            ]),
        ],
    )  # fmt: skip
    flagged = {s.question_id: s for s in build_summary(data).silences}
    assert "q1" in flagged and "avoided" in flagged["q1"].reasons
    # A long answer that begins "Det afhænger af …" is a real answer, not a deflection.
    assert "q2" not in flagged


def _typed(first_words: int) -> WorkshopData:
    long_answer = (
        "Tak for et godt spørgsmål og tak for oplægget, som jeg synes var spændende. "
        + "Jeg har selv taget et modul for nogle år siden og opgaven ligger stadig i en mappe. " * 3
        + "Jeg tænker at vi kunne oprette et fælles bibliotek, hvor alle opgaver bliver lagt ind."
    )
    first = " ".join(long_answer.split()[:first_words])
    return _chat(
        "w",
        1,
        [
            ("Hvordan kan viden fra kurserne samles?", 100, [
                (240, "Deltager A", first),
                (280, "Deltager B", "Enig, og vi skal også have en fast tovholder på biblioteket."),
                (320, "Deltager C", "Man kunne lave en kort skabelon til at beskrive opgaven."),
            ]),
            ("Hvordan kan viden deles?", 800, [
                (830, "Deltager A", "Vi skal holde fyraftensmøder om opgaverne hver måned."),
                (860, "Deltager B", "En tråd i Teams hvor man poster hvad man har lært."),
                (880, "Deltager C", "Lederne burde spørge ind til kurset på næste møde."),
            ]),
        ],
    )  # fmt: skip


def test_typing_a_long_first_answer_in_a_chat_is_no_slow_start() -> None:
    long_flags = {s.question_id: s.reasons for s in build_summary(_typed(60)).silences}
    assert "slow_start" not in long_flags.get("q1", ())
    # The same wait before a four-word answer is still a slow start.
    short_flags = {s.question_id: s.reasons for s in build_summary(_typed(4)).silences}
    assert "slow_start" in short_flags.get("q1", ())
