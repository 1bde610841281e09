"""The "what now" summary as a compact Adaptive Card (under 28 KB).

Top proposals, silences, new perspectives, the revisited map (an image served by the bot's
``/media/<token>.png`` route: Teams shows no data-URI images) and the suggested adjustments,
with an "accept adjustments" button for facilitators (``Action.Submit`` with
``{"wb": "summary-accept", "workshop": ID}``; :mod:`dialogs.conversation.outputs` routes it).

For facilitators, each proposal also gets two small forms (issue 16): "make it a follow-up"
(an owner among the participants, a date: ``{"wb": "kb_summary_follow_up", "workshop": ID,
"proposal": "P1"}`` with the inputs ``owner_P1`` and ``due_P1``) and "make it a topic"
(``{"wb": "kb_summary_topic", …}`` with ``topic_P1``); :mod:`dialogs.knowledge.
summary_actions` checks and carries them out. The knowledge bank's section (relevant
takeaways, the organisation's transfer figures) comes in ready-made as ``knowledge``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.escape import escape_markdown
from analysis.summary.labels import label, nothing_to_compare
from analysis.summary.model import Summary
from analysis.summary.render_md import adjustment_text, silence_text, support_text
from dialogs.cards import SUBMIT_KEY, render_card

__all__ = ["CARD_LIMIT", "KnowledgeSection", "ProposalForms", "summary_card"]

#: The card stays under this many bytes (Teams takes about 100 KB; a summary should be short).
CARD_LIMIT = 28_000

_ACCEPT = {
    "da": "Godkend justeringerne (ny version af planen)",
    "en": "Accept the adjustments (new plan version)",
}
_NONE = {"da": "Ingen.", "en": "None."}
_FORMS = {
    "follow_up": {"da": "Gør til opfølgning", "en": "Make it a follow-up"},
    "owner": {"da": "Ansvarlig", "en": "Owner"},
    "pick": {"da": "Vælg en deltager", "en": "Choose a participant"},
    "no_owners": {
        "da": "Ingen deltagere at vælge imellem. Skriv i workshoppens chat: "
        "opfølgning @navn 15/1/2027: forslaget",
        "en": "No participants to choose from. Write in the workshop's chat: "
        "follow up @name 2027-01-15: the proposal",
    },
    "date": {"da": "Hvornår skal jeg spørge, hvad der skete?", "en": "When shall I ask?"},
    "date_error": {"da": "Vælg en dato efter i dag.", "en": "Choose a date after today."},
    "create": {"da": "Opret opfølgning", "en": "Create the follow-up"},
    "topic": {"da": "Gør til emne i videnbanken", "en": "Make it a knowledge-bank topic"},
    "topic_label": {
        "da": "Emnet (få ord; kolleger kan abonnere på det)",
        "en": "The topic (a few words; colleagues can subscribe to it)",
    },
    "post_topic": {"da": "Del emnet i workshoppens chat", "en": "Post it in the workshop's chat"},
}


@dataclass(frozen=True)
class ProposalForms:
    """What the facilitator's per-proposal forms offer.

    Attributes:
        owners: (Teams user id, name) of the participants who may own a follow-up.
        first_date: The earliest follow-up date, ``YYYY-MM-DD`` (tomorrow).
        public: Proposal id → its words from an answer the group saw; only these get
            forms (a follow-up or topic is announced to the group).
    """

    owners: tuple[tuple[str, str], ...]
    first_date: str
    public: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeSection:
    """The knowledge bank's part of the card (already escaped Markdown lines)."""

    heading: str
    lines: tuple[str, ...]


def _t(key: str, lang: str) -> str:
    return _FORMS[key]["en" if lang == "en" else "da"]


def _topic_suggestion(text: str) -> str:
    """The proposal's first words as a topic to edit (at most 60 characters)."""
    words: list[str] = []
    for word in " ".join(text.split()).rstrip(".!?").split(" "):
        if len(" ".join([*words, word])) > 60:
            break
        words.append(word)
    return " ".join(words) or text[:60]


def _proposal_actions(
    proposal_id: str, text: str, *, workshop_id: int, forms: ProposalForms, lang: str
) -> dict[str, Any]:
    """The two forms under one proposal (inputs named after the proposal: every input of a
    card is sent with any of its submits, so the names must not clash)."""
    if forms.owners:
        owner: list[dict[str, Any]] = [
            {
                "type": "Input.ChoiceSet",
                "id": f"owner_{proposal_id}",
                "label": _t("owner", lang),
                "placeholder": _t("pick", lang),
                "isRequired": True,
                "errorMessage": _t("pick", lang),
                "choices": [
                    {"title": _short(name, 60), "value": user_id} for user_id, name in forms.owners
                ],
            }
        ]
    else:
        owner = [_block(_t("no_owners", lang), subtle=True)]
    follow_up = {
        "type": "Action.ShowCard",
        "title": _t("follow_up", lang),
        "card": {
            "type": "AdaptiveCard",
            "body": [
                *owner,
                {
                    "type": "Input.Date",
                    "id": f"due_{proposal_id}",
                    "label": _t("date", lang),
                    "min": forms.first_date,
                    "isRequired": True,
                    "errorMessage": _t("date_error", lang),
                },
            ],
            "actions": [
                {
                    "type": "Action.Submit",
                    "title": _t("create", lang),
                    "data": {
                        SUBMIT_KEY: "kb_summary_follow_up",
                        "workshop": workshop_id,
                        "proposal": proposal_id,
                    },
                }
            ]
            if forms.owners
            else [],
        },
    }
    topic = {
        "type": "Action.ShowCard",
        "title": _t("topic", lang),
        "card": {
            "type": "AdaptiveCard",
            "body": [
                {
                    "type": "Input.Text",
                    "id": f"topic_{proposal_id}",
                    "label": _t("topic_label", lang),
                    "value": _topic_suggestion(text),
                    "maxLength": 100,
                    "isRequired": True,
                }
            ],
            "actions": [
                {
                    "type": "Action.Submit",
                    "title": _t("post_topic", lang),
                    "data": {
                        SUBMIT_KEY: "kb_summary_topic",
                        "workshop": workshop_id,
                        "proposal": proposal_id,
                    },
                }
            ],
        },
    }
    return {"type": "ActionSet", "spacing": "Small", "actions": [follow_up, topic]}


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
    forms: ProposalForms | None,
    knowledge: KnowledgeSection | None,
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
        if forms is not None and summary.audience == "facilitator" and p.id in forms.public:
            proposals.append(
                _proposal_actions(
                    p.id, forms.public[p.id], workshop_id=workshop_id, forms=forms, lang=lang
                )
            )
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
        has_knowledge=bool(knowledge and knowledge.lines),
        knowledge_heading=knowledge.heading if knowledge else " ",
        knowledge=[_block(_short(line, chars * 2)) for line in knowledge.lines[: top * 2 + 1]]
        if knowledge
        else [],
        footer=label(lang, "footer"),
        actions=actions,
    )


def summary_card(
    summary: Summary,
    *,
    map_url: str | None = None,
    workshop_id: int,
    forms: ProposalForms | None = None,
    knowledge: KnowledgeSection | None = None,
) -> dict[str, Any]:
    """Build the compact summary card, shortening until it is under :data:`CARD_LIMIT`.

    Args:
        summary: The summary (already masked for its audience).
        map_url: Public HTTPS URL of the revisited map's PNG (None: no image).
        workshop_id: The workshop, for the accept button's payload.
        forms: The per-proposal forms (facilitators' card only; None: none).
        knowledge: The knowledge bank's section (None or no lines: left out).

    Returns:
        The Adaptive Card as a JSON-ready dict.
    """
    for top, chars in ((5, 220), (4, 140), (3, 90), (2, 60), (1, 40)):
        card = _card(
            summary,
            map_url=map_url,
            workshop_id=workshop_id,
            top=top,
            chars=chars,
            forms=forms,
            knowledge=knowledge,
        )
        if len(json.dumps(card, ensure_ascii=False).encode("utf-8")) < CARD_LIMIT:
            return card
    return card
