"""Translations shared by the engine, the command line and the GUI (gettext, Qt-free).

Every user-visible text is written in English in the source and wrapped:

- ``_("text")`` translates now, into the current language;
- ``N_("text")`` only marks a text for extraction (module-level constants, class
  attributes); translate it with ``_()`` where it is shown;
- formatted texts use named fields: ``_("Stride {s}").format(s=2)``, never an f-string
  inside ``_()`` (the catalogue could not find it).

The catalogue is one gettext domain, ``convstudio``: the sources are the ``.po`` files in
``engine/i18n/<lang>/`` (one per area of the app), compiled into
``engine/i18n/<lang>/LC_MESSAGES/convstudio.mo`` by ``python -m engine.i18n.catalog compile``
(extraction and checks: ``python -m engine.i18n.catalog check``).

The command line speaks ``CONVSTUDIO_LANG`` if set, else the system locale's language
(:func:`engine.cli.use_command_line_language`); the GUI follows the system locale on first start and
then the user's choice (View ▸ Language).
"""

from __future__ import annotations

import gettext
import locale as _locale
import os
import struct
import threading
from pathlib import Path
from typing import Callable

__all__ = [
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "_",
    "N_",
    "set_language",
    "language",
    "translate_to",
    "source_text",
    "in_current_language",
    "system_language",
    "normalize_language",
    "catalogue_dir",
    "add_listener",
    "remove_listener",
    "join_list",
    "punctuation",
]

#: Languages the app ships, code → the language's own name (shown in menus untranslated).
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
DEFAULT_LANGUAGE = "en"
DOMAIN = "convstudio"

_lock = threading.Lock()
_current = DEFAULT_LANGUAGE
_catalogues: dict[str, gettext.NullTranslations] = {}
_reverse: dict[str, dict[str, str]] = {}
_listeners: list[Callable[[str], None]] = []


def catalogue_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/convstudio.mo`` and the ``.po`` sources."""
    return Path(__file__).resolve().parent


def normalize_language(code: str | None) -> str:
    """Map a locale name (``zh_CN.UTF-8``, ``zh-Hans``, ``zh``, ``en_GB``…) to a shipped language."""
    if not code:
        return DEFAULT_LANGUAGE
    code = code.split(".")[0].split("@")[0].replace("-", "_")
    if code in LANGUAGES:
        return code
    if code.lower().startswith("zh") and not code.lower().startswith(("zh_tw", "zh_hk", "zh_hant")):
        return "zh_CN"
    return DEFAULT_LANGUAGE


def system_language() -> str:
    """The shipped language closest to the user's locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return normalize_language(value.split(":")[0])
    try:
        loc = _locale.getlocale()[0]
    except ValueError:
        loc = None
    return normalize_language(loc)


def _catalogue(code: str) -> gettext.NullTranslations:
    broken: tuple[str, BaseException] | None = None
    with _lock:
        cat = _catalogues.get(code)
        if cat is None:
            if code == DEFAULT_LANGUAGE:
                cat = gettext.NullTranslations()
            else:
                try:
                    cat = gettext.translation(DOMAIN, localedir=str(catalogue_dir()), languages=[code], fallback=True)
                except (OSError, ValueError, LookupError, IndexError, struct.error, MemoryError) as exc:
                    # a garbage, truncated or empty .mo ("Bad magic number"): English, said once
                    cat = gettext.NullTranslations()
                    broken = (code, exc)
            _catalogues[code] = cat
    if broken is not None:
        _report_broken_catalogue(*broken)
    return cat


def _report_broken_catalogue(code: str, exc: BaseException) -> None:
    from ..notices import notify

    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    reason = " ".join(str(reason).split())
    # in English on purpose: the catalogue that would translate it is the one that is broken
    notify(f"the {LANGUAGES.get(code, code)} translation cannot be read ({reason}); the texts are shown in English")


def reload_catalogues() -> None:
    """Forget loaded catalogues (after ``catalog compile`` rewrote a ``.mo``)."""
    with _lock:
        _catalogues.clear()
        _reverse.clear()


def set_language(code: str) -> str:
    """Make ``code`` (any locale name) the current language; returns the shipped code chosen.

    Listeners registered with :func:`add_listener` are called with the new code.
    """
    global _current
    chosen = normalize_language(code)
    _catalogue(chosen)
    changed = chosen != _current
    _current = chosen
    if changed:
        for listener in list(_listeners):
            listener(chosen)
    return chosen


def language() -> str:
    """The current language code (``en`` or ``zh_CN``)."""
    return _current


def _(message: str) -> str:
    """``message`` in the current language (itself where no translation exists)."""
    if _current == DEFAULT_LANGUAGE or not message:
        return message
    return _catalogue(_current).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (translate it with ``_`` when shown)."""
    return message


def translate_to(message: str, code: str) -> str:
    """``message`` (an English source text) in language ``code``, whatever the current one is."""
    code = normalize_language(code)
    if code == DEFAULT_LANGUAGE or not message:
        return message
    return _catalogue(code).gettext(message)


def source_text(text: str, code: str) -> str | None:
    """The English source of ``text`` as shown in language ``code``, or None if it is not a catalogue text.

    Used to re-translate texts already on screen when the language changes.
    """
    code = normalize_language(code)
    if code == DEFAULT_LANGUAGE:
        return text
    with _lock:
        table = _reverse.get(code)
    if table is None:
        cat = _catalogue(code)
        table = {}
        for msgid, msgstr in getattr(cat, "_catalog", {}).items():
            if isinstance(msgid, str) and msgid and msgstr:
                table.setdefault(msgstr, msgid)
        with _lock:
            _reverse[code] = table
    return table.get(text)


def in_current_language(text: str) -> str:
    """``text`` — a catalogue text shown in any shipped language — in the current language.

    For texts painted rather than held by widgets (placeholders drawn in ``paintEvent``): they follow a
    language switch on the next paint. Other texts come back unchanged.
    """
    if not text:
        return text
    for code in LANGUAGES:
        if code != DEFAULT_LANGUAGE:
            source = source_text(text, code)
            if source is not None:
                return _(source)
    return _(text)


def join_list(items, code: str | None = None) -> str:
    """``items`` as a list in a sentence: ``a, b, c`` in English, ``a、b、c`` in Chinese."""
    code = normalize_language(code) if code else _current
    return ("、" if code == "zh_CN" else ", ").join(str(i) for i in items)


def punctuation(mark: str, code: str | None = None) -> str:
    """The sentence mark ``mark`` (``,`` ``;`` ``:`` ``(`` ``)``) as written in the language: full-width in Chinese.

    ``","`` → ``"，"``, ``":"`` → ``"："``; English keeps the ASCII mark followed by a space where one belongs.
    """
    code = normalize_language(code) if code else _current
    if code == "zh_CN":
        return {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}.get(mark, mark)
    return {",": ", ", ";": "; ", ":": ": ", "(": " ("}.get(mark, mark)


def add_listener(callback: Callable[[str], None]) -> None:
    """Call ``callback(code)`` whenever :func:`set_language` changes the language."""
    _listeners.append(callback)


def remove_listener(callback: Callable[[str], None]) -> None:
    """Stop calling ``callback`` on language changes."""
    if callback in _listeners:
        _listeners.remove(callback)


_env_lang = os.environ.get("CONVSTUDIO_LANG")
if _env_lang:
    _current = normalize_language(_env_lang)
