"""Bulgarian ↔ Latin script: the official transliteration and a tolerant reverse mapping for queries.

* :func:`to_latin` writes Bulgarian in Latin letters, either by the Streamlined System of the 2009
  Transliteration Act (``official``: Щерев → Shterev, София → Sofia) or in a deterministic
  "shlyokavitsa" chat style (``informal``: чете → 4ete, щастие → 6tastie).
* :func:`cyrillic_candidates` goes the other way for one query word typed in Latin letters and
  returns a short ranked list of Cyrillic spellings (``sanktsiite`` → санкциите, ``4ete`` → чете,
  ``Trump`` → тръмп).  The reverse is ambiguous (``a`` is а or ъ, ``ts`` is ц or тс, ``y`` is й,
  ъ or ь), so every reading of the word is scored by

  - a character n-gram model of Bulgarian spelling (``analysis/data/translit-ngrams.tsv.gz``, built by
    ``tools/build_translit_model.py`` from the wordfreq word list), and
  - a cost per Latin spelling of a Cyrillic letter: ``-ln(share of writers who spell it so)``,
    so the official and the common chat spellings are cheap and English-like ones dear,

  and a beam search keeps the best few readings per input position, so time grows linearly with
  the length of the word however many readings it has.

The search layer analyzes the candidates and keeps those whose terms exist in the index, so the
list only has to *contain* the right spelling, preferably near the top.
"""

from __future__ import annotations

import gzip
import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final, Literal

from ..caching import BoundedCache
from . import english_spelling

__all__ = ["cyrillic_candidates", "is_latin_word", "latin_parts", "to_latin"]

# ------------------------------------------------------------------------------- Cyrillic → Latin

# The Streamlined System (Transliteration Act 2009, art. 3), one row per letter.
OFFICIAL: Final[Mapping[str, str]] = {
    "а": "a",  # Асен → Asen
    "б": "b",  # Бургас → Burgas
    "в": "v",  # Варна → Varna
    "г": "g",  # Габрово → Gabrovo
    "д": "d",  # Добрич → Dobrich
    "е": "e",  # Елена → Elena
    "ж": "zh",  # Жеравна → Zheravna
    "з": "z",  # Змеево → Zmeevo
    "и": "i",  # Искър → Iskar
    "й": "y",  # Йордан → Yordan
    "к": "k",  # Карлово → Karlovo
    "л": "l",  # Ловеч → Lovech
    "м": "m",  # Мадара → Madara
    "н": "n",  # Нестинарка → Nestinarka
    "о": "o",  # Огоста → Ogosta
    "п": "p",  # Пловдив → Plovdiv
    "р": "r",  # Рила → Rila
    "с": "s",  # София → Sofia
    "т": "t",  # Търговище → Targovishte
    "у": "u",  # Углярци → Uglyartsi
    "ф": "f",  # Фьодор → Fyodor
    "х": "h",  # Хасково → Haskovo
    "ц": "ts",  # Цар Калоян → Tsar Kaloyan
    "ч": "ch",  # Чепеларе → Chepelare
    "ш": "sh",  # Шумен → Shumen
    "щ": "sht",  # Щерев → Shterev
    "ъ": "a",  # Сливен → Sliven, Търговище → Targovishte
    "ь": "y",  # Гьоте → Gyote (ь only occurs before о)
    "ю": "yu",  # Юрий → Yuriy
    "я": "ya",  # Ямбол → Yambol
    # Not letters of the alphabet but common in text: accented и / е (ѝ "her", stress marks).
    "ѝ": "i",
    "ѐ": "e",
}

# The chat style of to_latin(style="informal"): the official table with these letters replaced.
INFORMAL: Final[Mapping[str, str]] = {
    **OFFICIAL,
    "ж": "j",  # жена → jena
    "ц": "c",  # улица → ulica
    "ч": "4",  # чете → 4ete (the digit looks like the letter)
    "ш": "6",  # шест → 6est
    "щ": "6t",  # щастие → 6tastie
    "ъ": "y",  # път → pyt (Y sits on the ъ key of the phonetic keyboard)
    "ю": "iu",  # юни → iuni
    "я": "q",  # ябълка → qbylka (Q sits on the я key)
}

# Word-final "ия" is "ia" in the official system (София → Sofia, not Sofiya); the chat style keeps
# its own я (Sofiq).  The country name is the one exception the Act allows.
_OFFICIAL_WORDS: Final[Mapping[str, str]] = {"българия": "bulgaria"}  # България → Bulgaria

_CYRILLIC_WORD = re.compile(r"[а-яА-ЯѐѝЀЍ]+")


def to_latin(text: str, style: Literal["official", "informal"] = "official") -> str:
    """Transliterate the Bulgarian letters of ``text``; everything else passes through unchanged.

    >>> to_latin("Щерев от София")
    'Shterev ot Sofia'
    >>> to_latin("Щастие и чета", "informal")
    '6tastie i 4eta'
    """
    if style == "official":
        table, official = OFFICIAL, True
    elif style == "informal":
        table, official = INFORMAL, False
    else:
        raise ValueError(f"unknown transliteration style {style!r}")
    return _CYRILLIC_WORD.sub(lambda m: _word_to_latin(m.group(), table, official), text)


def _word_to_latin(word: str, table: Mapping[str, str], official: bool) -> str:
    lower = word.lower()
    all_caps = len(word) > 1 and word.isupper()
    if official and lower in _OFFICIAL_WORDS:
        latin = _OFFICIAL_WORDS[lower]
        if all_caps:
            return latin.upper()
        return latin.capitalize() if word[0].isupper() else latin
    parts = [table.get(c, c) for c in lower]  # ы, э, ё are no Bulgarian letters: kept as they are
    if official and lower.endswith("ия"):
        parts[-1] = "a"  # final ия → ia
    return _apply_case(word, parts, all_caps)


def _apply_case(word: str, parts: list[str], all_caps: bool) -> str:
    """Give each letter's Latin spelling the case of the letter: Щерев → Shterev, ЩЕРЕВ → SHTEREV."""
    out = []
    for letter, latin in zip(word, parts):
        if letter.isupper():
            latin = latin.upper() if all_caps else latin[:1].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


# ------------------------------------------------------------------------------- Latin → Cyrillic

_ANYWHERE: Final = ""
_FINAL: Final = "final"  # the Latin spelling must end the word


@dataclass(frozen=True)
class Spelling:
    """One way of writing a Cyrillic letter (or letter group) in Latin letters."""

    latin: str
    cyrillic: str
    share: float  # rough share of writers who spell ``cyrillic`` so; the cost is -ln(share)
    where: str = _ANYWHERE


# Every Latin spelling the decoder knows.  A Cyrillic letter's official spelling has share ~0.5
# (about half of Latin-script Bulgarian follows the Act), the common chat spellings share the rest,
# English-like and keyboard-layout spellings are rare.  The n-gram model decides between readings
# of equal cost (sht: щ or шт, ts: ц or тс, zh: ж or зх, sh: ш or сх).
SPELLINGS: Final[tuple[Spelling, ...]] = (
    # Letters written (almost) the same by everybody.
    Spelling("a", "а", 1.0),  # мама → mama
    Spelling("b", "б", 1.0),  # баба → baba
    Spelling("v", "в", 0.8),  # вода → voda
    Spelling("g", "г", 1.0),  # град → grad
    Spelling("d", "д", 1.0),  # дом → dom
    Spelling("e", "е", 1.0),  # село → selo
    Spelling("z", "з", 1.0),  # зима → zima
    Spelling("i", "и", 1.0),  # нива → niva
    Spelling("k", "к", 1.0),  # книга → kniga
    Spelling("l", "л", 1.0),  # лято → lyato
    Spelling("m", "м", 1.0),  # море → more
    Spelling("n", "н", 1.0),  # нос → nos
    Spelling("o", "о", 1.0),  # око → oko
    Spelling("p", "п", 1.0),  # поле → pole
    Spelling("r", "р", 1.0),  # ръка → raka
    Spelling("s", "с", 1.0),  # сол → sol
    Spelling("t", "т", 1.0),  # тук → tuk
    Spelling("u", "у", 1.0),  # ум → um
    Spelling("f", "ф", 1.0),  # фар → far
    # Official (Streamlined System) spellings of the other letters.
    Spelling("zh", "ж", 0.5),  # жена → zhena
    Spelling("y", "й", 0.9),  # герой → geroy
    Spelling("h", "х", 0.8),  # хляб → hlyab
    Spelling("ts", "ц", 0.5),  # санкции → sanktsii
    Spelling("ch", "ч", 0.5),  # чета → cheta
    Spelling("sh", "ш", 0.6),  # шест → shest
    Spelling("sht", "щ", 0.5),  # още → oshte
    Spelling("a", "ъ", 0.5),  # път → pat, Тръмп → Tramp
    Spelling("yo", "ьо", 0.9),  # Гьоте → Gyote (ь only occurs before о)
    Spelling("yu", "ю", 0.5),  # юли → yuli
    Spelling("ya", "я", 0.5),  # ябълка → yabalka
    Spelling("ia", "ия", 0.5, _FINAL),  # София → Sofia
    # Chat ("shlyokavitsa") spellings.
    Spelling("4", "ч", 0.35),  # чете → 4ete
    Spelling("6", "ш", 0.3),  # шест → 6est
    Spelling("6t", "щ", 0.3),  # щастие → 6tastie
    Spelling("sh", "щ", 0.05),  # още → oshe
    Spelling("q", "я", 0.3),  # ябълка → qbalka
    Spelling("ia", "я", 0.1),  # моя → moia
    Spelling("ja", "я", 0.05),  # яке → jake
    Spelling("y", "ъ", 0.3),  # път → pyt
    Spelling("u", "ъ", 0.15),  # път → put, Тръмп → Trump
    Spelling("j", "ж", 0.4),  # жена → jena
    Spelling("j", "й", 0.05),  # мой → moj
    Spelling("i", "й", 0.05),  # край → krai
    Spelling("c", "ц", 0.4),  # улица → ulica
    Spelling("tz", "ц", 0.05),  # Каменица → Kamenitza
    Spelling("c", "ч", 0.01),  # чао → cao
    Spelling("w", "в", 0.2),  # време → wreme
    Spelling("x", "х", 0.2),  # хора → xora
    Spelling("iu", "ю", 0.3),  # юни → iuni
    Spelling("ju", "ю", 0.05),  # юни → juni
    Spelling("s", "ш", 0.01),  # шапка → sapka
    Spelling("z", "ж", 0.01),  # жаба → zaba
    # English-like spellings of names and loanwords.
    Spelling("c", "к", 0.05),  # Клинтън → Clinton, Макрон → Macron
    Spelling("ck", "к", 0.1),  # Джексън → Jackson
    Spelling("x", "кс", 0.1),  # Тексас → Texas
    Spelling("j", "дж", 0.1),  # Джонсън → Johnson
    Spelling("w", "у", 0.05),  # Уилямс → Williams
    Spelling("ph", "ф", 0.1),  # Филипини → Philippines
    Spelling("th", "т", 0.1),  # Томас → Thomas
    Spelling("kh", "х", 0.1),  # Харков → Kharkov (older and Russian-style romanization)
    Spelling("y", "и", 0.05, _FINAL),  # Кенеди → Kennedy
    Spelling("oo", "у", 0.02),  # Ливърпул → Liverpool
    Spelling("ee", "ий", 0.03),  # Грийн → Green
    Spelling("ou", "у", 0.02),  # Бургас → Bourgas
    # A doubled consonant in an English spelling stands for one (Ръсел → Russell); rare, because
    # Bulgarian doubles letters too (оттам, военни).
    *(Spelling(l + l, c, 0.02) for c, l in zip("бдфгклмнпрстз", "bdfgklmnprstz")),
    Spelling("cc", "к", 0.02),  # Ребека → Rebecca
    # English spelling → Bulgarian transcription: the table of english_spelling (Zelenskyy → Зеленски,
    # Google → Гугъл, Microsoft → Майкрософт), each rule with its example there.
    *(Spelling(rule.source, rule.target, math.exp(-rule.cost), _FINAL if rule.where == english_spelling.FINAL else _ANYWHERE)
      for rule in english_spelling.ENGLISH_TO_BULGARIAN),
)

# Whole words whose usual Latin spelling no rule explains (mostly English names in the news).
WORDS: Final[Mapping[str, str]] = {
    "bulgaria": "българия",  # the Act's own exception
    "biden": "байдън",
    "johnson": "джонсън",
    "george": "джордж",
    "michael": "майкъл",
    "europe": "европа",
    "moscow": "москва",
    "brussels": "брюксел",
    "greece": "гърция",
    "turkey": "турция",
    "ukraine": "украйна",
    "kyiv": "киев",
}

_LATIN_WORD = re.compile(r"[a-z46]*[a-z][a-z46]*")


def is_latin_word(word: str) -> bool:
    """True for a word :func:`cyrillic_candidates` can read: ASCII letters (any case), with the
    chat digits 4 (ч) and 6 (ш) allowed anywhere, at least one letter.

    >>> is_latin_word("4ete"), is_latin_word("Sofia"), is_latin_word("София"), is_latin_word("46")
    (True, True, False, False)
    """
    return _LATIN_WORD.fullmatch(word.lower()) is not None


_HYPHEN = re.compile(r"[-\u2010\u2011]")  # the hyphens that split a word (`tokenize.HYPHENS`)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def latin_parts(word: str) -> list[str] | None:
    """The parts of a hyphenated word typed in Latin letters, each a Latin word (see
    :func:`is_latin_word`) or a number, at least one a Latin word: ``Nay-strahovitoto`` → ``Nay``,
    ``strahovitoto`` (най-страховитото), ``20-TI`` → ``20``, ``TI`` (20-ти). None for any other word.

    >>> latin_parts("Tramp-tuit"), latin_parts("COVID-19"), latin_parts("по-добре"), latin_parts("e--mail")
    (['Tramp', 'tuit'], ['COVID', '19'], None, None)
    """
    parts = _HYPHEN.split(word)
    if len(parts) < 2 or not all(is_latin_word(part) or _NUMBER.fullmatch(part) for part in parts):
        return None
    return parts if any(is_latin_word(part) for part in parts) else None


#: Readings kept per input position (the beam).  Wider costs time linearly and gains little.
BEAM: Final = 24
#: Readings scoring worse than the best one at the same position by more than this are dropped.
PRUNE_MARGIN: Final = 12.0
BOS: Final = "^"  # padding before a word in the n-gram model
EOS: Final = "$"  # end of a word
MODEL_FILE: Final = "translit-ngrams.tsv.gz"
#: Bound of the model's memo of computed log-probabilities (cleared when full).
MEMO_SIZE: Final = 500_000


class CharNgramModel:
    """A character n-gram model of spelling with interpolated absolute discounting.

    ``counts`` holds the count of every n-gram of order 1..``order`` over words padded as
    ``^^^word$`` for order 4 (the build tool writes them); a letter's log-probability given the letters before it
    interpolates the discounted counts of every order down to an add-one unigram.
    """

    DISCOUNT: Final = 0.75

    def __init__(self, counts: Mapping[str, float], order: int) -> None:
        self.order = order
        self.counts = dict(counts)
        totals: dict[str, float] = {}
        types: dict[str, int] = {}
        for gram, n in self.counts.items():
            history = gram[:-1]
            totals[history] = totals.get(history, 0.0) + n
            types[history] = types.get(history, 0) + 1
        self._totals = totals
        self._types = types
        self._vocab = len({g for g in self.counts if len(g) == 1}) + 1
        self._memo: BoundedCache[str, float] = BoundedCache(MEMO_SIZE)

    def logp(self, history: str, letter: str) -> float:
        """ln P(letter | the last ``order - 1`` characters of ``history``); ``history`` must be at
        least that long (pad with ``^``)."""
        key = history[len(history) - self.order + 1 :] + letter
        value = self._memo.get(key)
        if value is None:
            value = self._memo.put(key, self._compute(key))
        return value

    def _compute(self, key: str) -> float:
        counts, totals, types = self.counts, self._totals, self._types
        letter = key[-1]
        p = (counts.get(letter, 0.0) + 1.0) / (totals.get("", 0.0) + self._vocab)
        for k in range(1, len(key)):
            history = key[-1 - k : -1]
            total = totals.get(history)
            if not total:
                break
            seen = max(counts.get(history + letter, 0.0) - self.DISCOUNT, 0.0)
            p = (seen + self.DISCOUNT * types[history] * p) / total
        return math.log(p)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> CharNgramModel:
        """Parse the model file: ``# comment`` lines, an ``order<TAB>N`` line, ``gram<TAB>count``."""
        counts: dict[str, float] = {}
        order = 0
        for line in lines:
            if not line or line.startswith("#"):
                continue
            gram, _, value = line.rstrip("\n").partition("\t")
            if gram == "order":
                order = int(value)
            else:
                counts[gram] = float(value)
        if order < 1:
            raise ValueError("n-gram model file has no order line")
        return cls(counts, order)


class LatinDecoder:
    """Reads Latin-script words as Cyrillic: beam search over :data:`SPELLINGS` scored by a model."""

    def __init__(
        self,
        model: CharNgramModel,
        spellings: Iterable[Spelling] = SPELLINGS,
        words: Mapping[str, str] = WORDS,
        beam: int = BEAM,
    ) -> None:
        self.model = model
        self.words = words
        self.beam = beam
        by_latin: dict[str, list[tuple[str, float, bool]]] = {}
        for s in spellings:
            by_latin.setdefault(s.latin, []).append((s.cyrillic, -math.log(s.share), s.where == _FINAL))
        self._by_latin = by_latin
        self._longest = max(len(latin) for latin in by_latin)
        self._pad = BOS * (model.order - 1)

    def candidates(self, word: str, limit: int = 8) -> list[str]:
        """The ``limit`` best Cyrillic readings of a lowercase Latin word, best first."""
        if limit <= 0:
            return []
        n = len(word)
        model, pad = self.model, self._pad
        # Options per position: (end position, Cyrillic, cost).
        options: list[list[tuple[int, str, float]]] = []
        for i in range(n):
            here = []
            for j in range(i + 1, min(n, i + self._longest) + 1):
                for cyrillic, cost, final_only in self._by_latin.get(word[i:j], ()):
                    if not final_only or j == n:
                        here.append((j, cyrillic, cost))
            options.append(here)
        # readings[i]: Cyrillic reading of word[:i] → best score (log-probability minus cost).
        readings: list[dict[str, float]] = [{} for _ in range(n + 1)]
        readings[0][""] = 0.0
        keep = max(self.beam, 2 * limit)
        for i in range(n):
            current = readings[i]
            if not current:
                continue
            best = sorted(current.items(), key=lambda item: -item[1])[:keep]
            floor = best[0][1] - PRUNE_MARGIN
            for text, score in best:
                if score < floor:
                    break
                history = pad + text
                for j, cyrillic, cost in options[i]:
                    total = score - cost
                    h = history
                    for letter in cyrillic:
                        total += model.logp(h, letter)
                        h += letter
                    reading = text + cyrillic
                    target = readings[j]
                    if total > target.get(reading, -math.inf):
                        target[reading] = total
            readings[i] = {}  # free memory on long inputs
        final = [(score + model.logp(pad + text, EOS), text) for text, score in readings[n].items()]
        final.sort(key=lambda item: -item[0])
        ranked = [text for _, text in final]
        special = self.words.get(word)
        if special is not None:
            ranked = [special] + [text for text in ranked if text != special]
        return ranked[:limit]


_lock = threading.Lock()
_decoder: LatinDecoder | None = None


def load_model() -> CharNgramModel:
    """Read the shipped n-gram model (``bgsearch/analysis/data/translit-ngrams.tsv.gz``)."""
    ref = resources.files("bgsearch.analysis").joinpath("data").joinpath(MODEL_FILE)
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf8") as fh:
        return CharNgramModel.from_lines(fh)


def _default_decoder() -> LatinDecoder:
    global _decoder
    if _decoder is None:
        with _lock:
            if _decoder is None:
                _decoder = LatinDecoder(load_model())
    return _decoder


@lru_cache(maxsize=4096)
def _cached_candidates(word: str, limit: int) -> tuple[str, ...]:
    return tuple(_default_decoder().candidates(word, limit))


def cyrillic_candidates(word: str, limit: int = 8) -> list[str]:
    """The most likely lowercase Cyrillic spellings of one Latin-script word, best first.

    Official and chat spellings, mixed within a word, are understood; a word that is not a
    Latin-script word (see :func:`is_latin_word`) has no candidates.

    >>> cyrillic_candidates("sanktsiite", 1), cyrillic_candidates("4ete", 1)
    (['санкциите'], ['чете'])
    """
    lower = word.lower()
    if not is_latin_word(lower):
        return []
    return list(_cached_candidates(lower, limit))
