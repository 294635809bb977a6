"""Money amounts with their currency ("5 Milyon Euro", "400 bin dolar", "$3.306 billion", "125.000 Avro")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kume.text import casefold_tr
from nlp.gazetteer import load_toml


@dataclass(frozen=True)
class FoundMoney:
    amount: float
    currency: str
    span_start: int
    span_end: int


MoneyGrammar = tuple[re.Pattern[str], dict[str, str], dict[str, float]]


@lru_cache(maxsize=2)
def money_grammar(path: Path) -> MoneyGrammar:
    """The amount pattern, currency words and scale words of nlp/data/money.toml."""
    data = load_toml(path)
    currencies = {casefold_tr(word): code for code, words in data["currencies"].items() for word in words}
    scales = {casefold_tr(word): float(value) for word, value in data["scales"].items()}

    def alternation(words: Iterable[str]) -> str:
        return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))

    currency = alternation(currencies)
    scale = alternation(scales)
    number = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
    pattern = re.compile(
        rf"(?P<pre>{currency})?\s?(?P<num>{number})\s*(?P<scale>{scale})?\s*(?P<cur>{currency})?(?!\w)",
        re.IGNORECASE,
    )
    return pattern, currencies, scales


def _number(text: str, language: str) -> float:
    thousands, decimal = (".", ",") if language == "tr" else (",", ".")
    if text.count(thousands) == 0 and text.count(decimal) == 0:
        return float(text)
    if language != "tr" and re.fullmatch(r"\d{1,3}(\.\d{3})+", text) and "," not in text:
        return float(text)  # "3.306" before "billion" is a decimal in English
    return float(text.replace(thousands, "").replace(decimal, "."))


def find_money(text: str, language: str, grammar: MoneyGrammar) -> list[FoundMoney]:
    pattern, currencies, scales = grammar
    found = []
    for match in pattern.finditer(text):
        symbol = match["pre"] or match["cur"]
        if not symbol:
            continue
        if match["pre"] and match["pre"].isalpha() and not match["cur"]:
            continue  # "TL 5" style prefixes are rare; a word before a number is usually unrelated
        amount = _number(match["num"], language) * scales.get(casefold_tr(match["scale"] or ""), 1.0)
        found.append(FoundMoney(amount, currencies[casefold_tr(symbol)], match.start("num"), match.end()))
    return found
