"""Proposals behind opinion and wish frames, and what only looks like one (issue 12).

The sentences are written for these tests, not taken from the evaluation set: the classes
are an opinion frame before a measure ("Jeg tænker en …", "I'm thinking …"), a wish stated
as a cleft ("what I'd like is for …", "Det jeg gerne vil have er …"), a measure and its
effect ("… would help a great deal"), a question that puts a measure forward in answer to
"how could we …?"; and against them: wishes that regret the past or name a lack, rules
stated with their source, "skal jo" remarks.
"""

from __future__ import annotations

import pytest

from analysis.summary import build_summary
from analysis.summary.from_transcript import workshop_data_from_structure
from analysis.summary.model import AnswerData, QuestionRunData, WorkshopData
from analysis.summary.proposals import WEIGHTS, is_proposal, proposal_evidence
from analysis.transcript import parse_vtt, structure_transcript

HOW_DA = "Hvordan kan vi passe på de fortrolige oplysninger?"
HOW_EN = "How could the reports be kept safe?"
WHY_EN = "Why does nobody read the reports?"


@pytest.mark.parametrize(
    ("sentence", "lang", "question"),
    [
        # An opinion frame before a noun phrase puts that thing forward.
        ("Jeg tænker at en fast telefontid hos HR hver torsdag.", "da", None),
        ("Jamen så tænker jeg et lille skema på opslagstavlen med navn og kursus.", "da", None),
        ("Altså jeg tænker en kort mail fra lederen efter hvert kursus.", "da", None),
        ("I'm thinking a shared calendar with every course and who went.", "en", None),
        ("Jeg tænker sådan noget som en månedlig nyhedsmail.", "da", None),
        ("Personally I think a short checklist for the first week.", "en", None),
        ("I was thinking maybe a quarterly lunch where people present.", "en", None),
        # A wish stated as a cleft.
        ("What I'd like is for HR to send a reminder a week after the course.", "en", None),
        (
            "What we really need is a named person in each team who collects the reports.",
            "en",
            None,
        ),
        ("Det jeg gerne vil have er at lederen følger op efter tre uger.", "da", None),
        ("Det vi kunne tænke os er en fast dag til sparring.", "da", None),
        ("My wish would be a short debrief for everyone who comes back.", "en", None),
        # A measure and its effect.
        ("A buddy system for new starters would help a great deal.", "en", None),
        ("Monthly drop-in sessions would go a long way.", "en", None),
        ("En fast makker det første år ville hjælpe rigtig meget.", "da", None),
        ("Kortere kurser med opfølgning ville gøre en stor forskel.", "da", None),
        # A question that proposes, in answer to a how-question.
        ("Could the team lead approve each report before it is shared?", "en", HOW_EN),
        ("Kunne forfatteren selv vælge hvilke afsnit der deles?", "da", HOW_DA),
        # A wish of one's own after a condition; a modal of "vi" after "synes jeg".
        ("Hvis vi skal fortælle om det, så vil jeg gerne selv vælge hvornår.", "da", None),
        (
            "Det Karin sagde om tjeklisten, det synes jeg vi skal indføre i hele afdelingen.",
            "da",
            None,
        ),
        # A wish about what others should do from now on proposes.
        ("I wish HR would send the course list to team leads.", "en", None),
        ("Jeg ville ønske at der var en liste over hvem der har taget hvilke kurser.", "da", None),
    ],
)
def test_framed_and_wished_measures_are_proposals(
    sentence: str, lang: str, question: str | None
) -> None:
    assert is_proposal(sentence, lang, question=question) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sentence", "lang", "question"),
    [
        # Regret: the wished clause is a past perfect.
        ("Jeg ville ønske at min leder havde spurgt til det.", "da", None),
        ("I wish someone had told me about the archive.", "en", None),
        ("I wish I had known that earlier.", "en", None),
        ("Jeg ville ønske jeg havde vidst det noget før.", "da", None),
        ("I wish there had been a handover.", "en", None),
        # A lack, not a measure.
        ("Jeg ville ønske at vi havde mere tid til borgerne.", "da", None),
        ("I wish we had more time for this.", "en", None),
        ("I wish there was more time in the rota.", "en", None),
        ("Jeg ville ønske vi havde flere hænder.", "da", None),
        # Rules stated as facts, with their source.
        (
            "We have to record every course in the learning portal, that's a rule from the group.",
            "en",
            None,
        ),
        ("The guidelines say we must not forward client files.", "en", None),
        ("Kontrakten siger at vi skal slette data efter et år.", "da", None),
        ("Det er en regel fra hovedkontoret at vi skal registrere alle timer.", "da", None),
        ("Head office says we have to keep the logs for five years.", "en", None),
        ("Ledelsen siger at vi skal dele mere, men der er ingen tid.", "da", None),
        # "skal jo", "må man jo": remarks on what is known or allowed.
        ("Det må man jo også gerne.", "da", None),
        ("Så skal vi jo ikke klage.", "da", None),
        ("Det skal de jo have lov til.", "da", None),
        # A question proposes only in answer to a how-question, and not when it asks a
        # person to explain or doubts.
        ("Could the author decide which parts go out?", "en", WHY_EN),
        ("Could you explain what you mean by that?", "en", HOW_EN),
        ("Could it be that nobody has time?", "en", HOW_EN),
        ("Kunne du sige lidt mere om det?", "da", HOW_DA),
        # An opinion frame before a clause of its own states an opinion.
        ("Jeg tænker at det er svært for de nye.", "da", None),
        ("I think the problem is time.", "en", None),
        ("Jeg synes det er en god pointe.", "da", None),
        # Agreeing with someone else's measure; assuring it can be done.
        ("That would help a lot.", "en", None),
        ("Det kan vi godt styre med adgangskoder.", "da", None),
    ],
)
def test_regrets_lacks_rules_and_remarks_are_not(
    sentence: str, lang: str, question: str | None
) -> None:
    assert is_proposal(sentence, lang, question=question) is None, proposal_evidence(
        sentence,
        lang,  # type: ignore[arg-type]
        question=question,
    )


def test_the_tense_of_the_wished_clause_decides() -> None:
    # The same wish: about what others do from now on, it proposes; about what they did
    # not do, it regrets (the evidence names the perfect).
    assert is_proposal("I wish managers asked about the course.", "en") is not None
    regret = proposal_evidence("I wish managers had asked about the course.", "en")
    assert "regret" in regret and "had asked" in regret["regret"]
    assert sum(WEIGHTS[k] for k in regret) < 1.0


def _chat(question: str, *answers: tuple[str, str]) -> WorkshopData:
    run = QuestionRunData(
        question_id="q1",
        text=question,
        position=1,
        opened_offset=0.0,
        closed_offset=900.0,
        answers=tuple(
            AnswerData(
                id=f"a{i}", pseudonym=who, text=text, offset_seconds=60.0 * (i + 1), source="chat"
            )
            for i, (who, text) in enumerate(answers)
        ),
    )
    people = tuple(dict.fromkeys(who for who, _ in answers))
    return WorkshopData(
        id="w",
        title="w",
        lang="en",
        series="",
        number_in_series=1,
        participants=people,
        questions=(run,),
    )


def test_a_measure_restated_in_agreement_joins_the_proposal_it_agrees_with() -> None:
    data = _chat(
        "What could managers do after a course?",
        (
            "Participant A",
            "Managers should book a short debrief call with everyone back from a course.",
        ),
        (
            "Participant B",
            "I agree with Participant A. A debrief with their manager would make a real difference.",
        ),
        (
            "Participant C",
            "I agree with Participant A. A list of who took which course would help a great deal.",
        ),
    )
    summary = build_summary(data)
    debrief = [p for p in summary.proposals if any("debrief" in m.sentence for m in p.mentions)]
    assert len(debrief) == 1
    assert set(debrief[0].proposers) == {"Participant A", "Participant B"}
    # A measure of its own in the same question stays a proposal of its own.
    assert any(p.text.startswith("A list of who took") for p in summary.proposals)


def test_an_elliptical_proposal_after_an_acknowledgement_still_opens_the_answer() -> None:
    data = _chat(
        "What should we change so the reports get read?",
        ("Participant A", "Managers should ask about the report."),
        ("Participant B", "Agreed. Also: a fixed slot at the team meeting for course news."),
        ("Participant C", "I went on two courses last year. A binder in the staff room."),
    )
    texts = [m.sentence for p in build_summary(data).proposals for m in p.mentions]
    assert any("fixed slot" in t for t in texts)
    # After a sentence of its own, a bare noun phrase elaborates; it proposes nothing.
    assert not any("binder" in t for t in texts)


def _stamp(t: float) -> str:
    return f"00:{int(t) // 60:02d}:{int(t) % 60:02d}.000"


def _voice(*cues: tuple[float, float, str, str]) -> WorkshopData:
    vtt = "WEBVTT\n\n" + "\n".join(
        f"{_stamp(a)} --> {_stamp(b)}\n<v {who}>{text}</v>\n" for a, b, who, text in cues
    )
    transcript = parse_vtt(vtt)
    structure = structure_transcript(transcript)
    return workshop_data_from_structure(
        structure, speakers=transcript.speakers, lang="da", title="v"
    )


def test_a_reworded_question_does_not_meet_silence_but_an_abandoned_one_does() -> None:
    intro = (1, 60, "Ida Holm", "Velkommen til. Vi har kigget på kortet, nu lægger vi det væk.")
    reworded = _voice(
        intro,
        (
            61,
            68,
            "Ida Holm",
            "Hvordan kan jeres kursusopgaver blive brugt i hverdagen på afdelingen?",
        ),
        (
            92,
            100,
            "Ida Holm",
            "Sagt på en anden måde, hvad skulle der ske med opgaven når I kommer hjem?",
        ),
        (103, 112, "Per Lund", "Lederen burde læse den og tale med os om den."),
        (113, 122, "Sanne Bro", "Vi kunne fortælle om den på næste personalemøde."),
    )
    assert len(reworded.questions) == 1
    assert build_summary(reworded).silences == ()
    abandoned = _voice(
        intro,
        (
            61,
            68,
            "Ida Holm",
            "Hvilke værdier står der i jeres personalepolitik om efteruddannelse?",
        ),
        (110, 118, "Ida Holm", "Okay. Hvordan kan jeres kursusopgaver blive brugt på afdelingen?"),
        (120, 130, "Per Lund", "Lederen burde læse dem og tale med os om dem."),
        (131, 140, "Sanne Bro", "Vi kunne fortælle om dem på næste personalemøde."),
    )
    assert len(abandoned.questions) == 2
    flagged = [s.text for s in build_summary(abandoned).silences]
    assert len(flagged) == 1 and flagged[0].startswith("Hvilke værdier")
