"""The knowledge bank's Adaptive Cards (version 1.5, Teams' newest), built as dicts.

Participants' words are quoted verbatim but escaped (a "*" stays a "*"); matched search
words are shown in bold. Every submit carries ``{"wb": "kb_…"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis.escape import escape_markdown
from dialogs.texts import text
from storage.knowledge.records import CheckinRecord, SearchHit, TakeawayRecord
from storage.knowledge.search import MARK_END, MARK_START

__all__ = [
    "SUBMIT_KEY",
    "checkin_card",
    "consent_card",
    "digest_card",
    "mention_card",
    "notice",
    "results_card",
    "takeaway_block",
    "visibility_card",
]

SUBMIT_KEY = "wb"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def _card(body: list[dict[str, Any]], actions: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = list(actions)
    return card


def _text(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def _submit(title: str, data: dict[str, Any], *, style: str = "default") -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data, "style": style}


def notice(title: str, message: str) -> dict[str, Any]:
    """A title and one message."""
    return _card([_text(title, weight="Bolder"), _text(message)])


def highlight(snippet: str) -> str:
    """A search snippet with its text escaped and its matched words bold.

    >>> highlight("Brug \\x02Excel\\x03 *altid*")
    'Brug **Excel** \\\\*altid\\\\*'
    """
    parts = []
    for i, piece in enumerate(snippet.replace(MARK_END, MARK_START).split(MARK_START)):
        escaped = escape_markdown(piece.replace("\n", " · "))
        parts.append(f"**{escaped}**" if i % 2 and escaped.strip() else escaped)
    return "".join(parts)


def course_line(takeaway: TakeawayRecord) -> str:
    course = takeaway.course
    level = f", {course.level}" if course.level else ""
    return escape_markdown(f"{course.name} ({course.provider}{level}, {course.ends_on.year})")


def takeaway_block(takeaway: TakeawayRecord, lang: str) -> list[dict[str, Any]]:
    """A takeaway's course, author and three points."""
    author = escape_markdown(takeaway.author_name or text("kb_someone", lang))
    body = [
        _text(f"**{course_line(takeaway)}**", spacing="Medium"),
        _text(text("kb_by", lang, name=author), isSubtle=True, spacing="None"),
    ]
    body.extend(
        _text(f"{n}. {escape_markdown(point)}", spacing="Small")
        for n, point in enumerate(takeaway.points, 1)
    )
    return body


def visibility_card(lang: str) -> dict[str, Any]:
    """Who may see the takeaway: three buttons (typing 1, 2 or 3 works too)."""
    return _card(
        [_text(text("kb_ask_visibility", lang), weight="Bolder")],
        [
            _submit(text("kb_vis_team", lang), {SUBMIT_KEY: "kb_visibility", "v": "team"}),
            _submit(text("kb_vis_org", lang), {SUBMIT_KEY: "kb_visibility", "v": "org"}),
            _submit(text("kb_vis_manager", lang), {SUBMIT_KEY: "kb_visibility", "v": "manager"}),
        ],
    )


def consent_card(takeaway: TakeawayRecord, lang: str) -> dict[str, Any]:
    """The takeaway as it will be shown, and the consent question."""
    body = [_text(text("kb_ask_consent_title", lang), weight="Bolder", size="Medium")]
    body += takeaway_block(takeaway, lang)
    body.append(
        _text(text("kb_ask_consent", lang, who=text(f"kb_vis_{takeaway.visibility}", lang)))
    )
    return _card(
        body,
        [
            _submit(
                text("kb_yes_share", lang),
                {SUBMIT_KEY: "kb_consent", "yes": True, "takeaway": takeaway.id},
                style="positive",
            ),
            _submit(
                text("kb_no_share", lang),
                {SUBMIT_KEY: "kb_consent", "yes": False, "takeaway": takeaway.id},
            ),
        ],
    )


def results_card(query: str, hits: Sequence[SearchHit], lang: str) -> dict[str, Any]:
    """ "Who knows": each hit with its snippet, a button to be put in touch and one to
    follow the person (new key points of theirs in the daily digest)."""
    body: list[dict[str, Any]] = [
        _text(text("kb_results_title", lang, query=escape_markdown(query)), weight="Bolder")
    ]
    for n, hit in enumerate(hits, 1):
        author = escape_markdown(hit.takeaway.author_name or text("kb_someone", lang))
        body.append(_text(f"{n}. **{author}** – {course_line(hit.takeaway)}", spacing="Medium"))
        body.append(_text(highlight(hit.snippet), isSubtle=True, spacing="None"))
        body.append(
            {
                "type": "ActionSet",
                "spacing": "Small",
                "actions": [
                    _submit(
                        text("kb_contact_button", lang, n=n),
                        {SUBMIT_KEY: "kb_contact", "takeaway": hit.takeaway.id},
                    ),
                    _submit(
                        text("kb_follow_button", lang),
                        {SUBMIT_KEY: "kb_follow", "takeaway": hit.takeaway.id},
                    ),
                ],
            }
        )
    body.append(_text(text("kb_results_hint", lang), isSubtle=True, size="Small"))
    return _card(body)


def digest_card(takeaways: Sequence[TakeawayRecord], lang: str) -> dict[str, Any]:
    """Today's new takeaways that match the person's subscriptions."""
    body = [_text(text("kb_digest_title", lang, count=len(takeaways)), weight="Bolder")]
    for takeaway in takeaways:
        body += takeaway_block(takeaway, lang)
    body.append(_text(text("kb_digest_hint", lang), isSubtle=True, size="Small"))
    return _card(body)


def mention_card(message: str, user_id: str, name: str) -> dict[str, Any]:
    """A message that @mentions one person (``{mention}`` in ``message`` marks the place).
    A mention, never an e-mail address: Teams links the person."""
    tag = f"<at>{escape_markdown(name)}</at>"
    card = _card([_text(message.replace("{mention}", tag))])
    card["msteams"]["entities"] = [
        {"type": "mention", "text": tag, "mentioned": {"id": user_id, "name": name}}
    ]
    return card


def checkin_card(
    checkin: CheckinRecord,
    questions: Sequence[tuple[str, str, Sequence[str]]],
    lang: str,
    *,
    reminder: bool = False,
) -> dict[str, Any]:
    """A transfer check-in: each question on the five-point scale, a comment, and whether
    the answers may be shown (they are counted either way).

    Args:
        questions: ``(question id, text, options)`` per scale question.
    """
    course = checkin.course
    title = text("kb_checkin_title", lang, course=escape_markdown(course.name))
    body = [_text(title, weight="Bolder", size="Medium")]
    if reminder:
        body.append(_text(text("kb_reminder", lang), isSubtle=True))
    for qid, question, options in questions:
        body.append(_text(escape_markdown(question), spacing="Medium"))
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": f"q_{qid}",
                "style": "expanded",
                "isRequired": True,
                "errorMessage": text("kb_pick_one", lang),
                "choices": [{"title": o, "value": str(i)} for i, o in enumerate(options)],
            }
        )
    body.append(
        {
            "type": "Input.Text",
            "id": "comment",
            "isMultiline": True,
            "maxLength": 2000,
            "placeholder": text("kb_comment_placeholder", lang),
        }
    )
    body.append(
        {
            "type": "Input.Toggle",
            "id": "share",
            "title": text("kb_share_answers", lang),
            "value": "false",
            "valueOn": "true",
            "valueOff": "false",
        }
    )
    return _card(
        body,
        [
            _submit(
                text("send", lang),
                {SUBMIT_KEY: "kb_checkin", "checkin": checkin.id},
                style="positive",
            )
        ],
    )
