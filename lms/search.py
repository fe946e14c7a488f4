"""The search backend: Wagtail's database backend, with what people type kept as plain text.

On SQLite the database backend wraps each word in double quotes for the full-text MATCH but does
not escape a double quote inside it, so a search for `"` or `"WhatsApp` was an FTS5 syntax
error (a 500 in the admin). Doubling the quote is FTS5's own escape: the word is then searched
for as written. Other FTS5 syntax (*, (, -, NEAR, AND...) is already inside the quotes.
PostgreSQL's backend parses the words itself and needs nothing."""

import functools

from modelsearch.backends import database
from modelsearch.query import PlainText


def _quotes_escaped(query):
    if isinstance(query, PlainText):
        return PlainText(
            query.query_string.replace('"', '""'), operator=query.operator, boost=query.boost
        )
    return query


@functools.cache
def _sqlite_compilers():
    # Imported only on SQLite: the module's models exist only there.
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteAutocompleteQueryCompiler,
        SQLiteSearchQueryCompiler,
    )

    class QuoteEscaping:
        def build_search_query_content(self, query, config=None):
            return super().build_search_query_content(_quotes_escaped(query), config=config)

    class SearchQueryCompiler(QuoteEscaping, SQLiteSearchQueryCompiler):
        pass

    class AutocompleteQueryCompiler(QuoteEscaping, SQLiteAutocompleteQueryCompiler):
        pass

    return SearchQueryCompiler, AutocompleteQueryCompiler


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks for in a backend module
    backend = database.SearchBackend(params)
    if type(backend).__name__ == "SQLiteSearchBackend":
        backend.query_compiler_class, backend.autocomplete_query_compiler_class = (
            _sqlite_compilers()
        )
    return backend
