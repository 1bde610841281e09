"""Adaptive Cards: JSON files in ``dialogs/cards/``, filled by one function.

A card file is an Adaptive Card (version 1.5 at most, what Teams renders) with placeholders:

- ``"${name}"`` as a whole JSON string is replaced by the value itself, of any JSON type (a
  list of elements, a number, a bool);
- ``${name}`` inside a longer string is replaced by ``str(value)``;
- an object with ``"$when": "${flag}"`` is dropped from its list when the flag is falsy (the
  ``$when`` key itself never reaches Teams).

Files whose name starts with ``_`` are fragments (a row of a list) filled the same way and
put into a card through a whole-string placeholder. :func:`render_card` raises
:class:`CardError` for an unfilled placeholder and for a value no placeholder uses, so a
typo cannot silently leave ``${name}`` on a user's screen.

Cards travel as dicts (:data:`dialogs.conversation.channel.Card`); the platform sends each as
the only attachment of its own message: never text and card in one activity, because some
clients split them and the card can then not be updated.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

from dialogs.commands import Scope, commands_for
from dialogs.errors import CardError
from dialogs.texts import text

__all__ = [
    "MAX_CARD_BYTES",
    "SUBMIT_KEY",
    "CardError",
    "card_names",
    "help_card",
    "map_card",
    "notice_card",
    "question_card",
    "render_card",
    "setup_card",
    "status_card",
    "welcome_card",
]

#: Teams refuses messages above about 100 KB (HTTP 413).
MAX_CARD_BYTES = 100_000

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WHOLE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def card_names() -> tuple[str, ...]:
    """Every card and fragment in ``dialogs/cards`` (file names without ``.json``), sorted."""
    folder = resources.files("dialogs") / "cards"
    return tuple(
        sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))
    )


@functools.cache
def _load(name: str) -> Any:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise CardError(f"card name {name!r} is invalid; use a file name from dialogs/cards")
    path = resources.files("dialogs") / "cards" / f"{name}.json"
    if not path.is_file():
        raise CardError(f"no card called {name!r}; known: {', '.join(card_names())}")
    return json.loads(path.read_text(encoding="utf-8"))


def _fill(node: Any, values: dict[str, Any], used: set[str], name: str) -> Any:
    if isinstance(node, str):
        whole = _WHOLE.match(node)
        if whole:
            key = whole.group(1)
            if key not in values:
                raise CardError(f"card {name!r} needs a value for {key!r}")
            used.add(key)
            return copy.deepcopy(values[key])

        def sub(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                raise CardError(f"card {name!r} needs a value for {key!r}")
            used.add(key)
            return str(values[key])

        return _PLACEHOLDER.sub(sub, node)
    if isinstance(node, list):
        out = []
        for item in node:
            filled = _fill(item, values, used, name)
            if isinstance(filled, dict) and "$when" in filled:
                keep = filled.pop("$when")
                if not keep or keep == "False":
                    continue
            out.append(filled)
        return out
    if isinstance(node, dict):
        return {key: _fill(value, values, used, name) for key, value in node.items()}
    return node


def render_card(name: str, /, **values: Any) -> dict[str, Any]:
    """Fill the card ``dialogs/cards/<name>.json`` with ``values``.

    Args:
        name: The file name without ``.json`` (``"question"``, ``"_help-line"``).
        **values: One value per placeholder; strings, numbers, bools, lists and dicts.

    Returns:
        The filled card as a JSON-ready dict.

    Raises:
        CardError: When the card is unknown, a placeholder has no value, a value is not
            used by any placeholder, or the filled card is over :data:`MAX_CARD_BYTES`.
    """
    used: set[str] = set()
    filled = _fill(_load(name), values, used, name)
    unused = set(values) - used
    if unused:
        raise CardError(f"card {name!r} has no placeholder for {', '.join(sorted(unused))}")
    size = len(json.dumps(filled, ensure_ascii=False).encode("utf-8"))
    if size > MAX_CARD_BYTES:
        raise CardError(
            f"card {name!r} is {size} bytes; Teams takes at most {MAX_CARD_BYTES}: shorten it"
        )
    if not isinstance(filled, dict):
        raise CardError(f"card {name!r} is not a JSON object")
    return filled


# --- the bot's cards, built from plain values -------------------------------------------
# Each builder turns domain values into the placeholder values of one card file; the texts
# come from dialogs.texts in the workshop's language.

#: The key every Action.Submit payload of this bot carries, naming what the submit does.
SUBMIT_KEY = "wb"


def _choices(pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    return [render_card("_choice", title=title, value=value) for value, title in pairs]


def _facts(pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    return [render_card("_fact", title=title, value=value) for title, value in pairs]


def _submit(title: str, data: dict[str, Any], *, style: str = "default") -> dict[str, Any]:
    return render_card("_action-submit", title=title, style=style, data=data)


def question_card(
    *,
    lang: str,
    workshop_id: int,
    run_id: int,
    question_id: str,
    phase: str,
    number: int,
    total: int,
    question: str,
    kind: str = "text",
    options: Sequence[str] = (),
    count: int = 0,
    is_open: bool = True,
    private: bool = False,
    added: bool = False,
) -> dict[str, Any]:
    """The card of one question: phase, "Spørgsmål 3 af 12", text, inputs, counter.

    Args:
        lang: The workshop's language.
        workshop_id: Put into the submit data so a stale card is recognised.
        run_id: The question run the answers belong to.
        question_id: The plan's question id.
        phase: The phase's title.
        number: The question's place in the workshop's order (1-based).
        total: How many questions the workshop has.
        question: The question's text.
        kind: ``"text"``, ``"scale"`` or ``"choice"``.
        options: The options of a scale or choice question.
        count: How many answers so far (the counter, updated in place).
        is_open: False renders the closed card without inputs.
        private: The copy sent to a 1:1 chat (no "answer privately" button).
        added: A question added during the workshop (no "N of M" position).
    """
    data = {
        SUBMIT_KEY: "answer",
        "workshop": workshop_id,
        "run": run_id,
        "question": question_id,
    }
    actions: list[dict[str, Any]] = []
    if is_open:
        actions.append(_submit(text("send", lang), data, style="positive"))
        if not private:
            actions.append(
                _submit(
                    text("answer_privately", lang),
                    {SUBMIT_KEY: "private", "workshop": workshop_id, "run": run_id},
                )
            )
    if not is_open:
        hint = text("question_closed", lang)
    elif private:
        hint = text("private_question_hint", lang)
    else:
        hint = text("question_open_hint", lang)
    position = (
        text("added_question_label", lang)
        if added
        else text("question_of", lang, number=number, total=total)
    )
    return render_card(
        "question",
        phase=phase or text("no_phase", lang),
        position=position,
        question=question,
        hint=hint,
        show_choices=is_open and kind in ("scale", "choice") and bool(options),
        choice_placeholder=text("choice_placeholder", lang),
        choices=_choices([(o, o) for o in options]),
        show_text=is_open,
        placeholder=text("answer_placeholder", lang),
        counter=text("answers_count", lang, count=count),
        actions=actions,
    )


def setup_card(
    *,
    lang: str,
    workshop_id: int,
    started_by: str,
    plans: Sequence[tuple[str, str]],
    series: Sequence[tuple[str, str]],
    maps: Sequence[tuple[str, str]],
    org: str = "",
    default_plan: str | None = None,
) -> dict[str, Any]:
    """The setup card only facilitators can submit.

    Args:
        lang: The language of the card's labels.
        workshop_id: The draft workshop the card configures.
        started_by: Who wrote ``start``.
        plans: ``(plan id, name)`` pairs.
        series: ``(series id, name)`` pairs of existing series.
        maps: ``(map name, label)`` pairs of stored maps.
        org: The organisation's name to suggest.
        default_plan: The plan preselected (the first one when None).
    """
    plan_value = default_plan or (plans[0][0] if plans else "")
    return render_card(
        "setup",
        title=text("setup_title", lang),
        intro=text("setup_intro", lang),
        started_by=text("setup_started_by", lang, name=started_by),
        plan_label=text("setup_plan", lang),
        plan_value=plan_value,
        plan_choices=_choices(plans),
        series_label=text("setup_series", lang),
        series_choices=_choices([("new", text("setup_series_new", lang)), *series]),
        series_name_label=text("setup_series_name", lang),
        map_label=text("setup_map", lang),
        map_value=maps[0][0] if maps else "",
        map_choices=_choices([*maps, ("", text("setup_no_map", lang))]),
        org_label=text("setup_org", lang),
        org_value=org,
        language_label=text("setup_language", lang),
        language_value=lang,
        mode_label=text("setup_mode", lang),
        mode_choices=_choices(
            [(m, text(f"mode_{m}", lang)) for m in ("named", "pseudonymous", "anonymous")]
        ),
        submit_label=text("setup_submit", lang),
        data={SUBMIT_KEY: "setup", "workshop": workshop_id},
    )


def welcome_card(*, lang: str, org: str, mode: str) -> dict[str, Any]:
    """Welcome and consent: purpose, what is stored, who sees it, how to answer privately."""
    return render_card(
        "welcome",
        title=text("welcome_title", lang),
        purpose=text("welcome_purpose", lang, org=org),
        facts=_facts(
            [
                (text("welcome_stored_label", lang), text(f"welcome_stored_{mode}", lang)),
                (text("welcome_who_label", lang), text("welcome_who", lang)),
                (text("welcome_private_label", lang), text("welcome_private", lang)),
                (text("welcome_withdraw_label", lang), text("welcome_withdraw", lang)),
            ]
        ),
        consent=text("welcome_consent", lang),
    )


def map_card(
    *,
    lang: str,
    name: str,
    image_url: str,
    full_url: str,
    clusters: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The network map: image, named clusters, a link to the full-size picture.

    Args:
        lang: The language.
        name: The map's name.
        image_url: Public HTTPS URL of the card-sized PNG.
        full_url: Public URL of the full-size PNG.
        clusters: ``(cluster name, its main terms)`` pairs.
    """
    return render_card(
        "map",
        title=text("map_title", lang, name=name),
        intro=text("map_intro", lang),
        image_url=image_url,
        alt=text("map_alt", lang),
        full_url=full_url,
        has_clusters=bool(clusters),
        clusters_label=text("map_clusters", lang),
        clusters=_facts(clusters),
        full_label=text("map_full_size", lang),
    )


def help_card(
    *,
    lang: str,
    facilitator: bool,
    scope: Scope | None = None,
    note: str = "",
    running: bool = False,
) -> dict[str, Any]:
    """The commands the caller may use, in the caller's scope, role and phase.

    Args:
        lang: The language.
        facilitator: Whether to include facilitator commands.
        scope: ``"personal"``, ``"team"`` or ``"groupChat"``; None lists every command.
        note: A line above the list (e.g. "I do not know that command").
        running: A workshop runs (or is paused) here: ``start`` is left out, and for a
            participant the question-plan commands too (they are for preparing workshops).
    """
    lines = []
    for spec in commands_for(scope=scope, facilitator=facilitator):
        if running and (spec.name == "start" or (not facilitator and spec.name.startswith("plan"))):
            continue
        usage = spec.usage.get(lang, "") if spec.usage else ""
        lines.append((f"{spec.title(lang)} {usage}".strip(), spec.description[lang]))
    return render_card(
        "help",
        has_note=bool(note),
        note=note,
        title=text("help_title_facilitator" if facilitator else "help_title_participant", lang),
        intro=text("help_intro", lang),
        commands=_facts(lines),
    )


def status_card(*, lang: str, facts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The status card: a title and ``(label, value)`` facts."""
    return render_card("status", title=text("status_title", lang), facts=_facts(facts))


def notice_card(*, title: str, message: str) -> dict[str, Any]:
    """A short card with a title and one message (plans listing, errors with context)."""
    return render_card("notice", title=title, message=message)
