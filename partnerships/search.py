"""The full-text search the transparency register and the learning library share.

On PostgreSQL it is PostgreSQL's own: the fields' English tsvector matched against the words
as typed, in the web-search syntax (``websearch_to_tsquery``), and answered by a GIN index
on exactly that expression (project_register_search, lesson_search). SQLite, the embedded
database of `make run`, has neither, so there the same syntax is matched word by word with
a case-insensitive containment test: every word must appear in one of the fields,
``"a phrase"`` as written, ``-word`` must not appear, and ``or`` between words takes either
side. English stop words are left out, as PostgreSQL leaves them out. What SQLite does not
do is stemming: "patients" finds "patients" but not "patient".
"""

import re
from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import Q, QuerySet

CONFIG = "english"

# PostgreSQL's English stop words (Snowball's list), which its search leaves out of a query.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# A quoted phrase (the closing quote may be missing) or a run of anything but spaces.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Punctuation around a word is not part of it (PostgreSQL's parser drops it too).
EDGES = re.compile(r"^\W+|\W+$")


def text_search(queryset: QuerySet, fields: Sequence[str], text: str) -> QuerySet:
    """The rows of ``queryset`` whose ``fields`` match ``text`` (typed by a person: any
    text is safe). The caller strips ``text`` and skips the search when it is empty."""
    if connections[queryset.db].vendor == "postgresql":
        vector = SearchVector(*fields, config=CONFIG)
        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        return queryset.annotate(search=vector).filter(search=query)
    return queryset.filter(websearch_q(fields, text))


def websearch_q(fields: Sequence[str], text: str) -> Q:
    """``text`` in the web-search syntax as a Q of case-insensitive containment tests:
    groups of words separated by ``or``, every word of a group in one of ``fields``."""
    groups: list[Q] = []
    group: Q | None = None
    for negated, phrase, word in TOKEN.findall(text):
        if word.lower() == "or" and not phrase:
            if group is not None:
                groups.append(group)
            group = None
            continue
        if word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        term = " ".join(phrase.split()) if phrase else EDGES.sub("", word)
        words = [w for w in re.split(r"\W+", term.lower()) if w]
        if not words or all(w in STOP_WORDS for w in words):
            continue
        found = Q()
        for field in fields:
            found |= Q(**{f"{field}__icontains": term})
        found = ~found if negated else found
        group = found if group is None else group & found
    if group is not None:
        groups.append(group)
    if not groups:
        # Only stop words or punctuation: PostgreSQL's query is empty and matches nothing.
        return Q(pk__in=[])
    result = groups[0]
    for other in groups[1:]:
        result |= other
    return result
