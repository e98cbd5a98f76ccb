"""Dialogs of the shell: About, new secretary workspace, panel package import.

Each follows one pattern: ``load(obj)`` fills the form, ``save() -> obj`` reads it back or
raises ``InputError`` naming the field; the caller opens it with ``open()`` and listens to
a past-tense signal (``created``, ``imported``) rather than blocking in ``exec()``.
"""
