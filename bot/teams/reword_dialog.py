"""Rewording a plan's question step by step, in the facilitator's 1:1 chat.

``plan omformuler`` / ``plan reword`` without anything after it starts :class:`RewordDialog`:
the bot asks which plan, which question, and the new wording, one plain question at a time
(the one-line form ``plan omformuler default q1: ny tekst`` still works). The answer is saved
as a new plan version.

A 1:1 chat has one member, so its ``ConversationState`` (where botbuilder keeps the dialog
stack) belongs to one person; group chats never run this dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import (
    ComponentDialog,
    DialogTurnResult,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)

from dialogs import permissions, plan_editing
from dialogs.errors import DialogError
from dialogs.texts import text
from dialogs.workshop import MAX_ANSWER_CHARS, available_plans

if TYPE_CHECKING:
    from storage.db import Database

__all__ = ["RewordDialog"]

_PLAN = "plan"
_QUESTION = "question"
_TEXT = "text"


class RewordDialog(ComponentDialog):  # type: ignore[misc]
    """Ask for plan, question and new wording; save a new plan version.

    Args:
        db: The storage database.
        lang: The language of the questions the bot asks.
        author: Who is changing the plan (stored with the version); default: the name of
            whoever writes the last answer.
        operators: The operators' ids (who may change every plan); whoever writes the last
            answer must be allowed to change the plan (:mod:`dialogs.permissions`).
    """

    ID = "plan-reword"

    def __init__(
        self,
        db: Database,
        *,
        lang: str = "da",
        author: str | None = None,
        operators: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(self.ID)
        self.db = db
        self.operators = operators
        self.lang = lang
        self.author = author
        self.add_dialog(TextPrompt(_PLAN, self._valid_plan))
        self.add_dialog(TextPrompt(_QUESTION, self._valid_question))
        self.add_dialog(TextPrompt(_TEXT, self._valid_text))
        self.add_dialog(
            WaterfallDialog(
                "steps", [self._ask_plan, self._ask_question, self._ask_text, self._save]
            )
        )
        self.initial_dialog_id = "steps"

    def _prompt(
        self, key: str, retry: str, *, validations: Any = None, **values: Any
    ) -> PromptOptions:
        return PromptOptions(
            prompt=MessageFactory.text(text(key, self.lang, **values)),
            retry_prompt=MessageFactory.text(text(retry, self.lang, **values)),
            validations=validations,
        )

    @staticmethod
    def _actor(step: WaterfallStepContext) -> permissions.Person:
        """Who writes in this dialog, as :mod:`dialogs.permissions` knows people."""
        sender = step.context.activity.from_property
        return permissions.Person(
            (sender.id if sender else None) or "", sender.aad_object_id if sender else None
        )

    async def _ask_plan(self, step: WaterfallStepContext) -> DialogTurnResult:
        plans = ", ".join(key for key, _ in await available_plans(self.db, self.lang))
        return await step.prompt(
            _PLAN, self._prompt("reword_which_plan", "reword_plan_retry", plans=plans)
        )

    async def _ask_question(self, step: WaterfallStepContext) -> DialogTurnResult:
        key = str(step.result).strip()
        step.values[_PLAN] = key
        # Say at once when the plan is not this person's to change (saving checks again).
        try:
            await plan_editing.check_may_edit(
                self.db, key, self._actor(step), self.operators, self.lang
            )
        except plan_editing.PlanRefused as refused:
            await step.context.send_activity(MessageFactory.text(str(refused)))
            return await step.end_dialog(str(refused))
        plan = await plan_editing.load_named_plan(self.db, key)
        use = self.lang if self.lang in plan.languages else plan.default_language
        listing = "\n\n".join(
            f"**{q.id}**: {q.text.get(use, next(iter(q.text.values())))}" for q in plan.questions
        )
        return await step.prompt(
            _QUESTION,
            self._prompt(
                "reword_which_question",
                "reword_question_retry",
                validations=list(plan.question_ids),
                questions=listing,
            ),
        )

    async def _ask_text(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values[_QUESTION] = str(step.result).strip()
        return await step.prompt(
            _TEXT,
            self._prompt("reword_new_text", "reword_text_retry", limit=MAX_ANSWER_CHARS),
        )

    async def _save(self, step: WaterfallStepContext) -> DialogTurnResult:
        new_text = str(step.result).strip()
        argument = f"{step.values[_PLAN]} {step.values[_QUESTION]}: {new_text}"
        sender = step.context.activity.from_property
        author = self.author or (sender.name or sender.id if sender else None) or "workshopbot"
        actor = self._actor(step)
        _, message = await plan_editing.run(
            self.db,
            "plan reword",
            argument,
            author=author,
            lang=self.lang,
            actor=actor,
            operators=self.operators,
        )
        await step.context.send_activity(MessageFactory.text(message))
        return await step.end_dialog(message)

    # -- validators ------------------------------------------------------------------------

    async def _valid_plan(self, prompt: PromptValidatorContext) -> bool:
        if not prompt.recognized.succeeded:
            return False
        try:
            await plan_editing.load_named_plan(self.db, str(prompt.recognized.value).strip())
        except DialogError:
            return False
        return True

    async def _valid_question(self, prompt: PromptValidatorContext) -> bool:
        ids: list[str] = list(prompt.options.validations or []) if prompt.options else []
        return str(prompt.recognized.value or "").strip() in ids

    async def _valid_text(self, prompt: PromptValidatorContext) -> bool:
        value = str(prompt.recognized.value or "").strip()
        return prompt.recognized.succeeded and 0 < len(value) <= MAX_ANSWER_CHARS
