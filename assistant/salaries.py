"""Salary ranges as the guide writes them ("UK: £60,000 – £130,000", "US: $180k+ (at labs)"),
parsed into numbers so that code, not the model, compares them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.mdtext import strip_md
from assistant.regions import normalize_region

_CURRENCY = {"£": "GBP", "$": "USD", "€": "EUR"}
_SYMBOL = {code: symbol for symbol, code in _CURRENCY.items()}
_MONEY = r"(?P<{n}_sym>[£$€])?\s?(?P<{n}>\d[\d,]*(?:\.\d+)?)\s?(?P<{n}_k>[kK])?"
_SALARY = re.compile(
    r"^(?P<region>[^:]+?)\s*:\s*"
    + _MONEY.format(n="low")
    + r"\s*(?:–|—|-|to)\s*"
    + _MONEY.format(n="high")
    + r"\s*(?P<plus>\+)?\s*(?:\((?P<qualifier>[^)]*)\))?"
)




@dataclass(frozen=True)
class SalaryRange:
    """One of the guide's salary ranges: a region (or track) label, a currency and bounds."""

    region: str  # the guide's label: "UK", "US", "Global tech hubs (Berlin, ...)", "Policy/ethics roles"
    currency: str  # ISO code: GBP, USD, EUR
    low: int
    high: int
    open_ended: bool  # the guide writes "+" after the upper bound
    qualifier: str = ""  # e.g. "at frontier AI labs"

    @property
    def region_key(self) -> str | None:
        """ "uk", "us" or "global" for a regional range; None for a track label."""
        return normalize_region(self.region)

    def display(self, with_qualifier: bool = False) -> str:
        symbol = _SYMBOL.get(self.currency, self.currency + " ")
        text = f"{symbol}{self.low:,} – {symbol}{self.high:,}{'+' if self.open_ended else ''}"
        if with_qualifier and self.qualifier:
            text += f" ({self.qualifier})"
        return text



def parse_salaries(lines: Iterable[str]) -> tuple[SalaryRange, ...]:
    out = []
    for line in lines:
        m = _SALARY.match(strip_md(line))
        if not m:
            continue
        symbol = m.group("low_sym") or m.group("high_sym") or ""
        out.append(
            SalaryRange(
                region=m.group("region").strip(),
                currency=_CURRENCY.get(symbol, ""),
                low=_amount(m.group("low"), m.group("low_k")),
                high=_amount(m.group("high"), m.group("high_k")),
                open_ended=bool(m.group("plus")),
                qualifier=(m.group("qualifier") or "").strip(),
            )
        )
    return tuple(out)


def _amount(number: str, k: str | None) -> int:
    value = float(number.replace(",", ""))
    return int(round(value * 1000 if k else value))
