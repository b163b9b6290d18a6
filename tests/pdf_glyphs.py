"""What a PDF page draws, in drawing order: each line's glyphs as Unicode, left to right, with the
x where the line starts. pypdf's extract_text guesses logical order back for right-to-left runs;
tests that check the visual order (shaping and bidi) need the glyphs as they are drawn instead.

Reads what reportlab writes: BT/ET blocks with Tm/Td moves, Tj/TJ strings in one-byte subset
encodings, and a ToUnicode CMap per font (the standard 14 fonts map Latin-1).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_TRIPLE = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


@dataclass(frozen=True)
class DrawnLine:
    x: float  # where the line starts, from the frame's left edge
    text: str  # glyphs left to right, as drawn


def _cmap(font: DictionaryObject) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {code: chr(code) for code in range(256)}
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    table: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        for src, dst in _PAIR.findall(block):
            table[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in _BFRANGE.findall(data):
        for first, last, dst in _TRIPLE.findall(block):
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                table[code] = chr(int(dst, 16) + offset)
    return table


def _decode(string: object, table: dict[int, str]) -> str:
    raw = string.get_original_bytes() if hasattr(string, "get_original_bytes") else bytes(string)
    return "".join(table.get(byte, "?") for byte in raw)


def drawn_lines(content: bytes, page: int = 0) -> list[DrawnLine]:
    """Every text line of the page, top to bottom, as drawn."""
    pdf_page = PdfReader(io.BytesIO(content)).pages[page]
    fonts = pdf_page["/Resources"]["/Font"]
    operations = ContentStream(pdf_page["/Contents"].get_object(), pdf_page.pdf).operations
    lines: list[DrawnLine] = []
    table: dict[int, str] = {}
    x, text = 0.0, ""
    for operands, op in operations:
        if op == b"BT":
            x, text = 0.0, ""
        elif op == b"Tf":
            table = _cmap(fonts[operands[0]].get_object())
        elif op in (b"Td", b"TD", b"T*"):  # a move: the next line (or this line's start)
            if text:
                lines.append(DrawnLine(x, text))
                text = ""
            if op != b"T*":
                x += float(operands[0])
        elif op == b"Tj":
            text += _decode(operands[0], table)
        elif op == b"TJ":  # strings between kerning numbers
            text += "".join(_decode(item, table) for item in operands[0]
                            if not isinstance(item, int | float))
        elif op == b"ET" and text:
            lines.append(DrawnLine(x, text))
            text = ""
    return lines
