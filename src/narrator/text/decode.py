"""Bytes to text: BOMs, UTF-8, legacy encodings, and refusal of binary data."""

from __future__ import annotations

import codecs

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LATIN_SINGLE_BYTE = {
    "ascii", "utf_8", "cp1250", "cp1252", "cp1254", "cp1257", "cp850", "cp437", "iso8859_1",
    "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14",
    "iso8859_15", "iso8859_16",
}
_BINARY_MAGIC = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"RIFF",
    b"ID3", b"\x1f\x8b", b"BM", b"OggS", b"fLaC", b"\x7fELF",
)


def looks_binary(data: bytes) -> bool:
    """True for images, archives, audio and other data that is not text."""
    head = data[:4096]
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        return True
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.05


def decode_text(data: bytes, name: str = "input") -> str:
    """Decode article bytes: a BOM wins, then UTF-8, then a detected legacy charset.

    Windows-1252 is preferred over Latin-1 when bytes 0x80-0x9F appear (curly
    quotes and dashes), as browsers do.
    """
    if looks_binary(data):
        raise InputError(
            f"{name}: this is binary data (an image, archive or audio file?), "
            "not an article; give an .html, .txt or .md file"
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and not _latin_script(best.encoding):
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _latin_script(encoding: str) -> bool:
    """Single-byte Latin-script encodings, which a Western page in Windows-1252 is
    often mistaken for; for those Windows-1252 is the better reading."""
    return encoding in _LATIN_SINGLE_BYTE or encoding.startswith(("mac_", "latin"))
