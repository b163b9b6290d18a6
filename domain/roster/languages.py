"""Language tags for schools and guardians: a BCP 47-shaped tag (`en`, `ga`, `pt-BR`, `zh-Hant`).

Letters are rendered in the guardian's language, so the tag must be one a translator understands.
SIS exports are untidy: `EN`, `pt_BR` and the English name ("Polish") are all accepted and written
in canonical form; anything else is refused rather than guessed.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

# English names a SIS may send instead of a tag; the languages our districts' families speak most.
_NAMES = {
    "english": "en", "irish": "ga", "gaeilge": "ga", "welsh": "cy", "polish": "pl",
    "ukrainian": "uk", "arabic": "ar", "portuguese": "pt", "romanian": "ro", "spanish": "es",
    "french": "fr", "german": "de", "italian": "it", "lithuanian": "lt", "latvian": "lv",
    "russian": "ru", "urdu": "ur", "punjabi": "pa", "bengali": "bn", "somali": "so",
    "chinese": "zh", "mandarin": "zh", "cantonese": "yue", "tagalog": "tl", "vietnamese": "vi",
}


def normalize_language(value: str) -> str:
    """The canonical tag, or ValueError: language lower case, script title case, region upper."""
    text = value.strip().replace("_", "-")
    named = _NAMES.get(text.lower())
    if named:
        return named
    if not _TAG.fullmatch(text) or len(text) > 35:
        raise ValueError(f"{value!r} is not a language tag such as 'en', 'ga' or 'pt-BR'")
    first, *rest = text.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())
        elif len(part) == 2 and part.isalpha():
            parts.append(part.upper())
        else:
            parts.append(part.lower())
    return "-".join(parts)
