"""A query typed on the Latin keyboard layout while a Bulgarian one was meant: "pdufk" is what the
keys of "закон" give on the BDS layout, "zakon" on the phonetic one. `retyped` reads a text's keys
as a Bulgarian layout would have; the query layer (`expand`) reads so each part of a query whose
words the index lacks as typed, when it has every word of the reading.

The layouts as Windows and most Linux desktops install them (Microsoft's KBDBU, KBDBGPH1 and
KBDBGPH): each key of the US layout, unshifted then shifted, beside the letter it gives there.
Keys that give no letter are left out; a query with any letter left in Latin is not read that way.
"""

from __future__ import annotations

import re

__all__ = ["LAYOUTS", "has_letter_keys", "retyped", "typed_in_latin"]

_US_KEYS = "`qwertyuiop[]\\asdfghjkl;'zxcvbnm,./"
_US_SHIFTED = "~QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?"


def _layout(letters: str) -> dict[str, str]:
    """The key → letter table of a layout whose unshifted keys, in `_US_KEYS` order, give
    `letters` ("." for a key that gives no letter); shifted, their capitals."""
    assert len(letters) == len(_US_KEYS)
    table: dict[str, str] = {}
    for key, shifted, letter in zip(_US_KEYS, _US_SHIFTED, letters):
        if letter != ".":
            table[key], table[shifted] = letter, letter.upper()
    return table


# name → table; the state standard first (it wins a tie)
LAYOUTS: dict[str, dict[str, str]] = {
    #                        `qwertyuiop[]\asdfghjkl;'zxcvbnm,./
    "BDS":          _layout("..уеишщксдзц..ьяаожгтнвмчюйъэфхпрлб"),
    "phonetic":     _layout("чявертъуиопшщюасдфгхйкл..зьцжбнм..."),
    "new phonetic": _layout("ючшертъуиопящьасдфгхйкл..зжцвбнм..."),
}


def typed_in_latin(text: str) -> bool:
    """True for a text with Latin letters and no Cyrillic one."""
    return bool(_LATIN.search(text)) and not _CYRILLIC.search(text)


def has_letter_keys(text: str) -> bool:
    """True if a key that gives no letter on the Latin layout but one on a Bulgarian layout touches a
    Latin letter of `text` (skrivali]a, to~nost, Mf.rjr[rje): what a word typed on the wrong layout has."""
    return bool(_LETTER_KEY_BY_LETTER.search(text))


def retyped(text: str, layout: str) -> str | None:
    """`text` as its keys read on `layout` (a name of `LAYOUTS`), or None if a Latin letter stays
    (a key that gives no letter there) or `text` is not `typed_in_latin`."""
    if not typed_in_latin(text):
        return None
    table = LAYOUTS[layout]
    reading = "".join(table.get(char, char) for char in text)
    return None if _LATIN.search(reading) else reading


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-zA-Z]")
_LETTER_KEYS = "".join(sorted({key for table in LAYOUTS.values() for key in table if not key.isalpha()}))
_LETTER_KEY_BY_LETTER = re.compile(f"[a-zA-Z][{re.escape(_LETTER_KEYS)}]|[{re.escape(_LETTER_KEYS)}][a-zA-Z]")
