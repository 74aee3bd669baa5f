"""One exception base for the whole package.

NkkgError
├── ConfigError          settings that cannot be used (bad path, bad value)
├── InputError           bad input from a user or a file (exit code 2)
│   ├── CorpusError      a corpus / document file that cannot be parsed
│   ├── LexiconError     a lexicon row that breaks the lexicon rules
│   ├── QueryError       a SPARQL query that does not parse or is refused
│   └── UnknownEntityError  a CURIE or label that resolves to nothing
├── SourceError          a remote source failed (HTTP error, dropped connection, truncated body) after retries
│   └── SessionExpiredError  a resumed search session (NCBI WebEnv) is no longer known to the server
├── StoreError           the store cannot be opened, read or written
├── EmptyResultError     a view, path search or ranking found nothing to show
└── ValidationError      the graph does not conform to the SHACL shapes

Only ``cli.py`` turns these into exit codes and only the server into HTTP statuses.
"""

from __future__ import annotations


class NkkgError(Exception):
    """Base of every error nkkg raises on purpose."""

    exit_code = 1


class ConfigError(NkkgError):
    exit_code = 2


class InputError(NkkgError):
    exit_code = 2


class CorpusError(InputError):
    pass


class LexiconError(InputError):
    pass


class QueryError(InputError):
    pass


class UnknownEntityError(InputError):
    def __init__(self, name: str, suggestions: list[str] | None = None):
        self.name = name
        self.suggestions = suggestions or []
        hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown entity {name!r}{hint}")


class SourceError(NkkgError):
    """A live source (E-utilities, ClinicalTrials.gov) failed after retries; ``status`` is the last HTTP status."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class SessionExpiredError(SourceError):
    pass


class StoreError(NkkgError):
    pass


class ValidationError(NkkgError):
    pass


class EmptyResultError(NkkgError):
    """A view, path search or ranking found nothing to show (exit code 1)."""
