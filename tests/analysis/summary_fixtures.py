"""Invented Danish and English workshops for the summary tests (no real people)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analysis.summary.model import AnswerData, QuestionRunData, WorkshopData

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _answers(
    prefix: str, rows: list[tuple[int, str, str]], **flags: object
) -> tuple[AnswerData, ...]:
    out = []
    for i, (offset, who, text) in enumerate(rows, start=1):
        extra = dict(flags)
        if text.startswith("[privat] "):
            text = text.removeprefix("[privat] ")
            extra["private"] = True
            extra["source"] = "private"
        if text.startswith("[anonym] "):
            text = text.removeprefix("[anonym] ")
            extra["anonymous"] = True
        out.append(
            AnswerData(
                id=f"{prefix}-{i}",
                pseudonym=who,
                text=text,
                offset_seconds=float(offset),
                created_at=START + timedelta(seconds=offset),
                **extra,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


A, B, C, D = "Deltager A", "Deltager B", "Deltager C", "Deltager D"


def danish_workshop() -> WorkshopData:
    """Workshop 2 of a Danish series: proposals on q8, silence on q1, a private answer."""
    q0 = QuestionRunData(
        question_id="q0",
        text="Har HK et særligt ansvar for selv at efteruddanne sine medarbejdere?",
        position=1,
        opened_offset=300,
        closed_offset=900,
        answers=_answers(
            "q0",
            [
                (330, A, "Ja, vi er en fagforening, så vi skal gå foran med efteruddannelse."),
                (360, B, "Enig med Deltager A. Vi taler om det til medlemmerne hele tiden."),
                (400, C, "Jeg er ikke enig, ansvaret ligger også hos den enkelte."),
            ],
        ),
    )
    q1 = QuestionRunData(
        question_id="q1",
        text="Hvad er HKs værdier?",
        position=2,
        opened_offset=900,
        closed_offset=1500,
        answers=_answers("q1", [(1250, A, "Det er svært."), (1300, B, "Ved ikke")]),
    )
    q8 = QuestionRunData(
        question_id="q8",
        text="Hvordan kan viden fra efteruddannelse indsamles, kategoriseres og analyseres?",
        position=3,
        opened_offset=1500,
        closed_offset=2400,
        answers=_answers(
            "q8",
            [
                (1520, A, "Vi skal samle alle opgaverne i en fælles database."),
                (1560, B, "Jeg bakker op om en database med opgaverne, det mangler vi."),
                (1600, C, "Man burde samle opgaverne i en database, så alle kan søge i dem."),
                (
                    1650,
                    D,
                    "Det kunne være en god idé at holde et fyraftensmøde efter hver uddannelse.",
                ),
                (1700, A, "+1 til fyraftensmøde, det giver opfølgning."),
                (1720, C, "[privat] Min leder læser aldrig min opgave, det er demotiverende."),
                (
                    1800,
                    D,
                    "Vi bør lave en mentorordning med kolleger der har taget samme uddannelse.",
                ),
            ],
        ),
    )
    q9 = QuestionRunData(
        question_id="q9",
        text="Hvordan kan den viden formidles effektfuldt?",
        position=4,
        opened_offset=2400,
        closed_offset=3300,
        answers=_answers(
            "q9",
            [
                (2430, B, "[anonym] Hvad med at lave en podcast om opgaverne?"),
                (2500, D, "En podcast kunne være fin, og korte videoer på intranettet."),
                (2600, A, "Fyraftensmøder med oplæg fra dem der har skrevet opgaven."),
            ],
        ),
    )
    return WorkshopData(
        id="w2",
        title="Workshop 2",
        lang="da",
        series="Transfer",
        number_in_series=2,
        started_at=START,
        ended_at=START + timedelta(seconds=3600),
        plan_name="Standard",
        plan_id="default",
        plan_version=2,
        org="HK",
        participants=(A, B, C, D),
        questions=(q0, q1, q8, q9),
        plan_question_ids=("q0", "q8", "q9", "q1"),
    )


def danish_earlier() -> WorkshopData:
    """Workshop 1: the values question met silence too; databases were never mentioned."""
    q1 = QuestionRunData(
        question_id="q1",
        text="Hvad er HKs værdier?",
        position=1,
        opened_offset=600,
        closed_offset=1200,
        answers=_answers("e1", [(1000, A, "Svært at sige.")]),
    )
    q8 = QuestionRunData(
        question_id="q8",
        text="Hvordan kan viden fra efteruddannelse indsamles, kategoriseres og analyseres?",
        position=2,
        opened_offset=1200,
        closed_offset=2000,
        answers=_answers(
            "e8",
            [
                (1230, A, "Vi skal have opfølgning fra lederen efter kurset."),
                (
                    1300,
                    B,
                    "Opfølgning fra lederen er vigtig, og lederen skal læse opgaven. Kompetenceudvikling skal planlægges.",
                ),
                (
                    1400,
                    C,
                    "Kompetenceudvikling skal planlægges i afdelingen og kompetenceudvikling skal følges.",
                ),
            ],
        ),
    )
    return WorkshopData(
        id="w1",
        title="Workshop 1",
        lang="da",
        series="Transfer",
        number_in_series=1,
        started_at=START - timedelta(days=14),
        ended_at=START - timedelta(days=14) + timedelta(seconds=3600),
        plan_name="Standard",
        plan_version=1,
        participants=(A, B, C),
        questions=(q1, q8),
    )


P = ("Participant A", "Participant B", "Participant C")


def english_workshop() -> WorkshopData:
    """A short English workshop with grouped proposals and agreement."""
    qa = QuestionRunData(
        question_id="q9",
        text="How can the knowledge be communicated effectively?",
        position=1,
        opened_offset=120,
        closed_offset=900,
        answers=_answers(
            "en",
            [
                (
                    150,
                    P[0],
                    "We should publish a short summary of every assignment on the intranet.",
                ),
                (200, P[1], "I agree with Participant A, a summary on the intranet would help."),
                (
                    260,
                    P[2],
                    "I suggest we publish assignment summaries on the intranet every month.",
                ),
                (320, P[1], "Why don't we invite authors to present at team meetings?"),
                (400, P[2], "I don't agree, presentations take too much time."),
            ],
        ),
    )
    qb = QuestionRunData(
        question_id="q1",
        text="What are the organisation's values?",
        position=2,
        opened_offset=900,
        closed_offset=1500,
        answers=_answers("ev", [(1200, P[0], "I don't know."), (1260, P[2], "Hard to say.")]),
    )
    return WorkshopData(
        id="e1",
        title="Workshop EN",
        lang="en",
        series="Transfer EN",
        number_in_series=1,
        started_at=START,
        plan_name="Default",
        participants=P,
        questions=(qa, qb),
    )
