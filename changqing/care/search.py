"""Chinese full-text search for the red-memory archive.

Text is segmented with jieba (search mode, so 解放战争 also yields 解放 and
战争) and stored as space-separated tokens. A query is segmented the same way
and every query word must match a whole token, so 南下 finds "随军南下" but a
query never matches half of an unrelated word. On PostgreSQL the tokens are
matched through a GIN-indexable tsvector with the 'simple' configuration; on
SQLite by token containment. Results show snippets with the words marked.
"""
from __future__ import annotations

import html
import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


def tokens(text: str) -> list[str]:
    return [t.strip().lower() for t in jieba.cut_for_search(text or "") if _WORD.search(t)]


def index_text(*parts: str) -> str:
    seen = dict.fromkeys(tok for part in parts for tok in tokens(part))
    return " " + " ".join(seen) + " "


def query_words(query: str) -> list[str]:
    """The words a query asks for: its longest segments (the search-mode sub-words add nothing)."""
    words = [w.strip().lower() for w in jieba.cut(query or "") if _WORD.search(w)]
    return list(dict.fromkeys(words))


def search(queryset, query: str):
    words = query_words(query)
    if not words:
        return queryset.none()
    from django.db import connection

    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        q = None
        for w in words:
            term = SearchQuery(w, config="simple", search_type="plain")
            q = term if q is None else q & term
        return queryset.annotate(_tsv=SearchVector("search_tokens", config="simple")).filter(_tsv=q)
    for w in words:
        queryset = queryset.filter(search_tokens__contains=f" {w} ")
    return queryset


def highlight(text: str, query: str, width: int = 60, limit: int = 3) -> list[str]:
    """Up to `limit` snippets around the query words, HTML-escaped, words wrapped in <mark>."""
    words = sorted(query_words(query), key=len, reverse=True)
    if not words or not text:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    snippets, last_end = [], -1
    for m in pattern.finditer(text):
        if m.start() < last_end:
            continue
        start, end = max(0, m.start() - width // 2), min(len(text), m.end() + width // 2)
        piece = text[start:end]
        marked = pattern.sub(lambda x: f"\x00{x.group(0)}\x01", piece)
        marked = html.escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
        snippets.append(("…" if start else "") + marked + ("…" if end < len(text) else ""))
        last_end = end
        if len(snippets) >= limit:
            break
    return snippets
