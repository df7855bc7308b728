"""The date a build is stamped with, so the same playbook gives the same bytes on any day.

MkDocs writes the build date into the sitemap, and fontTools into every font subset it writes (WeasyPrint
subsets the cards' fonts with it where the system has no HarfBuzz-Subset library, as a fresh Debian has
not). Both read ``SOURCE_DATE_EPOCH``, the reproducible-builds convention, before the clock: a build sets
it to the playbook's publication date while it runs, unless it is set already.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from generator.errors import RolebookError

DATE_ENV = "SOURCE_DATE_EPOCH"


def date_stamp(published: dt.date) -> str:
    """The seconds a build is dated by: SOURCE_DATE_EPOCH where it is set, else the publication date."""
    given = os.environ.get(DATE_ENV, "").strip()
    if given and not given.isdigit():
        raise RolebookError(
            f"{DATE_ENV}={given!r}: expected whole seconds since 1970-01-01 (the reproducible-builds "
            "convention); set it to a number or unset it"
        )
    return given or str(int(dt.datetime.combine(published, dt.time(), dt.UTC).timestamp()))


@contextmanager
def dated(stamp: str) -> Iterator[None]:
    """SOURCE_DATE_EPOCH set to ``stamp`` while the block runs, then as it was."""
    before = os.environ.get(DATE_ENV)
    os.environ[DATE_ENV] = stamp
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DATE_ENV, None)
        else:
            os.environ[DATE_ENV] = before
