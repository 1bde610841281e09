"""Teams under the conversation: the :class:`~bot.teams.channel.TeamsChannel`, the activity
→ :class:`~dialogs.conversation.channel.Incoming` translation, per-person state on
botbuilder's ``UserState``, and the step-by-step plan dialog (botbuilder-dialogs)."""
