"""A short extract of a text around what was searched, the matched words in ``<mark>``.

Everything from the text is escaped; only the ``<mark>`` tags are markup.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from danvan.lib.text import fold
from danvan.lib.textquery import Query

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: About this many characters around the first match.
WIDTH = 220


def _is_match(word: str, wanted: set[str]) -> bool:
    return fold(word) in wanted


def snippet(text: str, query: Query, *, width: int = WIDTH) -> SafeString:
    """``width`` characters of ``text`` from a little before its first (best) match, with every
    matched word marked; the start of the text when nothing matches (an answer's own words)."""
    wanted = query.words
    words = [(m.start(), m.end()) for m in _WORD.finditer(text) if _is_match(m.group(), wanted)]
    start = 0
    if words:
        # The first place where the query's words come in a row, else the first matched word.
        first = words[0][0]
        folded = [t.folded for t in query.terms]
        for i in range(len(words) - len(folded) + 1):
            run = [fold(text[a:b]) for a, b in words[i : i + len(folded)]]
            if run == folded:
                first = words[i][0]
                break
        start = max(0, first - width // 4)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and start - space < 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    parts = ["…" if start else ""]
    position = start
    for a, b in words:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        parts.append(escape(text[position:a]))
        parts.append(f"<mark>{escape(text[a:b])}</mark>")
        position = b
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # every piece of the text is escaped above
