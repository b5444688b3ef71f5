"""Text a visitor controls (URL values, file and column names, class labels), made inert for each
place it is shown: one helper per sink, used everywhere that sink receives such text.

- `md`: Streamlit markdown (st.markdown, warnings, errors, captions, toasts). GitHub markdown plus
  Streamlit's directives (`:red[…]`, `:red-background[…]`, `:material/…:`), emoji shortcodes and LaTeX.
- `plotly`: Plotly's pseudo-HTML (titles, axis and colour-bar titles, legend names, category ticks,
  hover text), which renders `<a href>`, `<span style>`, `<b>`… and typesets `$…$`.

Both first make the text encodable: a lone surrogate (from JSON such as "\\ud800") would make the
page's UTF-8 encoder raise, so it becomes "?".
"""

from __future__ import annotations

import html
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Every ASCII punctuation mark may be backslash-escaped in CommonMark; '&' and ';' are left for the
# entities html.escape wrote. ':' and '/' stop directives and `:material/…:` icons.
_MD_PUNCT = re.compile(r"([!-%'-/:<-@\[-`{-~])")
_SHORTCODE = re.compile(r"(?<=\\:)(?=(?:[^\W_]|\\[+_-])+\\:)")  # `:name:` emoji: a word joiner breaks the pattern
_WORD_JOINER = "\u2060"


def encodable(text) -> str:
    """str(text) with lone surrogates replaced, so any UTF-8 encoder accepts it."""
    return str(text).encode("utf-8", "replace").decode("utf-8")


def md(text) -> str:
    """User text for Streamlit markdown: one line, shown literally (no HTML, links, styling, icons)."""
    text = _CONTROL.sub(" ", encodable(text))
    escaped = _MD_PUNCT.sub(r"\\\1", html.escape(text, quote=False))
    return _SHORTCODE.sub(_WORD_JOINER, escaped)


def plotly(text) -> str:
    """User text for Plotly's pseudo-HTML: tags and entities shown literally, no LaTeX."""
    text = html.escape(_CONTROL.sub(" ", encodable(text)), quote=False)
    return text.replace("$", "&#36;")  # Plotly typesets text between dollar signs
