"""Speed of the "what now" summary: 50 participants × 15 questions × 3 answers (2,250 answers).

Builds a synthetic Danish workshop (deterministic: proposals, agreement, hard answers,
private and anonymous answers, one earlier workshop in the series, the real corpus map when
it can be built), then times:

- ``build_summary`` with a warm spaCy pipeline (the bot loads it once at start-up), the
  cold first call (pipeline load included) reported beside it;
- the DOCX with pictures (charts + the revisited map + python-docx);
- the Markdown, JSON and the Teams card.

Targets from the issue: summary < 2 s, DOCX with pictures < 5 s (2-core machine).
Results are printed and appended to ``bench/results/summary.md``.

Run: ``python bench/summary.py [--participants 50] [--questions 15] [--per-question 3]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.summary import build_summary  # noqa: E402
from analysis.summary.charts import summary_charts  # noqa: E402
from analysis.summary.export import to_json  # noqa: E402
from analysis.summary.model import AnswerData, CorpusMapData, QuestionRunData, WorkshopData  # noqa: E402
from analysis.summary.render_docx import render_docx  # noqa: E402
from analysis.summary.render_md import render_markdown  # noqa: E402
from bench._record import append_result  # noqa: E402

_WORDS = (
    "opgave opgaverne database fyraftensmøde mentorordning podcast intranet leder lederen "
    "kollega kolleger afdeling strategi vision værdier opfølgning viden kursus uddannelse "
    "efteruddannelse kompetencer netværk møde plan budget tid medarbejdere evaluering "
    "problemformulering transfer praksis erfaring"
)
NOUNS = tuple(_WORDS.split())
PROPOSE = (
    "Vi skal",
    "Man burde",
    "Vi bør",
    "Det kunne være en god idé at",
    "Jeg foreslår at vi",
    "Hvad med at",
)
VERBS = (
    "samle",
    "dele",
    "lave",
    "holde",
    "prioritere",
    "følge op på",
    "bruge",
    "præsentere",
    "afsætte tid til",
)
OTHER = (
    "Jeg synes {a} og {b} hænger sammen i vores afdeling.",
    "Hos os mangler der {a}, især når det gælder {b}.",
    "Det er svært at sige noget om {a}.",
    "Ved ikke.",
    "Enig, {a} er vigtig.",
    "Jeg er ikke enig, {a} er ikke problemet.",
    "+1 til {a}",
    "Min erfaring er at {a} fylder mere end {b}.",
)


def make_workshop(
    *, participants: int, questions: int, per_question: int, seed: int, number: int
) -> WorkshopData:
    rng = random.Random(seed)
    people = [f"Deltager {i + 1}" for i in range(participants)]
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(days=14 * number)
    runs: list[QuestionRunData] = []
    clock = 300.0
    counter = 0
    for qi in range(questions):
        opened = clock
        answers: list[AnswerData] = []
        t = opened + rng.uniform(10, 200)
        for person in people:
            for _ in range(per_question):
                counter += 1
                a, b = rng.sample(NOUNS, 2)
                if rng.random() < 0.35:
                    text = f"{rng.choice(PROPOSE)} {rng.choice(VERBS)} {a} og {b}."
                else:
                    text = rng.choice(OTHER).format(a=a, b=b)
                if rng.random() < 0.3:
                    text += f" {rng.choice(OTHER).format(a=b, b=a)}"
                answers.append(
                    AnswerData(
                        id=f"{number}-{counter}",
                        pseudonym=person,
                        text=text,
                        offset_seconds=t,
                        created_at=start + timedelta(seconds=t),
                        private=rng.random() < 0.05,
                        anonymous=rng.random() < 0.05,
                    )
                )
                t += rng.uniform(0.1, 1.5)
        answers.sort(key=lambda x: x.offset_seconds)
        clock = t + 60
        runs.append(
            QuestionRunData(
                question_id=f"q{qi}",
                text=f"Spørgsmål {qi}: hvordan arbejder vi med {NOUNS[qi % len(NOUNS)]}?",
                position=qi + 1,
                opened_offset=opened,
                closed_offset=clock,
                answers=tuple(answers),
                time_box_seconds=600,
            )
        )
    return WorkshopData(
        id=f"w{number}",
        title=f"Benchmark workshop {number}",
        lang="da",
        series="Bench",
        number_in_series=number,
        started_at=start,
        ended_at=start + timedelta(seconds=clock),
        plan_name="default",
        plan_version=number,
        org="HK",
        participants=tuple(people),
        questions=tuple(runs),
        plan_question_ids=tuple(r.question_id for r in runs),
    )


def corpus_map() -> CorpusMapData | None:
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        return None
    import json
    import tempfile

    from analysis.pipeline import AnalysisOptions, run_analysis, write_outputs
    from analysis.summary.mapdata import corpus_map_from_json

    result = run_analysis([corpus], options=AnalysisOptions(max_terms=150))
    with tempfile.TemporaryDirectory() as folder:
        write_outputs(result, folder)
        data = json.loads((Path(folder) / "network.json").read_text(encoding="utf-8"))
    return corpus_map_from_json(data, name="corpus")


CPU: dict[str, float] = {}


def timed(fn, repeat: int = 3, *, name: str = ""):  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs; the CPU time of that process is kept in CPU[name]
    (the machine is shared: CPU seconds show what the code costs when others are busy)."""
    best = float("inf")
    best_cpu = float("inf")
    value = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    CPU[name] = best_cpu
    return best, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--questions", type=int, default=15)
    parser.add_argument("--per-question", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    shape = dict(
        participants=args.participants, questions=args.questions, per_question=args.per_question
    )
    data = make_workshop(**shape, seed=1, number=2)
    earlier = make_workshop(**shape, seed=2, number=1)
    n_answers = len(data.all_answers)
    cold, _ = timed(lambda: build_summary(data, earlier=[earlier]), 1, name="cold")
    cmap = corpus_map()
    warm, summary = timed(
        lambda: build_summary(data, earlier=[earlier], corpus_map=cmap), args.repeat, name="warm"
    )
    alone, _ = timed(lambda: build_summary(data, corpus_map=cmap), args.repeat, name="alone")
    group, _ = timed(
        lambda: build_summary(data, earlier=[earlier], corpus_map=cmap, audience="group"),
        args.repeat,
        name="group",
    )
    md_s, md = timed(lambda: render_markdown(summary), args.repeat, name="md")
    json_s, _ = timed(lambda: to_json(summary), args.repeat, name="json")

    def docx() -> bytes:
        charts = summary_charts(summary, data, corpus_map=cmap)
        return render_docx(summary, charts=charts)

    docx_s, blob = timed(docx, args.repeat, name="docx")
    card_s = None
    card_kb = None
    try:
        from dialogs.summary_card import summary_card

        card_s, card = timed(
            lambda: summary_card(summary, map_url="https://x.example/m.png", workshop_id=1),
            args.repeat,
            name="card",
        )
        import json as _json

        card_kb = len(_json.dumps(card, ensure_ascii=False).encode()) / 1000
    except ImportError:
        pass

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"## summary bench, {when} ({platform.machine()}, {platform.python_version()})",
        "",
        f"Workshop: {args.participants} participants × {args.questions} questions × "
        f"{args.per_question} answers = {n_answers:,} answers; 1 earlier workshop in the series; "
        f"corpus map: {'yes' if cmap else 'no'}. Best of {args.repeat}; load average at the "
        f"end {load:.1f} on {os.cpu_count()} CPUs.",
        "",
        "| step | wall s | CPU s | target |",
        "|---|---:|---:|---:|",
        f"| build_summary (warm pipeline, with series + map) | {warm:.3f} | {CPU['warm']:.3f} | < 2 |",
        f"| build_summary, first call in the process (spaCy load included, no map) | {cold:.3f} | {CPU['cold']:.3f} | |",
        f"| build_summary, no earlier workshop | {alone:.3f} | {CPU['alone']:.3f} | |",
        f"| build_summary, group audience | {group:.3f} | {CPU['group']:.3f} | |",
        f"| DOCX with pictures (charts + map + document) | {docx_s:.3f} | {CPU['docx']:.3f} | < 5 |",
        f"| Markdown | {md_s:.3f} | {CPU['md']:.3f} | |",
        f"| JSON | {json_s:.3f} | {CPU['json']:.3f} | |",
    ]
    if card_s is not None:
        lines.append(f"| Teams card ({card_kb:.1f} KB) | {card_s:.3f} | {CPU['card']:.3f} | |")
    lines += [
        "",
        f"Proposal groups: {len(summary.proposals)}, silences: {len(summary.silences)}, "
        f"adjustments: {len(summary.adjustments)}, Markdown {len(md) / 1000:.0f} KB, "
        f"DOCX {len(blob) / 1000:.0f} KB.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        append_result("summary", report + "\n")
    ok = warm < 2 and docx_s < 5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
