"""Reading the contact's pages as a browser without JavaScript would: hidden fields, boxes."""

import re
from html.parser import HTMLParser

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append({name: value or "" for name, value in attrs})


def inputs(html: str) -> list[dict[str, str]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def form_fields(html: str) -> list[tuple[str, str]]:
    """What submitting the (first) form unchanged sends: hidden fields and ticked boxes."""
    fields: list[tuple[str, str]] = []
    for field in inputs(html):
        if field.get("type") == "hidden" or (
            field.get("type") == "checkbox" and "checked" in field
        ):
            fields.append((field["name"], field.get("value", "")))
    return fields


def urls(text: str, path: str) -> list[str]:
    return re.findall(rf"https?://[^\s\"'<>]+/{path}/[A-Za-z0-9_-]+(?:\?lang=[A-Za-z-]+)?", text)


def as_data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs in the shape httpx sends (a name may repeat)."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data
