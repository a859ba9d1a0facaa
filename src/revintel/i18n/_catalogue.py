"""The message catalogue: the per-capability message modules merged into one lookup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module

from revintel.capabilities import message_modules

#: German and English text of one message.
Texts = tuple[str, str]

#: The message modules: the common texts and each capability's, as the capability registry
#: declares them; each defines ``MESSAGES: dict[str, tuple[str, str]]``.
MESSAGE_MODULES: tuple[str, ...] = ("revintel.i18n.messages.common", *message_modules())


class DuplicateMessageError(ValueError):
    """Two message modules define the same key; the message names both modules."""


def merge_messages(sources: Mapping[str, Mapping[str, Texts]]) -> dict[str, Texts]:
    """Merge the messages of several modules into one catalogue.

    Parameters
    ----------
    sources
        Module name → that module's ``MESSAGES``.

    Raises
    ------
    DuplicateMessageError
        When a key is defined by more than one module: which text would win must not depend on
        the order the modules are read in.

    Examples
    --------
    >>> merge_messages({"a": {"x": ("ja", "yes")}, "b": {"y": ("nein", "no")}})
    {'x': ('ja', 'yes'), 'y': ('nein', 'no')}
    """
    merged: dict[str, Texts] = {}
    owners: dict[str, str] = {}
    for module, messages in sources.items():
        for key, texts in messages.items():
            if key in owners:
                raise DuplicateMessageError(
                    f"message key {key!r} is defined in both {owners[key]} and {module}"
                )
            owners[key] = module
            merged[key] = texts
    return merged


def load_messages(modules: Iterable[str] = MESSAGE_MODULES) -> dict[str, Texts]:
    """Import the message modules and merge their ``MESSAGES``.

    Parameters
    ----------
    modules
        Dotted names of message modules.

    Raises
    ------
    DuplicateMessageError
        When two modules define the same key.
    TypeError
        When a module has no ``MESSAGES`` dict.
    """
    sources: dict[str, Mapping[str, Texts]] = {}
    for name in modules:
        messages = getattr(import_module(name), "MESSAGES", None)
        if not isinstance(messages, dict):
            raise TypeError(f"message module {name} defines no MESSAGES dict")
        sources[name] = messages
    return merge_messages(sources)


#: key → (German, English), over every capability.
MESSAGES: dict[str, Texts] = load_messages()
