"""Explicit settings, passed down to every stage; nothing is read at import time.

``Settings.from_env()`` reads the environment once (``NKKG_STORE``, ``NKKG_DATA_DIR``,
``NKKG_OUTPUTS``, ``NKKG_EUTILS_URL``, ``NKKG_CTGOV_URL``, ``NCBI_API_KEY``, ``NKKG_EMAIL``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

DEFAULT_EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
DEFAULT_CTGOV = "https://clinicaltrials.gov/api/v2"


@dataclass(frozen=True)
class Settings:
    outputs: Path = Path("outputs")
    store: Path = Path("outputs/store")
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("nkkg")))
    eutils_url: str = DEFAULT_EUTILS
    ctgov_url: str = DEFAULT_CTGOV
    ncbi_api_key: str | None = None
    email: str | None = None
    extra_lexicons: tuple[Path, ...] = ()
    extra_inputs: tuple[Path, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        outputs = Path(env.get("NKKG_OUTPUTS", "outputs"))
        return cls(
            outputs=outputs,
            store=Path(env.get("NKKG_STORE", str(outputs / "store"))),
            data_dir=Path(env.get("NKKG_DATA_DIR") or platformdirs.user_data_dir("nkkg")),
            eutils_url=env.get("NKKG_EUTILS_URL", DEFAULT_EUTILS).rstrip("/"),
            ctgov_url=env.get("NKKG_CTGOV_URL", DEFAULT_CTGOV).rstrip("/"),
            ncbi_api_key=env.get("NCBI_API_KEY") or None,
            email=env.get("NKKG_EMAIL") or None,
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def journal_path(self) -> Path:
        return self.data_dir / "curation" / "journal.jsonl"
