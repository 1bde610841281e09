"""Changing question plans from Teams between workshops: every change is a new plan version.

The commands (``plans``, ``plan show|copy|move|reword|add|drop|share``) come from
:mod:`dialogs.commands`; :func:`run` carries one out with the plans package's pure edit
functions and stores the result with ``storage.plans.save_plan_version``. A plan that has
never been stored is read from the built-in plans.

Who may change a plan is asked of :func:`dialogs.permissions.may_edit_plan` before anything
is saved (its owner, co-owners and the operators; a built-in plan only operators); a new plan
made with ``plan copy`` is owned by who made it. ``plan show`` names the owner and lists every
version with its author.
"""

from __future__ import annotations

import logging
import re

from dialogs import permissions
from dialogs.errors import DialogError, PlanError
from dialogs.plans import (
    LocalizedText,
    Question,
    add_question,
    builtin_plan_ids,
    builtin_plan_text,
    copy_plan,
    drop_question,
    dump_plan,
    get_builtin_plan,
    load_plan,
    move_question,
    new_question_id,
    reword_question,
)
from dialogs.plans.model import Plan
from dialogs.texts import text
from storage import plans as plans_repo
from storage.db import Database

__all__ = ["PlanRefused", "check_may_edit", "load_named_plan", "run"]

log = logging.getLogger(__name__)

_USAGE = {
    "plan show": "plan show <plan>",
    "plan copy": "plan copy <plan> <new-id>",
    "plan move": "plan move <plan> <question> <position>",
    "plan reword": "plan reword <plan> <question>: <text>",
    "plan add": "plan add <plan>: <text>",
    "plan drop": "plan drop <plan> <question>",
    "plan share": "plan share <plan> @name",
}


class PlanRefused(DialogError):
    """The person may not change this plan (the message says why and what to do)."""


async def check_may_edit(
    db: Database, plan_key: str, actor: permissions.Person, operators: frozenset[str], lang: str
) -> None:
    """Refuse unless ``actor`` may save a new version of ``plan_key``.

    Raises:
        PlanRefused: With the refusal text (which says how to make one's own copy).
    """
    stored = await plans_repo.plan_owners(db, plan_key)
    verdict = permissions.may_edit_plan(
        actor,
        operators=operators,
        owners=None if stored is None else (stored[0], *stored[1]),
        builtin=plan_key in builtin_plan_ids(),
    )
    if not verdict:
        log.info("refused a plan change of %s: %s", plan_key, verdict.reason)
        raise PlanRefused(text(verdict.reason, lang, plan=plan_key))


async def load_named_plan(db: Database, key: str) -> Plan:
    """The newest stored version of plan ``key``, or the built-in plan of that id.

    Raises:
        DialogError: No such plan.
    """
    stored = await plans_repo.latest_plan_version(db, key)
    if stored is not None:
        return load_plan(stored.text)
    if key in builtin_plan_ids():
        return get_builtin_plan(key)
    raise DialogError(f"no plan called {key!r}; write 'plans' to list them")


async def _save(
    db: Database, plan: Plan, *, author: str, note: str, lang: str, owner_id: str | None = None
) -> str:
    name = plan.name.get(lang) or next(iter(plan.name.values()))
    if plan.id in builtin_plan_ids() and await plans_repo.latest_plan_version(db, plan.id) is None:
        # Keep the built-in wording as version 1, so the history shows what changed.
        await plans_repo.save_plan_version(
            db,
            plan_key=plan.id,
            name=name,
            text=builtin_plan_text(plan.id),
            author=author,
            note="built-in plan",
        )
    record = await plans_repo.save_plan_version(
        db,
        plan_key=plan.id,
        name=name,
        text=dump_plan(plan),
        author=author,
        note=note,
        owner_id=owner_id,
    )
    return text("plan_saved", lang, plan=plan.id, version=record.version)


def _plan_lines(plan: Plan, lang: str) -> str:
    use = lang if lang in plan.languages else plan.default_language
    lines = []
    for number, question in enumerate(plan.questions, start=1):
        body = question.text.get(use, next(iter(question.text.values())))
        lines.append(f"{number}. **{question.id}** ({question.phase}) {body}")
    return "\n\n".join(lines)


async def run(
    db: Database,
    name: str,
    argument: str,
    *,
    author: str,
    lang: str,
    actor: permissions.Person,
    operators: frozenset[str] = frozenset(),
    mentioned: tuple[tuple[str, str], ...] = (),
) -> tuple[str, str]:
    """Carry out a plan command.

    Args:
        db: The database.
        name: The command's name (``"plans"``, ``"plan move"`` …).
        argument: What followed the command.
        author: Who changes the plan (stored with the version: a display name).
        lang: The reply's language.
        actor: Who asks (the permission is decided by :mod:`dialogs.permissions`).
        operators: The operators' ids from the settings.
        mentioned: ``(user id, name)`` of the people @mentioned (``plan share``).

    Returns:
        ``(title, message)`` for a notice card. Mistakes and refusals are explained in the
        message, never raised.
    """
    try:
        return await _run(
            db,
            name,
            argument.strip(),
            author=author,
            lang=lang,
            actor=actor,
            operators=operators,
            mentioned=mentioned,
        )
    except PlanRefused as exc:
        return name, str(exc)
    except PlanError as exc:
        return name, text("plan_error", lang, reason="; ".join(str(i) for i in exc.issues))
    except DialogError as exc:
        return name, text("plan_error", lang, reason=str(exc))
    except (ValueError, IndexError):
        return name, text("plan_usage", lang, usage=_USAGE.get(name, name))


async def _show(db: Database, plan: Plan, lang: str) -> str:
    """The questions, then the owner and every stored version with its author."""
    lines = _plan_lines(plan, lang)
    owners = await plans_repo.plan_owners(db, plan.id)
    if owners is None:
        return lines
    owner, co_owners = owners
    lines += "\n\n" + text(
        "plan_owners",
        lang,
        owner=owner or text("plan_owner_none", lang),
        co_owners=", ".join(co_owners) or "–",
    )
    history = await plans_repo.plan_history(db, plan.id)
    versions = [
        f"v{v.version} {v.created_at:%Y-%m-%d %H:%M} {v.author}: {v.note}".rstrip(": ")
        for v in history
    ]
    return lines + f"\n\n**{text('plan_history', lang)}**\n\n" + "\n\n".join(versions)


async def _run(
    db: Database,
    name: str,
    argument: str,
    *,
    author: str,
    lang: str,
    actor: permissions.Person,
    operators: frozenset[str],
    mentioned: tuple[tuple[str, str], ...],
) -> tuple[str, str]:
    if name == "plans":
        stored = {p.key: (p.name, p.latest_version) for p in await plans_repo.list_plans(db)}
        lines = [f"**{key}** v{version}: {title}" for key, (title, version) in stored.items()]
        for plan_id in builtin_plan_ids():
            if plan_id not in stored:
                plan = get_builtin_plan(plan_id)
                lines.append(
                    f"**{plan_id}**: {plan.name.get(lang) or next(iter(plan.name.values()))}"
                )
        return text("plans_title", lang), "\n\n".join(lines)
    head, _, rest = argument.partition(":")
    words = head.split()
    if not words:
        raise ValueError("no plan named")
    plan = await load_named_plan(db, words[0])
    if name == "plan show":
        return plan.id, await _show(db, plan, lang)
    if name == "plan copy":
        new_id = words[1].lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", new_id):
            raise ValueError(new_id)
        # Copying onto an existing plan would replace it: the same rule as any change.
        await check_may_edit(db, new_id, actor, operators, lang)
        copied = copy_plan(
            plan, new_id=new_id, new_name=f"{plan.name.get(lang, plan.id)} ({new_id})"
        )
        return new_id, await _save(
            db,
            copied,
            author=author,
            note=f"copy of {plan.id}",
            lang=lang,
            owner_id=actor.user_id,
        )
    await check_may_edit(db, plan.id, actor, operators, lang)
    if name == "plan share":
        owners = await plans_repo.plan_owners(db, plan.id)
        if owners is None:
            raise DialogError(f"the plan {plan.id!r} is not stored yet; change it first")
        if not mentioned:
            return plan.id, text("plan_share_who", lang)
        owner, co_owners = owners
        await plans_repo.set_plan_owners(
            db, plan.id, owner_id=owner, co_owner_ids=[*co_owners, *(i for i, _ in mentioned)]
        )
        names = ", ".join(n or i for i, n in mentioned)
        return plan.id, text("plan_shared", lang, names=names, plan=plan.id)
    if name == "plan move":
        qid, position = words[1], int(words[2])
        moved = move_question(plan, qid, to_index=max(0, position - 1))
        return plan.id, await _save(
            db, moved, author=author, note=f"move {qid} to {position}", lang=lang
        )
    if name == "plan reword":
        qid, new_text = words[1], rest.strip()
        if not new_text:
            raise ValueError("no text")
        use = lang if lang in plan.languages else plan.default_language
        changed = reword_question(plan, qid, use, new_text)
        return plan.id, await _save(db, changed, author=author, note=f"reword {qid}", lang=lang)
    if name == "plan add":
        new_text = rest.strip()
        if not new_text:
            raise ValueError("no text")
        phase = plan.questions[-1].phase if plan.questions else plan.phases[0].id
        question = Question(
            id=new_question_id(plan),
            phase=phase,
            text=LocalizedText({language: new_text for language in plan.languages}),
        )
        changed = add_question(plan, question)
        return plan.id, await _save(
            db, changed, author=author, note=f"add {question.id}", lang=lang
        )
    if name == "plan drop":
        qid = words[1]
        changed = drop_question(plan, qid)
        return plan.id, await _save(db, changed, author=author, note=f"drop {qid}", lang=lang)
    raise ValueError(name)
