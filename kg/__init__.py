"""nkkg: a knowledge graph of natural-killer-cell vaccine mechanisms and clinical trials in solid tumours."""

__version__ = "0.1.0"
