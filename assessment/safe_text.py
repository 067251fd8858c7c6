"""Text that every file format can hold: the characters XML 1.0 forbids taken out.

A participant can type (or paste) characters that XML 1.0 does not allow: the C0 control
characters other than tab, line feed and carriage return, the non-characters U+FFFE and
U+FFFF, and lone surrogates (which a JSON file can carry as ``\\ud800``). One of them in a
comment makes an XLSX worksheet invalid XML, so Excel refuses the whole file, and a PDF
renderer or a JSON reader may choke on them as well. Every export (CSV, XLSX, JSON, the
backup) and the HTML of both PDFs (report, blank paper form) pass their text through
:func:`xml_safe`, this one function, so no surface can forget a character the others strip.

The characters are removed, not replaced: none of them is visible, so the text reads the
same. The stored text is not changed (the moderation page shows what was sent in).
"""

from __future__ import annotations

import re

#: Everything outside XML 1.0's ``Char`` production:
#: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (see the module docstring)."""
    return _FORBIDDEN.sub("", text)
