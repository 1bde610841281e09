"""The "what now" summary as a compact Adaptive Card (under 28 KB).

Top proposals, silences, new perspectives, the revisited map (an image served by the bot's
``/media/<token>.png`` route: Teams shows no data-URI images) and the suggested adjustments,
with an "accept adjustments" button for facilitators (``Action.Submit`` with
``{"wb": "summary-accept", "workshop": ID}``; :mod:`dialogs.conversation.outputs` routes it).
"""

from __future__ import annotations

import json
from typing import Any

from analysis.escape import escape_markdown
from analysis.summary.labels import label, nothing_to_compare
from analysis.summary.model import Summary
from analysis.summary.render_md import adjustment_text, silence_text, support_text
from dialogs.cards import SUBMIT_KEY, render_card

__all__ = ["CARD_LIMIT", "summary_card"]

#: The card stays under this many bytes (Teams takes about 100 KB; a summary should be short).
CARD_LIMIT = 28_000

_ACCEPT = {
    "da": "Godkend justeringerne (ny version af planen)",
    "en": "Accept the adjustments (new plan version)",
}
_NONE = {"da": "Ingen.", "en": "None."}


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _block(text: str, *, subtle: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block.update(isSubtle=True, size="Small", spacing="None")
    return block


def _card(
    summary: Summary,
    *,
    map_url: str | None,
    workshop_id: int,
    top: int,
    chars: int,
) -> dict[str, Any]:
    lang = summary.lang
    h = summary.header
    overview = (
        f"{label(lang, 'participants')}: {h.participants} · {label(lang, 'answers')}: {h.answers}"
    )
    if h.series:
        overview = (
            f"{h.series} ({label(lang, 'number', n=h.number_in_series or '?')}) · " + overview
        )
    proposals: list[dict[str, Any]] = []
    for p in summary.proposals[:top]:
        who = support_text(p, lang)
        if p.new:
            who += f" · {label(lang, 'new')}"
        words = escape_markdown(_short(p.text, chars))  # participants' words: no live links
        proposals += [_block(f"**{p.id}** {words}"), _block(who, subtle=True)]
    if summary.empty:
        proposals = [_block(" ".join(summary.notes))]
    elif not proposals:
        proposals = [_block(label(lang, "no_proposals"))]
    silences: list[dict[str, Any]] = []
    for s in summary.silences[:top]:
        silences += [
            _block(_short(s.text, chars)),
            _block(_short(silence_text(s, lang), chars), subtle=True),
        ]
    if not silences:
        silences = [_block(label(lang, "no_silences"))]
    nov = summary.novelty
    if not nov.compared_with:
        novelty = nothing_to_compare(lang, h.series)
    else:
        parts = []
        if nov.new_terms:
            parts.append(
                f"{label(lang, 'new_terms')}: {', '.join(t.term for t in nov.new_terms[: top * 2])}"
            )
        if nov.untouched_themes:
            parts.append(f"{label(lang, 'untouched')}: {', '.join(nov.untouched_themes[:top])}")
        novelty = "\n\n".join(parts) or label(lang, "nothing_new")
    map_text = ""
    if summary.map is not None and summary.map.blind_spots:
        map_text = f"{label(lang, 'blind_spots')}: {', '.join(summary.map.blind_spots[:top])}"
    titles = {q.question_id: q.text for q in summary.questions}
    adjustments = [
        _block(
            f"{i}. **{_short(adjustment_text(a, lang), chars)}** — "
            f"{_short(titles.get(a.question_id, a.question_id) or label(lang, 'intro'), 60)}"
        )
        for i, a in enumerate(summary.adjustments[: top + 1], start=1)
    ] or [_block(label(lang, "no_adjustments"))]
    actions: list[dict[str, Any]] = []
    if summary.audience == "facilitator" and summary.adjustments:
        actions.append(
            {
                "type": "Action.Submit",
                "title": _ACCEPT[lang],
                "style": "positive",
                "data": {SUBMIT_KEY: "summary-accept", "workshop": workshop_id},
            }
        )
    return render_card(
        "summary",
        title=label(lang, "title", title=h.title),
        overview=overview,
        proposals_heading=label(lang, "proposals"),
        proposals=proposals,
        silences_heading=label(lang, "silences"),
        silences=silences,
        novelty_heading=label(lang, "novelty"),
        novelty=novelty,
        has_map=bool(map_url),
        map_heading=label(lang, "map"),
        map_url=map_url or "",
        map_text=map_text or " ",
        adjustments_heading=label(lang, "adjustments"),
        adjustments=adjustments,
        footer=label(lang, "footer"),
        actions=actions,
    )


def summary_card(
    summary: Summary, *, map_url: str | None = None, workshop_id: int
) -> dict[str, Any]:
    """Build the compact summary card, shortening until it is under :data:`CARD_LIMIT`.

    Args:
        summary: The summary (already masked for its audience).
        map_url: Public HTTPS URL of the revisited map's PNG (None: no image).
        workshop_id: The workshop, for the accept button's payload.

    Returns:
        The Adaptive Card as a JSON-ready dict.
    """
    for top, chars in ((5, 220), (4, 140), (3, 90), (2, 60), (1, 40)):
        card = _card(summary, map_url=map_url, workshop_id=workshop_id, top=top, chars=chars)
        if len(json.dumps(card, ensure_ascii=False).encode("utf-8")) < CARD_LIMIT:
            return card
    return card
