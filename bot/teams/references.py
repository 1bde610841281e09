"""Conversation references as plain dicts and back, fast.

A destination (:data:`dialogs.conversation.channel.Destination`) is what
``ConversationReference.serialize()`` gives, and botbuilder's ``deserialize`` reads it back.
msrest's (de)serializer takes a few hundred microseconds for these three small models, and
the answer fast path would pay it twice per answer (the activity's reference in, the
card's reference out): more than parsing the activity. These two functions walk the
models' own ``_attribute_map`` instead and give the same dicts and objects.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

__all__ = ["reference_dict", "reference_of"]

_NESTED: dict[str, type[Any]] = {
    "ChannelAccount": ChannelAccount,
    "ConversationAccount": ConversationAccount,
}


def _to_dict(model: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attribute, spec in model._attribute_map.items():
        value = getattr(model, attribute, None)
        if value is None:
            continue
        out[spec["key"]] = _to_dict(value) if spec["type"] in _NESTED else value
    return out


def _from_dict(cls: type[Any], data: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for attribute, spec in cls._attribute_map.items():
        value = data.get(spec["key"])
        if value is None:
            continue
        nested = _NESTED.get(spec["type"])
        if nested is not None:
            value = _from_dict(nested, value) if isinstance(value, dict) else None
        values[attribute] = value
    return cls(**values)


def reference_dict(reference: ConversationReference) -> dict[str, Any]:
    """``reference.serialize()``, without msrest."""
    return _to_dict(reference)


def reference_of(where: dict[str, Any]) -> ConversationReference:
    """``ConversationReference().deserialize(where)``, without msrest."""
    reference: ConversationReference = _from_dict(ConversationReference, where)
    return reference
