"""Quality of the "what now" summary on a hand-labelled evaluation set.

The set (``bench/eval_summary/``) holds eight workshops written from ``shared/METHOD.md``:
Danish and English, chat and voice (scripts turned into Teams WebVTT and read by the real
parser), two series with new perspectives, several silences. ``labels.json`` says, per
workshop, which sentences are proposals, which questions met silence and which new
perspectives a reader must find; it was written before any tuning, and half the workshops
(``split: holdout``) were not looked at while tuning.

Printed and appended to ``bench/results/summary_eval.md``: recall and precision per
category, over all workshops and over the held-out half.

- Proposals: a labelled proposal is found when a proposal mention's sentence contains it
  (or it contains the sentence); a reported proposal group is right when one of its
  mentions is labelled. Sentences labelled ambiguous count neither way.
- Silences: a labelled question is found when the summary flags it; a flag on an unlabelled
  question is a false alarm.
- New perspectives: found when one of its words is in a new theme the summary shows.
- Structure (voice): the facilitator found, and the number of question runs.

Run: ``python bench/summary_eval.py [--split all|tune|holdout] [--no-record] [-v]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.summary import build_summary  # noqa: E402
from analysis.summary.from_transcript import workshop_data_from_structure  # noqa: E402
from analysis.summary.model import AnswerData, QuestionRunData, Summary, WorkshopData  # noqa: E402
from analysis.transcript import parse_vtt, structure_transcript  # noqa: E402
from bench._record import append_result  # noqa: E402

EVAL_DIR = Path(__file__).resolve().parent / "eval_summary"


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def script_to_vtt(text: str) -> str:
    """A ``.script`` (``Speaker | seconds | words`` lines, ``GAP | seconds``) as WebVTT.

    Long turns become several cues of at most two sentences, as Teams writes them.
    """
    out = ["WEBVTT", ""]
    clock = 1.0
    cue = 0
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 2)]
        if parts[0] == "GAP":
            clock += float(parts[1])
            continue
        speaker, seconds, words = parts[0], float(parts[1]), parts[2]
        sentences = re.findall(r"[^.!?]+[.!?]*", words)
        chunks = [
            " ".join(s.strip() for s in sentences[i : i + 2]) for i in range(0, len(sentences), 2)
        ]
        share = seconds / max(1, len(chunks))
        for chunk in chunks:
            cue += 1
            out += [
                f"cue-{cue}",
                f"{_stamp(clock)} --> {_stamp(clock + share)}",
                f"<v {speaker}>{chunk}</v>",
                "",
            ]
            clock += share
        clock += 1.0
    return "\n".join(out)


def chat_to_data(text: str, *, name: str, lang: str, series: str, number: int) -> WorkshopData:
    """A ``.chat`` file (``Q seconds | text`` / ``A who | seconds | text``) as WorkshopData."""
    runs: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.startswith("Q "):
            at, question = line[2:].split("|", 1)
            runs.append({"text": question.strip(), "opened": float(at), "answers": []})
        elif line.startswith("A "):
            who, at, said = (p.strip() for p in line[2:].split("|", 2))
            runs[-1]["answers"].append(
                AnswerData(
                    id=f"{name}:{len(runs)}:{len(runs[-1]['answers'])}",
                    pseudonym=who,
                    text=said,
                    offset_seconds=float(at),
                    source="chat",
                )
            )
    questions = tuple(
        QuestionRunData(
            question_id=f"q{i}",
            text=r["text"],
            position=i,
            opened_offset=r["opened"],
            closed_offset=runs[i]["opened"] if i < len(runs) else r["opened"] + 600,
            answers=tuple(r["answers"]),
        )
        for i, r in enumerate(runs, start=1)
    )
    people = tuple(dict.fromkeys(a.pseudonym for q in questions for a in q.answers))
    return WorkshopData(
        id=name,
        title=name,
        lang=lang,
        series=series,  # type: ignore[arg-type]
        number_in_series=number,
        participants=people,
        questions=questions,
    )


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _same(label: str, sentence: str) -> bool:
    a, b = _norm(label), _norm(sentence)
    return bool(a and b) and (a in b or b in a)


def score_proposals(summary: Summary, labels: dict[str, Any]) -> Score:
    score = Score()
    sentences = [(p, m.sentence) for p in summary.proposals for m in p.mentions]
    for wanted in labels["proposals"]:
        if any(_same(wanted, s) for _, s in sentences):
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(wanted)
    for p in summary.proposals:
        mentions = [m.sentence for m in p.mentions]
        if any(_same(w, s) for w in labels["proposals"] for s in mentions):
            continue
        if any(_same(w, s) for w in labels.get("ambiguous", ()) for s in mentions):
            continue
        score.fp += 1
        score.false.append(p.text)
    return score


def score_silences(summary: Summary, labels: dict[str, Any]) -> Score:
    score = Score()
    flagged = [s.text for s in summary.silences]
    for wanted in labels["silences"]:
        if any(_same(wanted, f) for f in flagged):
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(wanted)
    for f in flagged:
        if not any(_same(w, f) for w in labels["silences"]):
            score.fp += 1
            score.false.append(f)
    return score


def score_novelty(summary: Summary, labels: dict[str, Any]) -> Score:
    score = Score()
    themes = [t.term.lower() for t in summary.novelty.new_terms]
    for words in labels["new_perspectives"]:
        if any(w.lower() in t for w in words for t in themes):
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append("/".join(words))
    return score


def load(entry: dict[str, Any], plans: dict[str, list[str]]) -> tuple[WorkshopData, dict[str, Any]]:
    text = (EVAL_DIR / entry["file"]).read_text(encoding="utf-8")
    facts: dict[str, Any] = {}
    if entry["file"].endswith(".chat"):
        data = chat_to_data(
            text,
            name=entry["name"],
            lang=entry["lang"],
            series=entry["series"],
            number=entry["number"],
        )
        return data, facts
    transcript = parse_vtt(script_to_vtt(text))
    plan = plans.get(entry["plan"] or "", [])
    structure = structure_transcript(transcript, plan)
    facts["facilitator"] = structure.facilitators
    facts["runs"] = len(structure.turns)
    data = workshop_data_from_structure(
        structure,
        speakers=transcript.speakers,
        lang=entry["lang"],
        title=entry["name"],
        question_ids=[f"p{i}" for i in range(len(plan))],
        question_texts=plan,
        workshop_id=entry["name"],
        series=entry["series"],
        number_in_series=entry["number"],
    )
    return data, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false alarms")
    parser.add_argument(
        "--show", default="tune", help="which split -v lists (default tune: never the held-out)"
    )
    args = parser.parse_args()
    labels = json.loads((EVAL_DIR / "labels.json").read_text(encoding="utf-8"))
    plans = labels["plans"]
    loaded = {e["name"]: (e, *load(e, plans)) for e in labels["workshops"]}
    splits = (
        "all",
        "tune",
        "held out",
        "holdout",
        "fresh",
        "fresh2",
        "lead",
        "blind",
        "blind2",
        "blind3",
        "blind4",
    )
    totals: dict[str, dict[str, Score]] = {s: {} for s in splits}
    structure_ok = {s: [0, 0] for s in splits}
    started = time.perf_counter()
    for name, (entry, data, facts) in loaded.items():
        earlier = [
            d
            for e, d, _ in loaded.values()
            if entry["series"] and e["series"] == entry["series"] and e["number"] < entry["number"]
        ]
        earlier.sort(key=lambda d: d.number_in_series or 0)
        summary = build_summary(data, earlier=earlier)
        scores = {
            "proposals": score_proposals(summary, entry),
            "silences": score_silences(summary, entry),
            "new perspectives": score_novelty(summary, entry),
        }
        held = ("held out",) if entry["split"] != "tune" else ()
        for split in ("all", entry["split"], *held):
            for cat, sc in scores.items():
                totals[split].setdefault(cat, Score()).add(sc)
            if facts:
                ok = (
                    facts["facilitator"] == (entry["facilitator"],)
                    and facts["runs"] == entry["question_runs"]
                )
                structure_ok[split][0] += int(ok)
                structure_ok[split][1] += 1
        if args.verbose and entry["split"] in args.show.split(","):
            print(f"--- {name} ({entry['split']}) {facts}")
            for cat, sc in scores.items():
                for m in sc.misses:
                    print(f"  MISSED {cat}: {m}")
                for f in sc.false:
                    print(f"  FALSE  {cat}: {f}")
            if not entry["new_perspectives"] and earlier:
                pass
            print("  themes:", [t.term for t in summary.novelty.new_terms])
    elapsed = time.perf_counter() - started
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')} — summary evaluation ({len(loaded)} workshops)\n\n"
    ]
    lines.append(
        "| set | category | recall | precision | tp | fp | fn |\n|---|---|---|---|---|---|---|\n"
    )
    for split in splits:
        for cat, sc in totals[split].items():
            lines.append(
                f"| {split} | {cat} | {sc.recall:.0%} | {sc.precision:.0%} | {sc.tp} | {sc.fp} | {sc.fn} |\n"
            )
        ok, n = structure_ok[split]
        lines.append(
            f"| {split} | voice structure (facilitator + runs right) | {ok}/{n} | | | | |\n"
        )
    lines.append(f"\n{elapsed:.1f} s for all summaries.\n")
    text = "".join(lines)
    print(text)
    if not args.no_record:
        append_result("summary_eval", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
