"""Property: whatever the workshop, the group's summary never shows a private answer's words
nor who wrote an anonymous answer."""

from __future__ import annotations

import io
import json

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.summary import build_summary
from analysis.summary.export import to_csv, to_json
from analysis.summary.model import AnswerData, QuestionRunData, WorkshopData
from analysis.summary.render_docx import render_docx
from analysis.summary.render_md import render_markdown

PHRASES = [
    "Vi skal samle opgaverne i en database",
    "Enig med Deltager A",
    "Det er svært",
    "Man burde holde fyraftensmøder",
    "Jeg bakker op om mentorordningen",
    "Ved ikke",
    "Hvad med at lave en podcast om opgaverne",
    "Jeg er ikke enig",
    "+1",
]

answer = st.tuples(
    st.integers(0, 5),  # who
    st.sampled_from(PHRASES),
    st.sampled_from(["public", "private", "anonymous"]),
    st.integers(0, 600),
)


@st.composite
def workshops(draw: st.DrawFn) -> WorkshopData:
    people = [f"Deltager {chr(65 + i)}" for i in range(6)]
    questions = []
    counter = 0
    for position in range(1, draw(st.integers(1, 4)) + 1):
        rows = draw(st.lists(answer, max_size=12))
        answers = []
        for who, phrase, kind, offset in rows:
            counter += 1
            text = phrase
            if kind == "private":
                text = f"{phrase} hemmelig{counter}x"
            answers.append(
                AnswerData(
                    id=str(counter),
                    pseudonym=people[who],
                    text=text,
                    offset_seconds=float(position * 1000 + offset),
                    private=kind == "private",
                    anonymous=kind == "anonymous",
                )
            )
        questions.append(
            QuestionRunData(
                f"q{position}",
                f"Spørgsmål {position}?",
                position,
                opened_offset=float(position * 1000),
                closed_offset=float(position * 1000 + 700),
                answers=tuple(answers),
            )
        )
    return WorkshopData(
        id="w", title="W", lang="da", participants=tuple(people), questions=tuple(questions)
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workshops())
def test_group_outputs_never_leak(data: WorkshopData) -> None:
    summary = build_summary(data, audience="group")
    doc = Document(io.BytesIO(render_docx(summary)))
    outputs = [
        render_markdown(summary),
        to_json(summary),
        to_csv(summary),
        "\n".join(p.text for p in doc.paragraphs),
    ]
    private_ids = {a.id for q in data.questions for a in q.answers if a.private}
    only_anonymous = {a.pseudonym for q in data.questions for a in q.answers if a.anonymous} - {
        a.pseudonym for q in data.questions for a in q.answers if not a.anonymous
    }
    for out in outputs:
        assert "hemmelig" not in out
    facts = json.loads(to_json(summary))
    quoted_ids = {quote["answer_id"] for q in facts["questions"] for quote in q["quotes"]}
    assert not quoted_ids & {int(i) for i in private_ids}
    anonymous_ids = {int(a.id) for q in data.questions for a in q.answers if a.anonymous}
    for q in facts["questions"]:
        for quote in q["quotes"]:
            if quote["answer_id"] in anonymous_ids:
                assert quote["pseudonym"] == "Anonym"
    for q in facts["questions"]:
        for signal in q["signals"]:
            assert signal["speaker"] not in only_anonymous
            assert signal["target"] not in only_anonymous
    for p in facts["proposals"]:
        assert not set(p["proposers"]) & only_anonymous
        assert not set(p["supporters"]) & only_anonymous
    for person in facts["participation"]["people"]:
        assert person["pseudonym"] not in only_anonymous or person["answers"] == 0
