"""A voice's signature: what it says (weighted syllables), what problem, and where.

``signature(text)`` is the one analysis that live matching, offline grouping (``group_file``) and
the evaluation all use. It has three parts:

* ``vector``: folded syllable 1- and 2-grams without the words every petition has (sublinear term
  frequency × inverse document frequency when ``TextStats`` are given), plus the problem concepts
  of ``lexicon.CONCEPTS`` as heavier features; L2-normalised.
* ``concepts``: the problems named ("road_damage", "drainage", "compensation_price"...).
* ``places``: the places named, by kind ("hamlet" → {"3"}, "road" → {"le loi"}).

``similarity`` is the cosine of the vectors, except that two texts naming different places of the
same kind (hamlet 3 vs hamlet 5) are not the same matter (0), and two texts naming problems with
none in common are discounted (the road vs its drainage ditch).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from danvan.insight import lexicon
from danvan.lib.vietnamese import cased_syllables, fold, normalize

__all__ = [
    "Signature",
    "TextStats",
    "concepts_of",
    "names_compatible",
    "places_conflict",
    "signature",
]

#: How much a named problem and a named place count in the vector against one ordinary syllable.
CONCEPT_WEIGHT = 2.5
PLACE_WEIGHT = 1.5
BIGRAM_WEIGHT = 1.0

_HAS_MARKS = re.compile(r"[^\x00-\x7f]")
_NUMBER = re.compile(r"^\d+[a-z]?$")
# Generic words inside a place's name ("trường tiểu học X", "đường liên thôn") that do not tell
# two places apart.
_NAME_LENGTH = 2
#: Kinds of names that raise similarity when shared but rule nothing out when they differ.
NAME_KINDS = frozenset({"name"})
_GENERIC_NAME_WORDS = frozenset(
    [
        "tieu",
        "hoc",
        "trung",
        "co",
        "so",
        "mam",
        "non",
        "pho",
        "thong",
        "lien",
        "doan",
        "khu",
        "vuc",
        "cap",
    ]
)


@dataclass(frozen=True, slots=True)
class Signature:
    vector: dict[str, float]
    concepts: frozenset[str]
    places: dict[str, frozenset[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "v": self.vector,
            "c": sorted(self.concepts),
            "p": {kind: sorted(names) for kind, names in self.places.items()},
        }


@dataclass
class TextStats:
    """Document frequencies of features, for the inverse document frequency."""

    documents: int = 0
    df: Counter[str] = field(default_factory=Counter)

    def add(self, features: Iterable[str]) -> None:
        self.documents += 1
        self.df.update(set(features))

    def idf(self, feature: str) -> float:
        return math.log((1 + self.documents) / (1 + self.df.get(feature, 0))) + 1.0

    def as_json(self) -> dict[str, Any]:
        # Features seen once say nothing about frequency: leaving them out keeps this small.
        return {"n": self.documents, "df": {f: c for f, c in self.df.items() if c > 1}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TextStats:
        return cls(documents=int(data.get("n", 0)), df=Counter(data.get("df", {})))


_Index = dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]]


def _phrase_index(phrases: Mapping[str, Iterable[str]]) -> _Index:
    """folded phrase → [(the phrase with its marks, key)], phrases normalised like texts are."""
    index: _Index = {}
    for key, variants in phrases.items():
        for phrase in variants:
            words = tuple(normalize(phrase).split())
            index.setdefault(tuple(fold(w) for w in words), []).append((words, key))
    return index


_CONCEPTS = _phrase_index(lexicon.CONCEPTS)
# Place words keyed by their folded form ("xom" for "xóm").
_STRONG = _phrase_index({fold(normalize(k)): (k,) for k in lexicon.PLACE_WORDS_STRONG})
_WEAK = _phrase_index({fold(normalize(k)): (k,) for k in lexicon.PLACE_WORDS_WEAK})
_PLACE_KIND = {
    fold(normalize(k)): kind
    for k, kind in {**lexicon.PLACE_WORDS_STRONG, **lexicon.PLACE_WORDS_WEAK}.items()
}
_LONGEST = 4
#: The words phrases start with, per index: most words start none, and are skipped at once.
_FIRST_WORDS = {id(index): {key[0] for key in index} for index in (_CONCEPTS, _STRONG, _WEAK)}


def _word_matches(written: str, phrase_word: str, alone: bool) -> bool:
    """A word typed with marks must have the phrase's marks; one typed without matches folded,
    except a phrase of one syllable: bare, "chua" is "chùa" (a pagoda) but far more often
    "chưa" (not yet), "lon" is "lợn" or "lớn", "phan" is "phân" or "phản"."""
    return written == phrase_word or (not alone and not _HAS_MARKS.search(written))


def _match_phrases(
    marked: Sequence[str], folded: Sequence[str], index: _Index, *, bare_alone: bool = False
) -> list[tuple[int, int, str]]:
    """Greedy longest matches of ``index`` phrases: (start, end, key).

    Folded words find the candidates; each word written with marks must then carry the phrase's
    marks, so "công an" is not "cống" while "cong thoat nuoc" still is.
    """
    found = []
    firsts = _FIRST_WORDS[id(index)]
    i = 0
    while i < len(folded):
        if folded[i] not in firsts:
            i += 1
            continue
        for n in range(min(_LONGEST, len(folded) - i), 0, -1):
            candidates = index.get(tuple(folded[i : i + n]))
            if not candidates:
                continue
            written = marked[i : i + n]
            key = next(
                (
                    key
                    for words, key in candidates
                    if all(
                        _word_matches(w, p, len(words) == 1 and not bare_alone)
                        for w, p in zip(written, words, strict=True)
                    )
                ),
                None,
            )
            if key is not None:
                found.append((i, i + n, key))
                i += n
                break
        else:
            i += 1
    return found


def _is_place_word(word: str) -> bool:
    return word in _PLACE_KIND


#: Titles before a person's name.
_TITLES = frozenset({"ong", "ba", "anh", "chi", "dong chi", "can bo", "chu tich", "truong thon"})
_HAMLET_SHORTHANDS = ("xom", "thon", "khoi")
_ADMINISTRATIVE = frozenset({"xa", "phuong", "huyen", "tinh", "tran", "dan", "tri", "bo", "pho"})


def _is_hamlet_shorthand(word: str) -> bool:
    """ "x" (voter meetings' shorthand for xóm) and typos of "xóm", "thôn", "khối" ("xxom", "oxm")."""
    if word == "x":
        return True
    letters = "".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1])
    return any(sorted(letters) == sorted(target) for target in _HAMLET_SHORTHANDS)


def _number(word: str) -> str:
    """ "05" and "5" are one hamlet."""
    digits = word.rstrip("abcdefghijklmnopqrstuvwxyz")
    return (str(int(digits)) + word[len(digits) :]) if digits else word


def _place_name(folded: list[str], capital: list[bool], start: int) -> str | None:
    """The name after a place word: a number ("xóm 03" → "3") or up to two name syllables.

    A name written with capitals is the run of capitalised words ("bản Na Lướt thiếu nước" →
    "na luot"); in text written in lower case it ends at the first common word.
    """
    # "trường tiểu học Nghi Phong", "đường liên xã": the kind of school or road is not its name.
    while start < len(folded) and folded[start] in _GENERIC_NAME_WORDS:
        # "trường cấp 2 Đại Thành": the level's number is not the school's name.
        skip_number = folded[start] == "cap"
        start += 1
        if skip_number and start < len(folded) and _NUMBER.match(folded[start]):
            start += 1
    if start >= len(folded):
        return None
    if _NUMBER.match(folded[start]):
        return _number(folded[start])
    name: list[str] = []
    capitalised = capital[start]
    for offset, word in enumerate(folded[start : start + _NAME_LENGTH]):
        if capitalised:
            if not capital[start + offset]:
                break
        elif word in lexicon.NOT_A_NAME or _is_place_word(word) or (word,) in _CONCEPTS:
            break
        if _NUMBER.match(word):
            break
        name.append(word)
    return " ".join(name) or None


def _skip_generic(folded: list[str], start: int) -> int:
    while start < len(folded) and folded[start] in _GENERIC_NAME_WORDS:
        start += 1
    if (
        start < len(folded)
        and start > 0
        and folded[start - 1] == "cap"
        and _NUMBER.match(folded[start])
    ):
        start += 1
    return start


#: What introduces the writer, and how many words after it are theirs: their name (up to four
#: syllables) and their address ("trú tại xóm 11") are not the matter's person and place.
_SELF_MARKERS = {
    ("toi", "la"): 4,
    ("ten", "toi", "la"): 4,
    ("toi", "ten"): 4,
    ("tru", "tai"): 3,
    ("tru", "o"): 3,
    ("cu", "tru", "tai"): 3,
    ("dia", "chi"): 3,
    ("thuong", "tru"): 3,
}


_SELF_FIRSTS = {marker[0] for marker in _SELF_MARKERS}


def _residence_spans(folded: list[str]) -> set[int]:
    """Positions of the words just after "tôi là", "trú tại", "địa chỉ" (the writer's own)."""
    spans: set[int] = set()
    for i in range(len(folded)):
        if folded[i] not in _SELF_FIRSTS:
            continue
        for marker, length in _SELF_MARKERS.items():
            if tuple(folded[i : i + len(marker)]) == marker:
                start = i + len(marker)
                spans.update(range(start, min(start + length, len(folded))))
    return spans


def _named_next(folded: list[str], capital: list[bool], end: int) -> bool:
    return end < len(folded) and (bool(_NUMBER.match(folded[end])) or capital[end])


def _places(marked: list[str], folded: list[str], capital: list[bool]) -> dict[str, set[str]]:
    places: dict[str, set[str]] = {}

    def add(kind: str, end: int) -> None:
        if end in residence:
            return
        name = _place_name(folded, capital, end)
        if name:
            places.setdefault(kind, set()).add(name)

    # Where the writer lives ("tôi là Đặng Hữu Hùng, trú tại xóm 11") is not where the matter is.
    residence = _residence_spans(folded)
    # A place word names a place only when a number or a capitalised name follows: "đường liên
    # xóm", "họp xóm tháng trước" name none. (A name typed all in lower case is lost; the other
    # features still carry it.)
    for _, end, key in _match_phrases(marked, folded, _STRONG, bare_alone=True):
        if _named_next(folded, capital, _skip_generic(folded, end)):
            add(_PLACE_KIND[key], end)
    for _, end, key in _match_phrases(marked, folded, _WEAK, bare_alone=True):
        # "bản", "tổ", "làng", "cầu" are also everyday words ("tổ tiên", "cầu mong"): they
        # name a place only when a number or a capitalised name follows.
        if _named_next(folded, capital, _skip_generic(folded, end)):
            add(_PLACE_KIND[key], end)
    for i, word in enumerate(folded[:-1]):
        if i + 1 in residence:
            continue
        if _NUMBER.match(folded[i + 1]) and (word,) not in _STRONG and _is_hamlet_shorthand(word):
            places.setdefault("hamlet", set()).add(_number(folded[i + 1]))
    # People named: after a title ("ông Võ Ngọc Sơn"), or three capitalised syllables in a row.
    i = 1
    while i < len(folded):
        if capital[i] and not capital[i - 1]:
            run = i
            while run < len(folded) and capital[run] and run - i < 4:
                run += 1
            titled = folded[i - 1] in _TITLES or " ".join(folded[max(0, i - 2) : i]) in _TITLES
            # "xã Bình Chuẩn", "UBND Tiền Phong": the commune itself, the same for every voice.
            administrative = folded[i - 1] in _ADMINISTRATIVE or i in residence
            if not administrative and (run - i >= 3 or (titled and run - i >= 2)):
                places.setdefault("person", set()).add(" ".join(folded[i:run]))
            elif not administrative and run - i >= 2:
                # Any other name ("cánh đồng Xốp Cháo", "lò gạch Kim Liên"): voices naming it
                # are likelier one matter, but one matter can name several things, so two
                # different names are no conflict (``NAME_KINDS``).
                places.setdefault("name", set()).add(" ".join(folded[i : i + 2]))
            i = max(run, i + 1)
        else:
            i += 1
    return places


def names_compatible(a: str, b: str) -> bool:
    """ "le loi" and "le loi doan" name one road; "3" and "5" two hamlets."""
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def places_conflict(
    first: Mapping[str, Collection[str]], second: Mapping[str, Collection[str]]
) -> bool:
    """True when both name a place of the same kind and none of the names can be the same."""
    for kind, names in first.items():
        if kind in NAME_KINDS:
            continue
        others = second.get(kind)
        if not others:
            continue
        names = list(names)
        if not names or any(map(others.__contains__, names)):  # none, or the same name
            continue
        if not any(names_compatible(a, b) for a in names for b in others):
            return True
    return False


_fold_word = lru_cache(maxsize=200_000)(fold)


@lru_cache(maxsize=65536)
def _analyse(text: str) -> tuple[tuple[str, ...], frozenset[str], tuple[tuple[str, str], ...]]:
    cased = cased_syllables(text)
    marked = [w for w, _ in cased]
    capital = [c for _, c in cased]
    if sum(capital) > 0.6 * len(capital):  # WRITTEN IN CAPITALS: capitals say nothing
        capital = [False] * len(capital)
    folded = [_fold_word(w) for w in marked]
    concepts = frozenset(key for _, _, key in _match_phrases(marked, folded, _CONCEPTS))
    places = _places(marked, folded, capital)
    content = [w for w in folded if w not in lexicon.BOILERPLATE]
    features = list(content)
    features += [f"{a} {b}" for a, b in itertools.pairwise(content)]
    place_items = tuple(sorted((kind, name) for kind, names in places.items() for name in names))
    return tuple(features), concepts, place_items


def features_of(text: str) -> tuple[str, ...]:
    """The syllable features of a text, for ``TextStats``."""
    return _analyse(text)[0]


def signature(text: str, stats: TextStats | None = None) -> Signature:
    features, concepts, place_items = _analyse(text)
    counts = Counter(features)
    vector: dict[str, float] = {}
    for feature, count in counts.items():
        weight = 1.0 + math.log(count)
        if " " in feature:
            weight *= BIGRAM_WEIGHT
        if stats is not None:
            weight *= stats.idf(feature)
        vector[feature] = weight
    for concept in concepts:
        vector["§" + concept] = CONCEPT_WEIGHT
    places: dict[str, set[str]] = {}
    for kind, name in place_items:
        places.setdefault(kind, set()).add(name)
        vector[f"@{kind}:{name}"] = PLACE_WEIGHT
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return Signature(
        vector={f: w / norm for f, w in vector.items()},
        concepts=concepts,
        places={kind: frozenset(names) for kind, names in places.items()},
    )


def cosine(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    # The hottest loop of grouping: the features both have, found by ``filter`` in C (1.7 times
    # faster than looking each up in Python), in the smaller side's order, multiplied and added
    # as before (the others were + 0.0), so every score is the same to the last bit.
    if len(first) > len(second):
        first, second = second, first
    total = 0.0
    for feature in filter(second.__contains__, first):
        total += first[feature] * second[feature]
    return total


def concepts_of(text: str) -> frozenset[str]:
    """The problems a text names (``lexicon.CONCEPTS`` keys)."""
    return _analyse(text)[1]
