"""Token normalization: the spelling variants real Bulgarian text contains, folded to one form.

Each rule is a row in a table below, with the example it exists for. Normalization works on one
token at a time (the tokenizer keeps combining marks and soft hyphens inside tokens), so the
character offsets of the original text stay valid for highlighting.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_word", "is_cyrillic_word"]

# Characters deleted inside a word.
_DELETED = {
    "\u0300": "combining grave: stress mark (ка̀кво)",
    "\u0301": "combining acute: stress mark (ка́кво)",
    "\u0340": "combining grave tone mark",
    "\u0341": "combining acute tone mark",
    "\u00ad": "soft hyphen (социал\u00adно)",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "byte order mark / zero-width no-break space",
}

# Letters replaced by their modern standard equivalents (after lowercasing).
_LETTERS = {
    "ѝ": "и",  # ѝ "her" is written и, й or ѝ; all three must meet
    "ѐ": "е",  # grave-accented е (U+0450), a stress mark baked into one code point
    "ѫ": "ъ",  # big yus, pre-1945 spelling: мѫжъ → мъж
    "ѭ": "ю",  # iotated big yus, pre-1945
    "і": "и",  # dotted i of 19th-century texts
}
_TRANSLATION = str.maketrans({**{c: None for c in _DELETED}, **_LETTERS})

# Latin letters that look like Cyrillic ones; folded inside mostly-Cyrillic words (кoмпютър with a
# Latin o) and the reverse inside mostly-Latin words (Rеuters with a Cyrillic е). Lowercase only:
# words are lowercased before folding.
_LATIN_TO_CYRILLIC = dict(zip("aeopcyxkmhtbi", "аеорсухкмнтви"))
_CYRILLIC_TO_LATIN = {c: l for l, c in _LATIN_TO_CYRILLIC.items() if c in "аеорсух"}
_TO_CYRILLIC = str.maketrans(_LATIN_TO_CYRILLIC)
_TO_LATIN = str.maketrans(_CYRILLIC_TO_LATIN)

_CYRILLIC = re.compile(r"[\u0430-\u04ff]")  # lowercase Cyrillic, historic letters (ѣ, ѫ) included
_LATIN = re.compile(r"[a-z]")
# ѣ (yat, pre-1945) became я before a syllable with a back vowel or at the end of a word
# (бѣлъ → бял, мѣсто → място), and е otherwise (бѣли → бели, врѣме → време).
_YAT_BEFORE_BACK_VOWEL = re.compile(r"ѣ(?=[^аъоуеиюяѣ]*(?:[аъоу]|$))")
_PLAIN_CYRILLIC = re.compile(r"[а-я]+")


def normalize_word(word: str) -> str:
    """Return the canonical lowercase spelling of one token.

    >>> normalize_word("Ка́кво")
    'какво'
    >>> normalize_word("кoмпютрите")  # Latin o
    'компютрите'
    """
    word = word.lower()
    if word.isascii():
        return word
    if word[-1] != "ъ" and _PLAIN_CYRILLIC.fullmatch(word):  # most words: `_folded` would keep them
        return word
    return _folded(word)


def _folded(word: str) -> str:
    """A lowercase word with every rule of the tables applied."""
    # Marks go before composing: и + U+0301 + U+0306 must end up as й.
    word = unicodedata.normalize("NFC", word.translate(_TRANSLATION))
    if "ѣ" in word:
        word = _YAT_BEFORE_BACK_VOWEL.sub("я", word).replace("ѣ", "е")
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    if cyrillic and latin:
        # Composed again: a Latin y + breve folded to у must become ў now, not on a second pass.
        word = unicodedata.normalize("NFC", word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN))
    if word.endswith("ъ"):
        word = _drop_final_hard_sign(word)
    return word


def _drop_final_hard_sign(word: str) -> str:
    # Pre-1945 spelling wrote a silent ъ after a final consonant (градъ); modern Bulgarian never
    # ends a word with ъ after a consonant, so dropping it is safe for modern text too.
    if len(word) > 2 and word[-1] == "ъ" and word[-2] not in "аъоуеиюя":
        return word[:-1]
    return word


def is_cyrillic_word(word: str) -> bool:
    """True for a normalized word made only of the 30 letters of the modern Bulgarian alphabet."""
    return _PLAIN_CYRILLIC.fullmatch(word) is not None
