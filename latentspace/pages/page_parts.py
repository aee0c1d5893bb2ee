"""What every HTML page the project writes shares: its content security policy, its style, a verdict's colour,
an inlined figure (standard library only)."""

from __future__ import annotations

import base64
import html

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


def verdict(text: str) -> str:
    """A verdict in bold, in its colour."""
    return f'<b style="{VERDICT_STYLE.get(text, "")}">{html.escape(text)}</b>'


def image(data: bytes, alt: str) -> str:
    """A PNG inlined as a data: URL (the pages open from disk)."""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def formatted(value) -> str:
    """A number as the tables show it: – for none, thousands apart, four decimals below 1, else two."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"
