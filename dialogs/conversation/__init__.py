"""The conversation: use cases behind the channel seam (see :mod:`dialogs.conversation.channel`)."""
