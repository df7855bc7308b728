"""MkDocs' own messages during a build or a serve, collected to be reported in rolebook's words."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager


def quiet_material() -> None:
    """Material prints an end-of-life banner when imported by the mkdocs command; rolebook's output stays clean."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


class MkDocsMessages(logging.Handler):
    """MkDocs' warnings and errors during one build, to report them in rolebook's own words."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def lines(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    @property
    def messages(self) -> list[str]:
        return [f"{record.levelname.lower()}: {record.getMessage()}" for record in self.records]


@contextmanager
def collected_messages() -> Iterator[MkDocsMessages]:
    """MkDocs' warnings and errors while the block runs (in strict mode, the reason a build stopped)."""
    logger = logging.getLogger("mkdocs")
    handler = MkDocsMessages()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@contextmanager
def mkdocs_logging() -> Iterator[MkDocsMessages]:
    logger = logging.getLogger("mkdocs")
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)  # strict mode counts warnings through the logger
    logger.propagate = False
    try:
        with collected_messages() as handler:
            yield handler
    finally:
        logger.setLevel(old_level)
        logger.propagate = old_propagate
