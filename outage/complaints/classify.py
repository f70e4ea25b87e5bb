"""What a complaint is about, and which department takes it.

The handbook's five classes. A complainant may say which; otherwise the text's words
decide, by rules a desk can read (each class's words, the ones found kept with the
complaint), and the desk re-routes what the rules got wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

CATEGORIES = ("service", "quality", "price", "policy", "other")

# Who takes each class, unless the utility says otherwise (`ComplaintBook(routes=…)`).
DEPARTMENTS: Mapping[str, str] = {
    "service": "Customer Service",
    "quality": "Power Quality",
    "price": "Billing",
    "policy": "Regulatory Affairs",
    "other": "Customer Service",
}

# Whole words and phrases; a word ending in "*" is a beginning ("overcharg*" finds
# overcharged and overcharging). A class's words are what customers write, not the
# handbook's headings.
_WORDS: Mapping[str, tuple[str, ...]] = {
    "price": ("bill*", "charg*", "overcharg*", "tariff*", "price*", "pricing",
              "rate increase", "rates", "expensive", "invoice*", "payment*", "paid",
              "refund*", "fee", "fees", "deposit*", "meter reading*", "estimated reading*",
              "cost*", "money", "debit*"),
    "quality": ("voltage*", "flicker*", "surge*", "dim", "dimming", "brownout*",
                "fluctuat*", "spike*", "harmonic*", "appliance*", "fridge", "damag*",
                "fried", "burnt", "burned out", "frequent*", "keeps going out",
                "keeps cutting out", "again and again", "interruption*", "unreliable",
                "low power", "power quality", "outages", "blackouts", "tripping",
                "gone out", "goes out", "going out", "power cut*", "times this week",
                "times this month", "times a week"),
    "service": ("staff", "rude*", "impolite", "unhelpful", "wait*", "on hold", "slow*",
                "late", "took hours", "took days", "crew*", "technician*", "engineer*",
                "appointment*", "no one came", "nobody came", "no one answered",
                "nobody answered", "call back", "called back", "agent*", "operator*",
                "busy", "get through", "got through", "nobody told", "no one told",
                "not informed", "no information", "communicat*", "called me back",
                "call me back", "nobody informed", "no one informed", "never showed",
                "never came", "new connection", "reconnect*", "install*", "no response", "ignored",
                "attitude"),
    "policy": ("polic*", "regulat*", "rule", "rules", "contract*", "terms", "disconnection*",
               "cut off", "shut off", "compensat*", "right of way", "tree trimming",
               "vegetation", "easement*", "privacy", "consent", "legal", "lawful",
               "eligib*"),
}


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) + r"\b"
             for w in words]
    return re.compile(r"\b(" + "|".join(parts) + ")", re.IGNORECASE)


_PATTERNS = {category: _pattern(words) for category, words in _WORDS.items()}
# Ties go to the more specific class: a bill is a bill whoever was rude about it.
_TIES = ("price", "quality", "policy", "service")


@dataclass(frozen=True, slots=True)
class Classification:
    """A class, and the words of the text that chose it (none: "other", or said)."""

    category: str
    matched: tuple[str, ...] = ()


def classify(text: str) -> Classification:
    """The class whose words the text uses most (distinct words; ties to the more
    specific class); "other" when it uses none."""
    found = {category: sorted({m.group(1).lower() for m in pattern.finditer(text)})
             for category, pattern in _PATTERNS.items()}
    best = max(_TIES, key=lambda c: (len(found[c]), -_TIES.index(c)))
    if not found[best]:
        return Classification("other")
    return Classification(best, tuple(found[best]))
