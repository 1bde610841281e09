"""The workshop conversation: question plans, commands and the facilitation flow."""
