"""Docstrings with shared sections: the one helper that fills them in.

A docstring is written out, except for lines that hold only a placeholder,
``{name}`` (a dict literal of an example never stands alone on its line):
:func:`fill_placeholders` replaces each with the section of that name,
indented as the placeholder was.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

__all__ = ["fill_placeholders"]

_PLACEHOLDER = re.compile(r"^( *)\{(\w+)\}$", flags=re.MULTILINE)


def fill_placeholders(
    doc: str, sections: Mapping[str, Callable[[], str]], owner: str
) -> str:
    """``doc`` with each placeholder line replaced by its section.

    Parameters
    ----------
    doc : str
        The docstring.
    sections : mapping of str to callable
        Each section's name and a function returning its (unindented) text;
        only the sections ``doc`` names are built.
    owner : str
        What ``doc`` documents, named by the ValueError raised for an
        unknown placeholder.

    Returns
    -------
    str

    Examples
    --------
    >>> from sklearn_hpo.utils._docstring import fill_placeholders
    >>> doc = "Summary.\\n\\n    {notes}\\n"
    >>> print(fill_placeholders(doc, {"notes": lambda: "A\\nB"}, "f"))
    Summary.
    <BLANKLINE>
        A
        B
    <BLANKLINE>
    """

    def section(match: re.Match) -> str:
        indent, name = match.groups()
        if name not in sections:
            raise ValueError(
                f"Unknown placeholder {{{name}}} in the docstring of {owner}; "
                f"the sections are {sorted(sections)}."
            )
        text = sections[name]().rstrip("\n")
        return "\n".join(indent + line if line else "" for line in text.splitlines())

    return _PLACEHOLDER.sub(section, doc)
