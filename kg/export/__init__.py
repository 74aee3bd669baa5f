"""Exports of the graph, one module per format.

``EXPORTERS`` maps a format name to a function ``(store, out_path) -> str`` that writes the file and
returns a one-line summary; ``nkkg export --format NAME`` offers exactly these names, so a new
format is one module plus one entry here.
"""

from __future__ import annotations

from . import graphml

EXPORTERS = {
    "graphml": graphml.export,
}
