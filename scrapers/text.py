"""Turning the HTML fragments the APIs return into clean plain text."""
import re
from typing import overload

from bs4 import BeautifulSoup

_SPACE = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")


@overload
def html_to_text(html: str) -> str: ...
@overload
def html_to_text(html: None) -> None: ...
@overload
def html_to_text(html: str | None) -> str | None: ...


def html_to_text(html: str | None) -> str | None:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on their own lines."""
    if html is None:
        return None
    if "<" not in html and "&" not in html:
        return _SPACE.sub(" ", html).strip()
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
    text = soup.get_text()
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()
