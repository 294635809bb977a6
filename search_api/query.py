"""The query language: Lucene / Elasticsearch `query_string` conventions, parsed once into one typed tree.

    ticaret heyeti                 every word (in any inflection, Turkish or English)
    "ticaret heyeti"               the words next to each other, in this order
    Kazakistan OR Özbekistan       either; AND binds tighter than OR, NOT tighter than AND
    Kazakistan NOT halı            also written -halı, !halı, && and ||
    (halı OR kilim) Kazakistan     parentheses group
    ihracat*                       index terms starting with "ihracat" (the start of a word's root)
    title:heyet   country:KZ   sector:C13   program:ur-ge   project:21.UR-GE.016   org:OASO
    activity:trade_delegation   city:Kayseri   language:en   source:oaso
    date:[2023-01-01 TO 2023-12-31]   date:2023   event:{2024-01 TO *}

`parse` checks the syntax only and raises `QuerySyntaxError(position, message)`;
`plan` then resolves field values and the entities the words name against a
`Vocabulary` of the index, giving the tree every backend executes (there is no
query_string parsing on Elasticsearch/OpenSearch). Hand-written because the
tree must carry the analysis of `search_api.analysis` (alternative terms per
word, compounds) that no Lucene-syntax parser on PyPI knows about, and its
errors must say where the text broke.

A query without any word to search for is refused, so that punctuation never
matches every document: `"`, `(((` and `,.;` are syntax errors. `*` (or `*:*`)
alone means every document, as in Kibana. Operators are upper case; "and",
"or" and "not" are words.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from search_api import analysis
from search_api.contract import QuerySyntaxError, UnknownFilterValue
from search_api.vocabulary import Vocabulary

# Field name in the query -> the facet it filters, or "title" / a date field.
FACET_FIELDS = {
    "country": "country",
    "city": "city",
    "sector": "sector",
    "program": "program",
    "programme": "program",
    "project": "project",
    "org": "organization",
    "organization": "organization",
    "organisation": "organization",
    "activity": "activity",
    "language": "language",
    "lang": "language",
    "source": "source",
}
DateField = Literal["published", "event"]
DATE_FIELDS: dict[str, DateField] = {"date": "published", "published": "published", "event": "event"}
TEXT_FIELDS = ("title",)
FIELDS = (*TEXT_FIELDS, *FACET_FIELDS, *DATE_FIELDS)
# A phrase of many ambiguous words expands to many exact phrases (one bool clause each on a search server,
# where OpenSearch allows 1,024 per query); past this each word keeps only its own spelling's terms.
MAX_PHRASE_VARIANTS = 128
MIN_PREFIX = 2


# -- the tree --------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word: a document matches when it holds one of the alternatives (in the title only, if `title`)."""

    alternatives: tuple[str, ...]
    text: str
    title: bool = False
    compound: bool = False  # joined parts of a hyphenated word: also matched in the compound terms


@dataclass(frozen=True)
class Phrase:
    """Adjacent words in this order; each variant is one exact sequence of terms."""

    variants: tuple[tuple[str, ...], ...]
    text: str
    title: bool = False


@dataclass(frozen=True)
class Prefix:
    prefix: str
    text: str
    title: bool = False


@dataclass(frozen=True)
class Facet:
    """Documents with one of `values`; `named_as` is set when the query's words named the entity."""

    facet: str
    values: tuple[str, ...]
    named_as: str | None = None


@dataclass(frozen=True)
class Range:
    field: Literal["published", "event"]
    start: date | None
    end: date | None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Everything:
    pass


Node = Term | Phrase | Prefix | Facet | Range | And | Or | Not | Everything


# Before `plan`: a field value not yet resolved against the index.
@dataclass(frozen=True)
class _FieldValue:
    facet: str
    text: str
    position: int
    prefix: bool = False


# A bare word's leaf, remembering its words for entity detection.
@dataclass(frozen=True)
class _Word:
    node: Node
    words: tuple[str, ...]


_Raw = Node | _FieldValue | _Word


@dataclass
class Plan:
    """A parsed and resolved query: the tree, and what ranking, highlighting and hits need from it."""

    tree: Node | None
    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    entities: list[Facet] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        """Whether there are words to rank by."""
        return bool(self.terms or self.prefixes)


# -- lexing ----------------------------------------------------------------------

_Kind = Literal["(", ")", "phrase", "word", "field", "range", "and", "or", "not", "all"]


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str
    position: int


_WORD_ENDS = set('()"^~')
_RANGE_RE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])")
_FIELD_RE = re.compile(r"([A-Za-z_]+):")


def _tokens(q: str) -> Iterator[_Token]:
    i = 0
    n = len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            yield _Token(ch, ch, i)  # type: ignore[arg-type]
            i += 1
        elif ch == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError(i, "unclosed quote")
            yield _Token("phrase", q[i + 1 : end], i)
            i = end + 1
        elif ch in "[{":
            match = _RANGE_RE.match(q, i)
            if not match:
                raise QuerySyntaxError(i, "a range is written [start TO end] or {start TO end}")
            yield _Token("range", match.group(), i)
            i = match.end()
        elif ch in "]}":
            raise QuerySyntaxError(i, f"unexpected {ch!r}")
        elif q.startswith(("&&", "||"), i):
            yield _Token("and" if ch == "&" else "or", q[i : i + 2], i)
            i += 2
        elif ch in "-+!" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] not in ")":
            if ch != "+":
                yield _Token("not", ch, i)
            i += 1
        elif ch in "^~":
            raise QuerySyntaxError(i, f"{ch!r} (boosts, fuzzy and proximity search) is not supported")
        else:
            field_match = _FIELD_RE.match(q, i)
            if field_match:
                name = field_match.group(1).lower()
                if name not in FIELDS:
                    raise QuerySyntaxError(i, f"unknown field {field_match.group(1)!r}; fields: {', '.join(FIELDS)}")
                yield _Token("field", name, i)
                i = field_match.end()
                if i >= n or q[i].isspace():
                    raise QuerySyntaxError(i, f"nothing after {name}:")
                continue
            start = i
            while i < n and not q[i].isspace() and q[i] not in _WORD_ENDS and not q.startswith(("&&", "||"), i):
                i += 1
            word = q[start:i]
            if word in ("*", "*:*"):
                yield _Token("all", word, start)
            elif word in ("AND", "OR", "NOT"):
                yield _Token(word.lower(), word, start)  # type: ignore[arg-type]
            else:
                yield _Token("word", word, start)


# -- parsing ---------------------------------------------------------------------


class _Parser:
    def __init__(self, q: str) -> None:
        self.q = q
        self.tokens = list(_tokens(q))
        self.at = 0
        self.words = 0  # words or field values seen: a query without any is refused
        self.field: str | None = None  # the field a parenthesised group after "name:" is in

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def end_position(self) -> int:
        return len(self.q)

    def parse(self) -> _Raw | None:
        node = self.or_expression()
        token = self.peek()
        if token is not None:
            raise QuerySyntaxError(token.position, f"unexpected {token.text!r}")
        return node

    def or_expression(self) -> _Raw | None:
        children = [self.and_expression()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            if self._at_operand_end():
                raise QuerySyntaxError(token.position, f"{token.text} needs a term after it")
            if self._nothing_before():
                raise QuerySyntaxError(token.position, f"{token.text} needs a term before it")
            children.append(self.and_expression())
        present = [child for child in children if child is not None]
        if not present:
            return None
        return present[0] if len(present) == 1 else Or(tuple(present))  # type: ignore[arg-type]

    def _nothing_before(self) -> bool:
        """Whether the operator just taken opens the query or a group, or follows another operator."""
        index = self.at - 1
        return index == 0 or self.tokens[index - 1].kind in ("(", "and", "or", "not", "field")

    def _at_operand_end(self) -> bool:
        token = self.peek()
        return token is None or token.kind in (")", "or", "and")

    def and_expression(self) -> _Raw | None:
        children: list[_Raw] = []
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.take()
                if self._nothing_before():
                    raise QuerySyntaxError(token.position, f"{token.text} needs a term before it")
                if self._at_operand_end():
                    raise QuerySyntaxError(token.position, f"{token.text} needs a term after it")
                continue
            child = self.unary()
            if child is not None:
                children.append(child)
        if not children:
            return None
        return children[0] if len(children) == 1 else And(tuple(children))  # type: ignore[arg-type]

    def unary(self) -> _Raw | None:
        token = self.peek()
        assert token is not None
        if token.kind == "not":
            self.take()
            if self._at_operand_end():
                raise QuerySyntaxError(token.position, f"{token.text} needs a term after it")
            child = self.unary()
            if child is None:
                raise QuerySyntaxError(token.position, f"{token.text} needs a word after it")
            return Not(child)  # type: ignore[arg-type]
        return self.primary()

    def primary(self) -> _Raw | None:
        field_name = self.field
        token = self.take()
        if token.kind == "(":
            inner = self._group(token, field_name)
            return inner
        if token.kind == "field":
            if field_name is not None:
                raise QuerySyntaxError(token.position, f"{token.text}: inside {field_name}:")
            if self.peek() is None:
                raise QuerySyntaxError(self.end_position(), f"nothing after {token.text}:")
            self.field = token.text
            try:
                return self.primary()
            finally:
                self.field = None
        if token.kind == "all":
            if field_name is not None:
                raise QuerySyntaxError(token.position, f"'*' after {field_name}:")
            self.words += 1
            return Everything()
        if token.kind == "range":
            if field_name not in DATE_FIELDS:
                raise QuerySyntaxError(token.position, "a range needs a date field: date:[...] or event:[...]")
            self.words += 1
            return _range(token, DATE_FIELDS[field_name])
        if token.kind == "phrase":
            return self._phrase(token, field_name)
        if token.kind == "word":
            return self._word(token, field_name)
        raise QuerySyntaxError(token.position, f"unexpected {token.text!r}")

    def _group(self, opening: _Token, field_name: str | None) -> _Raw | None:
        inner = self.or_expression()
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise QuerySyntaxError(opening.position, "'(' is never closed")
        self.take()
        if inner is None:
            raise QuerySyntaxError(opening.position, "nothing to search for between these parentheses")
        return inner

    def _phrase(self, token: _Token, field_name: str | None) -> _Raw | None:
        if field_name in FACET_FIELDS:
            self.words += 1
            return _FieldValue(FACET_FIELDS[field_name], token.text, token.position)
        if field_name in DATE_FIELDS:
            self.words += 1
            return _date_value(token, DATE_FIELDS[field_name])
        if "*" in token.text:
            raise QuerySyntaxError(token.position, "'*' (prefix search) is not allowed inside a phrase")
        words = analysis.TOKEN_RE.findall(token.text)
        if not words:
            raise QuerySyntaxError(token.position, "a phrase with no words in it")
        self.words += 1
        title = field_name == "title"
        if len(words) == 1:
            return _Word(Term(analysis.word_alternatives(words[0]), token.text, title), (words[0],))
        return _Word(_phrase(words, token, title), tuple(words))

    def _word(self, token: _Token, field_name: str | None) -> _Raw | None:
        text = token.text
        if field_name in FACET_FIELDS:
            self.words += 1
            prefix = text.endswith("*") and len(text) > 1
            return _FieldValue(FACET_FIELDS[field_name], text.rstrip("*") if prefix else text, token.position, prefix)
        if field_name in DATE_FIELDS:
            self.words += 1
            return _date_value(token, DATE_FIELDS[field_name])
        title = field_name == "title"
        star = text.find("*")
        if star >= 0:
            if star != len(text) - 1:
                raise QuerySyntaxError(token.position + star, "'*' is only allowed at the end of a word")
            words = analysis.TOKEN_RE.findall(text[:-1])
            if len(words) != 1:
                raise QuerySyntaxError(token.position, "a prefix search ('*') takes one word")
            start = analysis.fold_key(words[0].split("'")[0].split("’")[0])
            if len(start) < MIN_PREFIX:
                raise QuerySyntaxError(token.position, f"a prefix search needs at least {MIN_PREFIX} letters")
            self.words += 1
            return Prefix(start, text, title)
        words = analysis.TOKEN_RE.findall(text)
        if not words:
            return None  # punctuation between words, as an analyser drops it
        self.words += 1
        if len(words) == 1:
            return _Word(Term(analysis.word_alternatives(words[0]), text, title), (words[0],))
        compound = analysis.COMPOUND_RE.fullmatch(text.split("'")[0].split("’")[0])
        if compound:
            # As Elasticsearch's word_delimiter_graph: the parts next to each other, or the parts joined.
            joined = "".join(analysis.TOKEN_RE.findall(compound.group()))
            node: Node = Or(
                (
                    _phrase(words, token, title),
                    Term(analysis.word_alternatives(joined), text, title, compound=True),
                )
            )
            return _Word(node, tuple(words))
        return _Word(And(tuple(Term(analysis.word_alternatives(w), w, title) for w in words)), tuple(words))


def _phrase(words: list[str], token: _Token, title: bool) -> Phrase:
    groups = [analysis.word_alternatives(word) for word in words]
    count = 1
    for group in groups:
        count *= len(group)
    if count > MAX_PHRASE_VARIANTS:
        # Past the limit, each word keeps only what its own spelling gives (no other spellings or forms).
        groups = [analysis.spelling_alternatives(word) for word in words]
        count = 1
        for group in groups:
            count *= len(group)
        if count > MAX_PHRASE_VARIANTS:
            raise QuerySyntaxError(token.position, "this phrase has too many words; split it into shorter ones")
    return Phrase(tuple(itertools.product(*groups)), token.text, title)


def _day(text: str, *, first: bool, position: int) -> date:
    """A date of YYYY, YYYY-MM or YYYY-MM-DD: its first or last day."""
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1) if first else date(int(text), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = int(text[:4]), int(text[5:])
            return date(year, month, 1 if first else calendar.monthrange(year, month)[1])
        return date.fromisoformat(text)
    except ValueError:
        raise QuerySyntaxError(position, f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None


def _range(token: _Token, field_name: DateField) -> Range:
    match = _RANGE_RE.fullmatch(token.text)
    assert match is not None
    opening, low, high, closing = match.groups()
    start = None if low == "*" else _day(low, first=opening == "[", position=token.position)
    end = None if high == "*" else _day(high, first=closing == "}", position=token.position)
    try:
        if start is not None and opening == "{":
            start += timedelta(days=1)
        if end is not None and closing == "}":
            end -= timedelta(days=1)
    except OverflowError:
        raise QuerySyntaxError(token.position, "the range leaves the calendar") from None
    if start and end and start > end:
        raise QuerySyntaxError(token.position, f"the range starts after it ends ({start} > {end})")
    return Range(field_name, start, end)


def _date_value(token: _Token, field_name: DateField) -> Range:
    return Range(
        field_name,
        _day(token.text, first=True, position=token.position),
        _day(token.text, first=False, position=token.position),
    )


def parse(q: str) -> Node | None:
    """The syntax tree of `q` before resolution; None for blank text. Raises QuerySyntaxError."""
    raw = _parse_raw(q)
    return None if raw is None else _strip(raw, None)


def _parse_raw(q: str) -> _Raw | None:
    if not q.strip():
        return None
    parser = _Parser(q)
    raw = parser.parse()
    if raw is None or not parser.words:
        raise QuerySyntaxError(0, "the query has no words to search for")
    return raw


# -- resolution ------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def plan(q: str, vocabulary: Vocabulary | None) -> Plan:
    """Parse `q` and resolve it against the index's vocabulary: the tree every backend executes.

    Field values become the index's values (UnknownFilterValue if they name none); a run of words
    or a phrase that names a country, city, organisation, programme or project (in any of its names)
    also matches the documents tagged with it. Without a vocabulary, field values are taken as they are.
    Plans are remembered per query text and vocabulary (a new index state has a new vocabulary): the
    same searches come again and again. A plan is never changed after it is made.
    """
    raw = _parse_raw(q)
    if raw is None:
        return Plan(None)
    tree = _strip(raw, vocabulary)
    result = Plan(tree)
    _collect(tree, result, positive=True)
    return result


def _strip(raw: _Raw, vocabulary: Vocabulary | None) -> Node:
    if isinstance(raw, _Word):
        return _named(raw, vocabulary)
    if isinstance(raw, _FieldValue):
        return _resolve_value(raw, vocabulary)
    if isinstance(raw, And):
        return And(tuple(_and_children(list(raw.children), vocabulary)))
    if isinstance(raw, Or):
        return Or(tuple(_strip(child, vocabulary) for child in raw.children))
    if isinstance(raw, Not):
        return Not(_strip(raw.child, vocabulary))
    return raw


def _resolve_value(raw: _FieldValue, vocabulary: Vocabulary | None) -> Facet:
    if vocabulary is None:
        return Facet(raw.facet, (raw.text,))
    try:
        if raw.prefix:
            return Facet(raw.facet, tuple(vocabulary.resolve_prefix(raw.facet, raw.text)))
        return Facet(raw.facet, tuple(vocabulary.resolve(raw.facet, raw.text)))
    except UnknownFilterValue as exc:
        raise QuerySyntaxError(raw.position, str(exc)) from exc


def _entity_or(node: Node, words: tuple[str, ...], vocabulary: Vocabulary | None) -> Node:
    if vocabulary is None or not words:
        return node
    found = vocabulary.entities(words)
    if not found:
        return node
    named = " ".join(words)
    by_facet: dict[str, list[str]] = {}
    for facet, value in found:
        by_facet.setdefault(facet, []).append(value)
    return Or((node, *(Facet(facet, tuple(values), named) for facet, values in by_facet.items())))


def _named(word: _Word, vocabulary: Vocabulary | None) -> Node:
    if isinstance(word.node, Term | Phrase) and word.node.title:
        return word.node
    return _entity_or(word.node, word.words, vocabulary)


def _and_children(children: list[_Raw], vocabulary: Vocabulary | None) -> list[Node]:
    """The children of an AND, where the longest runs of bare words that name an entity become one OR."""
    out: list[Node] = []
    i = 0
    while i < len(children):
        child = children[i]
        if vocabulary is not None and isinstance(child, _Word) and not _is_title(child):
            run_end = i
            while (
                run_end < len(children) and isinstance(children[run_end], _Word) and not _is_title(children[run_end])  # type: ignore[arg-type]
            ):
                run_end += 1
            for j in range(min(run_end, i + vocabulary.longest_name), i + 1, -1):
                run = children[i:j]
                words = tuple(w for item in run for w in item.words)  # type: ignore[union-attr]
                if vocabulary.entities(words):
                    out.append(_entity_or(And(tuple(item.node for item in run)), words, vocabulary))  # type: ignore[union-attr]
                    i = j
                    break
            else:
                out.append(_named(child, vocabulary))
                i += 1
            continue
        out.append(_strip(child, vocabulary))
        i += 1
    return out


def _is_title(word: _Word) -> bool:
    return isinstance(word.node, Term | Phrase) and word.node.title


def _collect(node: Node, plan_: Plan, *, positive: bool) -> None:
    """Terms to rank and highlight by, and the named entities, from the positive (not negated) leaves."""
    if isinstance(node, And | Or):
        for child in node.children:
            _collect(child, plan_, positive=positive)
    elif isinstance(node, Not):
        _collect(node.child, plan_, positive=not positive)
    elif not positive:
        return
    elif isinstance(node, Term):
        plan_.terms.update(node.alternatives)
    elif isinstance(node, Phrase):
        plan_.terms.update(term for variant in node.variants for term in variant)
    elif isinstance(node, Prefix):
        plan_.prefixes.add(node.prefix)
    elif isinstance(node, Facet) and node.named_as is not None:
        plan_.entities.append(node)


def is_text(node: Node) -> bool:
    """Whether a tree is only words, phrases and prefixes with AND, OR and NOT (a full-text engine runs it alone)."""
    if isinstance(node, Term | Phrase | Prefix):
        return True
    if isinstance(node, And):
        return any(not isinstance(child, Not) for child in node.children) and all(
            is_text(child.child if isinstance(child, Not) else child) for child in node.children
        )
    if isinstance(node, Or):
        return all(is_text(child) for child in node.children)
    return False
