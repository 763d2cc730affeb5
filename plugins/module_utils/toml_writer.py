# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write TOML that Streamlit can read, or say exactly which value cannot be written.

Plain Python. Streamlit parses config.toml and secrets.toml with ``tomllib`` and ignores the
*whole* file on one syntax error (cookieSecret, corsAllowedOrigins and allowedHosts with it), so
``dumps`` never guesses: nested mappings become tables, keys are quoted where TOML needs it,
any character is written as itself or as a TOML escape (never JSON's surrogate pairs), and a
value TOML cannot hold (null, NaN, an object) is an error naming its dotted path. ``dumps``
parses its own output with ``tomllib`` when it is there (Python 3.11+: the controller) and
requires the data back unchanged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re
from collections.abc import Mapping

try:
    import tomllib
except ImportError:  # Python < 3.11 (a target); the controller always has it.
    tomllib = None

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


class TomlError(ValueError):
    """A value that TOML cannot hold, with the dotted path of where it sits."""


def _path(parts):
    return ".".join(parts) or "(top level)"


def quote_key(key):
    return key if BARE_KEY.match(key) else quote_string(key)


def quote_string(text, where=()):
    out = ['"']
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise TomlError("%s: holds a lone UTF-16 surrogate (U+%04X), which is no character" % (_path(where), code))
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append("\\u%04X" % code)
        else:
            out.append(char)  # Every other character, emoji included, as itself (UTF-8 on disk).
    out.append('"')
    return "".join(out)


def _value(value, where):
    if value is None:
        raise TomlError("%s: is null, which TOML cannot hold; give it a value or remove the key" % _path(where))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise TomlError("%s: %r is not a finite number" % (_path(where), value))
        return repr(float(value))
    if isinstance(value, str):
        return quote_string(str(value), where)
    if isinstance(value, Mapping):
        keyed = [(_key(k, where), v) for k, v in value.items()]
        return "{%s}" % ", ".join("%s = %s" % (quote_key(k), _value(v, where + (k,))) for k, v in keyed)
    if isinstance(value, (list, tuple)):
        return "[%s]" % ", ".join(_value(item, where + ("[%d]" % i,)) for i, item in enumerate(value))
    raise TomlError("%s: a %s cannot be written to TOML" % (_path(where), type(value).__name__))


def _key(key, where):
    if not isinstance(key, str):
        raise TomlError("%s: the key %r is not a string" % (_path(where), key))
    return str(key)


def _table(data, where, lines):
    items = sorted((_key(k, where), v) for k, v in data.items())
    scalars = [(k, v) for k, v in items if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in items if isinstance(v, Mapping)]
    if where and (scalars or not tables):
        lines.append("")
        lines.append("[%s]" % ".".join(quote_key(part) for part in where))
    for key, value in scalars:
        lines.append("%s = %s" % (quote_key(key), _value(value, where + (key,))))
    for key, value in tables:
        _table(value, where + (key,), lines)


def dumps(data):
    """TOML text of the mapping ``data`` (tables for nested mappings, sorted keys)."""
    if not isinstance(data, Mapping):
        raise TomlError("(top level): must be a mapping of keys to values, not a %s" % type(data).__name__)
    lines = []
    _table(data, (), lines)
    text = "\n".join(lines).lstrip("\n") + "\n" if lines else ""
    if tomllib is not None:
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:  # pragma: no cover - a bug in this writer
            raise TomlError("the TOML written does not parse (%s); this is a bug in wsproxy.streamlit" % exc)
        if parsed != _plain(data):
            raise TomlError("the TOML written does not read back as the data; this is a bug in wsproxy.streamlit")
    return text


def _plain(value):
    if isinstance(value, Mapping):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def problems(data):
    """[] when ``data`` can be written as TOML, else the one error message."""
    try:
        dumps(data)
    except TomlError as exc:
        return [str(exc)]
    return []
