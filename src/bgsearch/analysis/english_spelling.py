"""English spelling ↔ Bulgarian transcription of foreign names and brands, as rule tables.

Bulgarian news write foreign names as they sound (Samsung → Самсунг, Microsoft → Майкрософт,
Facebook → Фейсбук, Trump → Тръмп, Zelensky → Зеленски), and often keep the original Latin
spelling beside it.  Two tables, one rule a row, each with the example it is there for:

* :data:`ENGLISH_TO_BULGARIAN`: Latin letters of an English spelling → the Cyrillic letters of the
  transcription (``ee`` → и, ``-sky`` → -ски, ``-le`` → -ъл).  :mod:`.translit` adds them to its
  decoder of Latin queries, which weighs them against its n-gram model of Bulgarian spelling.
* :data:`BULGARIAN_TO_ENGLISH`: the way back, Cyrillic letters → the English spellings they may
  stand for (ай → i, к → c, у → oo, ф → ph, ей + consonant → a + consonant + e).
  :func:`latin_spellings` writes a Cyrillic word in Latin letters by these rules, cheapest first; the
  query side keeps only the spellings whose terms the index has, so the list only has to *contain*
  the right one.

A cost is about ``-ln(share)`` of writers who spell a letter so: 0 for the plain reading of a letter
(the Streamlined System's), more for a rarer English spelling.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from .stemmer import BulgarianStemmer

__all__ = ["BULGARIAN_TO_ENGLISH", "ENGLISH_TO_BULGARIAN", "Rule", "is_dictionary_word", "latin_spellings"]

ANYWHERE: Final = ""
FINAL: Final = "final"  # the source letters must end the word
INITIAL: Final = "initial"  # ...must begin it


@dataclass(frozen=True)
class Rule:
    """``source`` letters may be written as ``target`` letters, at a cost; ``example`` shows it."""

    source: str
    target: str
    cost: float
    example: str
    where: str = ANYWHERE
    before: str = ""  # the letter after the source must be one of these ("$": the end); "": any
    after: str = ""  # the letter before the source must be one of these ("^": the start); "": any


def _rules(rows: Iterable[tuple[Any, ...]]) -> tuple[Rule, ...]:
    return tuple(Rule(*row) for row in rows)


def _shares(rows: Iterable[tuple[Any, ...]]) -> tuple[Rule, ...]:
    """Rules written with the share of writers who spell so (the cost is -ln(share))."""
    return tuple(Rule(source, target, -math.log(share), *rest) for source, target, share, *rest in rows)


# ------------------------------------------------------------------- English spelling → Cyrillic

# A vowel before consonant + silent e, as Bulgarian transcribes it.
_MAGIC_E: Final = (
    ("a", "ей", "Facebook → Фейсбук, James → Джеймс"),
    ("i", "ай", "Nike → Найк, White → Уайт"),
    ("y", "ай", "Skype → Скайп"),
    ("o", "оу", "Stone → Стоун"),
    ("u", "ю", "YouTube → Ютюб"),
)

#: Latin → Cyrillic rules of English spelling the chat and official tables of `translit` lack,
#: written with the rough share of English spellings so transcribed (the cost is -ln(share)).
ENGLISH_TO_BULGARIAN: Final[tuple[Rule, ...]] = _shares((
    ("sky", "ски", 0.5, "Zelensky → Зеленски", FINAL),
    ("skyy", "ски", 0.5, "Zelenskyy → Зеленски", FINAL),
    ("skiy", "ски", 0.3, "Zelenskiy → Зеленски", FINAL),
    ("yy", "и", 0.1, "Nestlyy → Нестли", FINAL),
    ("ee", "и", 0.05, "Jeep → Джип"),
    ("ea", "и", 0.05, "Chelsea → Челси"),
    ("le", "ъл", 0.1, "Google → Гугъл", FINAL),
    ("er", "ър", 0.1, "Hunter → Хънтър", FINAL),
    ("ci", "си", 0.1, "City → Сити"),
    ("i", "ай", 0.03, "Microsoft → Майкрософт, Nike → Найк"),
    ("y", "ай", 0.02, "Tyson → Тайсън"),
    ("wh", "у", 0.1, "White → Уайт"),
    ("sch", "ш", 0.1, "Schulz → Шулц"),
    ("z", "ц", 0.02, "Schulz → Шулц", FINAL),
    ("ow", "оу", 0.05, "Snowden → Сноудън"),
    ("on", "ън", 0.05, "Clinton → Клинтън, Jackson → Джаксън", FINAL),  # an unstressed final vowel
    ("en", "ън", 0.05, "Snowden → Сноудън, Biden → Байдън", FINAL),
    ("ou", "ау", 0.03, "Mount → Маунт"),
    ("you", "ю", 0.1, "YouTube → Ютюб"),
    # A "magic e": a vowel, one consonant and a silent e (Nike, Skype, Stone, Tube, Face).
    *((vowel + latin + "e", sound + cyrillic, 0.05, example)
      for vowel, sound, example in _MAGIC_E
      for cyrillic, latin in zip("бдфгклмнпрствзс", "bdfgklmnprstvzc")),
))


# ------------------------------------------------------------------- Cyrillic → English spelling

#: The plain reading of each letter, cost 0 (the Streamlined System, but ъ → a/u below).
_PLAIN: Final[Mapping[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ь": "y",
    "ю": "yu", "я": "ya", "ѝ": "i", "ѐ": "e",
}
_CONSONANTS: Final = "бвгдзклмнпрстфх"

#: Cyrillic → Latin: English spellings of Bulgarian transcriptions, beside the plain readings.
BULGARIAN_TO_ENGLISH: Final[tuple[Rule, ...]] = _rules((
    *((c, latin, 0.0, "Самсунг → Samsung") for c, latin in _PLAIN.items()),
    ("ъ", "a", 0.3, "Тръмп → Tramp"),
    ("ъ", "u", 0.3, "Тръмп → Trump"),
    ("ъ", "o", 1.0, "Клинтън → Clinton"),
    ("ъ", "e", 1.2, "Хелън → Helen"),
    ("ъл", "le", 0.5, "Гугъл → Google, Епъл → Apple", FINAL),
    ("ър", "er", 0.4, "Хънтър → Hunter"),
    ("ър", "or", 1.2, "Тейлър → Taylor"),
    ("е", "a", 1.5, "Епъл → Apple"),
    ("ей", "a", 1.2, "Дейвид → David"),
    ("ей", "ai", 0.7, "Дейли → Daily"),
    ("ей", "ay", 0.8, "Тейлър → Taylor"),
    *(("ей" + c, "a" + _PLAIN[c] + "e", 0.6, "Джеймс → James") for c in _CONSONANTS),
    ("ейс", "ace", 0.6, "Фейсбук → Facebook"),
    ("ай", "i", 0.7, "Майкрософт → Microsoft"),
    ("ай", "y", 1.5, "Тайсън → Tyson"),
    ("ай", "ai", 0.5, "Кайзер → Kaizer"),
    *(("ай" + c, "i" + _PLAIN[c] + "e", 1.0, "Найк → Nike") for c in _CONSONANTS),
    ("айс", "ice", 1.0, "Райс → Rice"),
    ("оу", "o", 1.0, "Джоунс → Jones"),
    ("оу", "ow", 1.0, "Сноудън → Snowden"),
    *(("оу" + c, "o" + _PLAIN[c] + "e", 1.0, "Стоун → Stone") for c in _CONSONANTS),
    ("ау", "ow", 1.0, "Браун → Brown"),
    ("ау", "ou", 1.0, "Маунт → Mount"),
    ("ий", "ee", 0.5, "Грийн → Green"),
    ("ий", "ea", 1.2, "Дийл → Deal"),
    ("и", "y", 0.7, "Зеленски → Zelensky, Кенеди → Kennedy", FINAL),
    ("ски", "skyy", 1.0, "Зеленски → Zelenskyy", FINAL),
    ("ски", "skiy", 1.2, "Зеленски → Zelenskiy", FINAL),
    ("и", "ee", 1.5, "Джип → Jeep"),
    ("и", "y", 1.5, "Силвия → Sylvia"),
    ("и", "ea", 1.5, "Челси → Chelsea", FINAL),
    ("ия", "ia", 0.3, "Индия → India"),
    ("я", "ia", 1.0, "Ян → Ian"),
    ("й", "i", 1.0, "Мойра → Moira"),
    ("ю", "u", 1.0, "Дюк → Duke"),
    ("ю", "you", 1.2, "Ютюб → YouTube"),
    ("у", "oo", 0.8, "Фейсбук → Facebook"),
    ("у", "ou", 1.5, "Лу → Lou"),
    ("у", "w", 1.0, "Уест → West", ANYWHERE, "аеио"),
    ("у", "wh", 2.0, "Уайт → White", INITIAL, "аеи"),
    ("в", "w", 1.5, "Вашингтон → Washington"),
    # A hard c: before a, o, u, ъ, l, r, t or at the end (not before e, i: Кенеди is Kennedy).
    ("к", "c", 0.5, "Майкрософт → Microsoft, Макрон → Macron", ANYWHERE, "аоуълрт$"),
    ("к", "ck", 1.2, "Рок → rock"),
    ("кс", "x", 1.0, "Тексас → Texas, Нетфликс → Netflix"),
    ("кз", "x", 1.0, "Брекзит → Brexit"),
    ("кв", "qu", 1.2, "Квебек → Quebec"),
    ("с", "c", 1.0, "Сити → City", ANYWHERE, "еий"),  # a soft c: before e, i, y
    ("ф", "ph", 1.2, "Филипс → Philips"),
    ("т", "th", 1.5, "Томас → Thomas, Смит → Smith"),
    ("дж", "j", 0.5, "Джак → Jack"),
    ("дж", "g", 1.2, "Джина → Gina"),
    ("ш", "sch", 2.0, "Шулц → Schulz"),
    ("ц", "tz", 1.5, "Шулц → Schultz"),
    ("ц", "z", 1.5, "Шулц → Schulz"),
    # A consonant English writes doubled between vowels or after one at the end.
    *((c, _PLAIN[c] * 2, 1.5, "Епъл → Apple", ANYWHERE, "аеиоуъ$", "аеиоуъ") for c in "бгдзлмнпрстф"),
    # A silent e after a final consonant.
    *((c, _PLAIN[c] + "e", 1.5, "Ютюб → YouTube, Скайп → Skype", FINAL) for c in _CONSONANTS),
))

#: Spellings :func:`latin_spellings` looks at per word at most (a bound on time, whatever the word).
MAX_EXPANSIONS: Final = 4000


class _Speller:
    def __init__(self, rules: Iterable[Rule]) -> None:
        by_source: dict[str, list[Rule]] = {}
        for rule in rules:
            by_source.setdefault(rule.source, []).append(rule)
        self.by_source = by_source
        self.longest = max(len(source) for source in by_source)

    def spellings(self, word: str, limit: int, max_cost: float) -> list[tuple[str, float]]:
        """The ``limit`` cheapest Latin spellings of ``word`` (lowercase Cyrillic), cheapest first,
        none dearer than ``max_cost``: a best-first search over positions (costs are never negative,
        so spellings come out in order of cost)."""
        n = len(word)
        options: list[list[tuple[int, str, float]]] = []
        for i in range(n):
            here = []
            for j in range(i + 1, min(n, i + self.longest) + 1):
                for rule in self.by_source.get(word[i:j], ()):
                    if _applies(rule, word, i, j):
                        here.append((j, rule.target, rule.cost))
            options.append(here)
        heap: list[tuple[float, int, str]] = [(0.0, 0, "")]
        best: dict[tuple[int, str], float] = {}
        found: list[tuple[str, float]] = []
        seen: set[str] = set()
        pops = 0
        while heap and len(found) < limit and pops < MAX_EXPANSIONS:
            cost, i, text = heapq.heappop(heap)
            pops += 1
            if i == n:
                if text not in seen:
                    seen.add(text)
                    found.append((text, cost))
                continue
            for j, target, extra in options[i]:
                total = cost + extra
                if total > max_cost:
                    continue
                key = (j, text + target)
                if total < best.get(key, float("inf")):
                    best[key] = total
                    heapq.heappush(heap, (total, j, text + target))
        return found


def _applies(rule: Rule, word: str, i: int, j: int) -> bool:
    """Whether ``rule`` may spell ``word[i:j]``, by its place in the word and its neighbours."""
    if (rule.where == FINAL and j != len(word)) or (rule.where == INITIAL and i != 0):
        return False
    if rule.before and (word[j] if j < len(word) else "$") not in rule.before:
        return False
    return not rule.after or (word[i - 1] if i else "^") in rule.after


@lru_cache(maxsize=1)
def _speller() -> _Speller:
    return _Speller(BULGARIAN_TO_ENGLISH)


@lru_cache(maxsize=8192)
def _cached(word: str, limit: int, max_cost: float) -> tuple[tuple[str, float], ...]:
    return tuple(_speller().spellings(word, limit, max_cost))


#: Spellings dearer than this are not made (a few English spellings in one word, not every one).
MAX_COST: Final = 4.5


def latin_spellings(word: str, limit: int = 24, max_cost: float = MAX_COST) -> list[tuple[str, float]]:
    """Latin spellings of one Cyrillic word as English would write the name it transcribes, as
    (spelling, cost), cheapest first; a word with a letter outside Bulgarian's has none.

    >>> [s for s, _ in latin_spellings("Самсунг", 1)]
    ['samsung']
    >>> "microsoft" in [s for s, _ in latin_spellings("Майкрософт")]
    True
    """
    lower = word.lower()
    if not lower or any(letter not in _PLAIN and letter != "ъ" for letter in lower):
        return []
    return list(_cached(lower, limit, max_cost))


@lru_cache(maxsize=1)
def _stemmer() -> BulgarianStemmer:
    return BulgarianStemmer()


def is_dictionary_word(word: str) -> bool:
    """True for a normalized Cyrillic word the Bulgarian dictionary knows (закон, Путин): an ordinary
    word, seldom the transcription of a foreign name or brand (самсунг, фейсбук are not known)."""
    return _stemmer().is_known(word)
