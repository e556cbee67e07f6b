"""Writing a generated report between two markers of a Markdown file.

The reports are written with links relative to the repository's root (as the
top-level README reads them). Written into another file, the links are made
relative to that file; a page of the documentation site (under ``docs/``)
cannot link to a Markdown file outside the site, so there such a link becomes
its label, in code font.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def relink(text: str, path: Path) -> str:
    """``text``'s repository-relative links, made relative to ``path``."""
    path = Path(path).resolve()
    in_docs = ROOT / "docs" in path.parents

    def fix(match: re.Match) -> str:
        label, target = match.groups()
        if re.match(r"[a-z][a-z0-9+.-]*:|#|\.\./", target):
            return match.group(0)  # a URL, an anchor, or already relative
        file, _, anchor = target.partition("#")
        if in_docs and file.endswith(".md"):
            return label if label.startswith("`") else f"`{label}`"
        new = os.path.relpath(ROOT / file, path.parent)
        return f"[{label}]({new}{'#' + anchor if anchor else ''})"

    return _LINK.sub(fix, text)


def write_between_markers(path: Path, text: str, begin: str, end: str) -> None:
    """Replace what lies between ``begin`` and ``end`` in ``path`` by ``text``."""
    path = Path(path)
    content = path.read_text()
    if begin not in content or end not in content:
        raise SystemExit(f"{path} has no {begin} ... {end} markers")
    head, rest = content.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{begin}\n{relink(text, path)}{end}{tail}")
