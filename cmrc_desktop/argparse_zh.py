"""argparse's own words (usage, options, its errors) through our catalogue, so that
``cmrc --help`` and a usage error read in one language. argparse looks its ``_`` up at
call time, so pointing it at ours is enough."""

from __future__ import annotations

import argparse

from cmrc_desktop.i18n import N_, _

MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("show program's version number and exit"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("expected at least one argument"),
    N_("expected at most one argument"), N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"), N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def translate_argparse() -> None:
    argparse._ = _  # type: ignore[attr-defined]
