"""The summary as JSON (everything, for other tools) and CSV (one row per quoted answer)."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Mapping
from typing import Any

from analysis.escape import csv_writer
from analysis.summary.model import Summary

__all__ = ["to_csv", "to_dict", "to_json"]

CSV_COLUMNS = (
    "question_position",
    "question_id",
    "question",
    "answer_id",
    "offset",
    "pseudonym",
    "text",
    "private",
    "in_proposals",
    "signals",
)


def _id(value: Any) -> Any:
    # Stored answers have whole-number ids: give them as numbers, so tools that match ids
    # (``workshopbot data forget`` scrubbing a person's quotes) find them.
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = _plain(getattr(value, f.name))
            if f.name.endswith("answer_id"):
                item = _id(item)
            elif f.name.endswith("answer_ids") and isinstance(item, list):
                item = [_id(i) for i in item]
            out[f.name] = item
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_dict(summary: Summary) -> dict[str, Any]:
    """The summary as plain JSON-ready data (dataclasses become objects).

    Answer ids that are whole numbers (stored answers) become JSON numbers; every quote,
    proposal mention and signal carries its ``answer_id`` and who said it, so one person's
    quotes can be found and removed later.
    """
    data: dict[str, Any] = _plain(summary)
    data["format"] = "workshopbot-summary/1"
    return data


def to_json(summary: Summary, *, indent: int | None = 2) -> str:
    """The summary as a JSON document."""
    return json.dumps(to_dict(summary), ensure_ascii=False, indent=indent)


def to_csv(summary: Summary) -> str:
    """One row per answer shown in the summary, with the proposals and signals it is part of."""
    in_proposals: dict[str, list[str]] = {}
    for p in summary.proposals:
        for answer_id in p.answer_ids:
            in_proposals.setdefault(answer_id, []).append(p.id)
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # formula-like cells neutralised (CSV injection)
    writer.writerow(CSV_COLUMNS)
    for q in summary.questions:
        signals = {s.answer_id: s.kind for s in q.signals}
        for quote in q.quotes:
            writer.writerow(
                (
                    q.position,
                    q.question_id,
                    q.text,
                    quote.answer_id,
                    quote.offset,
                    quote.pseudonym,
                    quote.text,
                    int(quote.private),
                    " ".join(in_proposals.get(quote.answer_id, [])),
                    signals.get(quote.answer_id, ""),
                )
            )
    for quote in summary.open_discussion:
        writer.writerow(
            ("", "", "", quote.answer_id, quote.offset, quote.pseudonym, quote.text, 0, "", "")
        )
    return buffer.getvalue()
