"""Finding entity names in a question by their spelling: exact spans first, then near misses.

A question is cut into tokens: runs of Latin letters and digits, and single
Chinese characters. A name matches where its tokens, joined, equal a run of
the question's tokens joined, so "distil bert", "DistilBERT" and
"distil-bert" all meet the alias "distilbert", and a Chinese name matches
anywhere inside a Chinese phrase (Chinese has no spaces to align with).
Longer matches win over the shorter names inside them ("XLM-RoBERTa" over
"RoBERTa", "开放域问答" over "问答").

Typos ("Robrta", "xlnt", "sumarization") are caught by an edit distance
(with transpositions) on the words no exact name covered, after a cheap
character-bigram filter; common words of the domain ("transformers",
"models", "language") are never fuzzily matched, because each is a few edits
away from some model's name.

>>> forms = SurfaceForms()
>>> forms.add("RoBERTa", 0)
>>> forms.add("XLM-RoBERTa", 1)
>>> forms.add("问答", 2)
>>> [(m.text, m.entities) for m in forms.find("is xlm roberta good at 问答?")]
[('xlm roberta', (1,)), ('问答', (2,))]
>>> [(m.text, m.entities, m.exact) for m in forms.find("what about robrta")]
[('robrta', (0,), False)]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+")
MAX_SPAN_TOKENS = 16

#: Words of the domain (and of questions) that are near some name but never are one.
GENERIC = frozenset(
    [
        "transformer",
        "transformers",
        "model",
        "models",
        "language",
        "languages",
        "modeling",
        "modelling",
        "pretrained",
        "pretraining",
        "trained",
        "training",
        "train",
        "which",
        "what",
        "where",
        "when",
        "with",
        "whose",
        "does",
        "do",
        "did",
        "have",
        "has",
        "that",
        "this",
        "than",
        "then",
        "them",
        "they",
        "there",
        "these",
        "those",
        "show",
        "tell",
        "give",
        "list",
        "many",
        "much",
        "more",
        "most",
        "best",
        "good",
        "better",
        "about",
        "paper",
        "papers",
        "task",
        "tasks",
        "text",
        "texts",
        "between",
        "compare",
        "versus",
        "based",
        "derive",
        "derived",
        "from",
        "into",
        "over",
        "under",
        "after",
        "before",
        "other",
        "same",
        "large",
        "small",
        "base",
        "multilingual",
        "objective",
        "objectives",
        "category",
        "categories",
        "tasks",
        "suited",
        "suit",
        "suitable",
        "useful",
        "used",
        "uses",
        "using",
        "question",
        "questions",
        "answer",
        "answers",
        "answering",
        "document",
        "documents",
        "sentence",
        "sentences",
        "token",
        "tokens",
        "long",
        "short",
        "parameter",
        "parameters",
        "year",
        "years",
        "made",
        "make",
        "released",
        "release",
        "who",
        "whom",
        "work",
        "works",
        "fine",
        "tuned",
        "tuning",
        "version",
        "variant",
        "variants",
        "original",
        "family",
        "please",
        "could",
        "would",
        "should",
        "trained",
        "encoder",
        "decoder",
    ]
)


def normalise(text: str) -> str:
    """Lower case, full-width forms folded to ASCII (NFKC), typographic quotes and dashes plain.

    >>> normalise("ＢＥＲＴ—Large")
    'bert-large'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return text.translate(str.maketrans({"\u2014": "-", "\u2013": "-", "\u2019": "'", "\u2018": "'"}))


def tokens(text: str) -> list[str]:
    """The question's tokens: Latin/digit runs and single Chinese characters.

    >>> tokens("哪些模型适合summarization?")
    ['哪', '些', '模', '型', '适', '合', 'summarization']
    """
    return _TOKEN.findall(normalise(text))


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@dataclass(frozen=True)
class Match:
    """Tokens ``start:end`` of the question name ``entities`` (indexes into the caller's list)."""

    start: int
    end: int
    text: str
    entities: tuple[int, ...]
    exact: bool
    similarity: float


def osa_distance(a: str, b: str, limit: int = 3) -> int:
    """Edit distance counting an adjacent transposition as one edit; stops early past ``limit``.

    >>> osa_distance("albret", "albert"), osa_distance("electric", "electra")
    (1, 2)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _bigrams(word: str) -> set[str]:
    padded = f"#{word}#"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


class SurfaceForms:
    """Every spelling of every entity, looked up by its joined tokens."""

    def __init__(self) -> None:
        self.exact: dict[str, set[int]] = {}
        self._weight: dict[tuple[str, int], float] = {}
        self._fuzzy: dict[str, set[int]] = {}
        self._bigram_index: dict[str, set[str]] = {}

    def add(self, text: str, entity: int, *, fuzzy: bool = True, weight: float = 1.0) -> None:
        """Register ``text`` as a name of entity number ``entity``; where one span names several
        entities, only those it names with the highest ``weight`` (a label over an alias) are kept."""
        joined = "".join(tokens(text))
        if not joined or (len(joined) < 2 and not is_cjk(joined)):
            return
        self.exact.setdefault(joined, set()).add(entity)
        key = (joined, entity)
        self._weight[key] = max(self._weight.get(key, 0.0), weight)
        if fuzzy and not is_cjk(joined) and len(joined) >= 4 and joined not in GENERIC:
            self._fuzzy.setdefault(joined, set()).add(entity)
            for gram in _bigrams(joined):
                self._bigram_index.setdefault(gram, set()).add(joined)

    def find(self, question: str) -> list[Match]:
        """Non-overlapping names in ``question``: longest exact spans first, then typo matches."""
        toks = tokens(question)
        candidates = []
        for i in range(len(toks)):
            joined = ""
            for j in range(i, min(len(toks), i + MAX_SPAN_TOKENS)):
                joined += toks[j]
                if joined in self.exact and not _version_follows(toks, j + 1, joined):
                    candidates.append((len(joined), j + 1 - i, i, j + 1, joined))
        candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
        taken = [False] * len(toks)
        matches = []
        for _, _, start, end, joined in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            matches.append(Match(start, end, _span_text(question, toks, start, end), self._best(joined), True, 1.0))
        matches.extend(self._near_misses(question, toks, taken))
        return sorted(matches, key=lambda m: m.start)

    def _best(self, joined: str) -> tuple[int, ...]:
        entities = self.exact[joined]
        top = max(self._weight.get((joined, e), 1.0) for e in entities)
        return tuple(sorted(e for e in entities if self._weight.get((joined, e), 1.0) == top))

    def _near_misses(self, question: str, toks: list[str], taken: list[bool]) -> Iterable[Match]:
        """Typo matches over one or two adjacent uncovered Latin words."""
        found: list[Match] = []
        for i in range(len(toks)):
            for width in (2, 1):
                span = toks[i : i + width]
                if len(span) < width or any(taken[i : i + width]) or any(is_cjk(t) for t in span):
                    continue
                if any(t in GENERIC for t in span) or span[0].isdigit():
                    continue
                word = "".join(span)
                if len(word) < 4:
                    continue
                best = self._closest(word)
                if best is not None:
                    form, similarity = best
                    taken[i : i + width] = [True] * width
                    found.append(
                        Match(
                            i,
                            i + width,
                            _span_text(question, toks, i, i + width),
                            tuple(sorted(self._fuzzy[form])),
                            False,
                            similarity,
                        )
                    )
                    break
        return found

    def _closest(self, word: str) -> tuple[str, float] | None:
        grams = _bigrams(word)
        counts: dict[str, int] = {}
        for gram in grams:
            for form in self._bigram_index.get(gram, ()):
                counts[form] = counts.get(form, 0) + 1
        best: tuple[str, float] | None = None
        for form, shared in counts.items():
            if 2 * shared / (len(grams) + len(_bigrams(form))) < 0.3:
                continue
            if _DIGITS.findall(word) != _DIGITS.findall(form):
                continue  # "gpt3" is another model than "gpt2", not a typo of it
            allowed = 1 if max(len(word), len(form)) <= 7 else 2
            distance = osa_distance(word, form, allowed)
            if distance == 0 or distance > allowed:
                continue
            similarity = 1 - distance / max(len(word), len(form))
            good = similarity >= 0.8 or (distance == 1 and similarity >= 0.75)
            if good and (best is None or similarity > best[1]):
                best = (form, similarity)
        return best


def _version_follows(toks: list[str], end: int, joined: str) -> bool:
    """True when a small number follows a name that ends in a letter: "GPT-3" is not GPT."""
    return end < len(toks) and toks[end].isdigit() and len(toks[end]) <= 2 and not joined[-1].isdigit()


def _span_text(question: str, toks: list[str], start: int, end: int) -> str:
    """The question's own characters for tokens ``start:end`` (normalised, spacing kept)."""
    text = normalise(question)
    pos = 0
    begin = finish = 0
    for index, tok in enumerate(toks):
        found = text.find(tok, pos)
        if index == start:
            begin = found
        pos = found + len(tok)
        if index == end - 1:
            finish = pos
            break
    return text[begin:finish]
