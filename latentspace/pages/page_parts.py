"""What every HTML page the project writes shares: its content security policy, its style, a verdict's colour,
an inlined figure, and the templates (latentspace/pages/templates/, Jinja with every value escaped unless the
code marks it as markup)."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

VERDICT_STYLE = {"supported": "color:#1a7f37", "not supported": "color:#b42318", "inconclusive": "color:#7a5d00",
                 "not measured": "color:#666"}


# The content security policy of every page the project writes but the explorer (which runs its own
# scripts, latentspace/pages/explorer.py): no script, no fetch, no frame; inline style and data: images only.
PAGE_POLICY = ('<meta http-equiv="Content-Security-Policy" '
               "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")


# The style every HTML page of the project starts from (this report, latentspace.tools.sweep's page);
# each page adds its own rules (width, figures) after it.
PAGE_CSS = """body { font-family: system-ui, sans-serif; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f4f4f4; } img { max-width: 100%; } figcaption { color: #555; font-size: 0.9em; }"""


READS = "templates"  # a dep of every stage that imports this module (latentspace/tools/deps.py)
TEMPLATES = Path(__file__).with_name(READS)
_JINJA = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                     keep_trailing_newline=True)
_JINJA.globals.update(verdict_style=VERDICT_STYLE)
_JINJA.filters["base64"] = lambda data: base64.b64encode(data).decode("ascii")  # a PNG inlined as a data: URL


def render(template: str, **values) -> str:
    """The page ``template`` of :data:`TEMPLATES` filled with ``values`` (each escaped unless it is
    :class:`markupsafe.Markup`), with the policy and style every page starts from."""
    return _JINJA.get_template(template).render(policy=Markup(PAGE_POLICY), css=Markup(PAGE_CSS), **values)


def macros(template: str):
    """The macros of ``template`` (``macros("parts.html").verdict("supported")``), each giving escaped Markup."""
    return _JINJA.get_template(template).module


def formatted(value) -> str:
    """A number as the tables show it: – for none, thousands apart, four decimals below 1, else two."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"
