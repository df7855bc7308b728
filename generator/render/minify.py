"""The site's stylesheet and scripts written minified: fewer bytes for a phone to fetch before it paints.

rcssmin and rjsmin are small, maintained minifiers that rewrite no names and reorder nothing: the same
text gives the same bytes, so a build stays reproducible and the offline copy's version changes only
when a file does. The sources (templates/assets/*.css.j2, generator/render/static/*.js) stay readable.
"""

from __future__ import annotations

from typing import cast

import rcssmin
import rjsmin


def minified(path: str, text: str) -> str:
    """``text`` minified when ``path`` is a stylesheet or a script, else as it is."""
    if path.endswith(".css"):
        return cast(str, rcssmin.cssmin(text)) + "\n"
    if path.endswith(".js"):
        return cast(str, rjsmin.jsmin(text)) + "\n"
    return text
