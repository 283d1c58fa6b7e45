"""Turning a data file's bytes into text and rows: encodings, delimiters, line numbers."""

from __future__ import annotations

import csv
import io

from boardline.core.errors import FileRejected
from boardline.npi.model import Finding, Severity

MAX_FILE_BYTES = 64 * 1024 * 1024


def decode(data: bytes, file: str) -> tuple[str, list[Finding]]:
    """The file as text, whatever common encoding it uses, plus a finding when guessed.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; anything else that
    is not UTF-8 is read as Windows-1252/Latin-1 with a warning. Binary data (NUL bytes or
    many control characters) and empty files are rejected.
    """
    findings: list[Finding] = []
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(file, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FileRejected(file, "file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRejected(file, f"broken UTF-16 text at byte {exc.start}") from None
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _utf8(data[3:], file)
    else:
        if b"\x00" in data:
            raise FileRejected(file, "binary data, not a text file (NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            findings.append(
                Finding(
                    Severity.WARNING,
                    "file.encoding_guessed",
                    "not UTF-8; read as Windows-1252 / Latin-1: check special characters",
                    file=file,
                )
            )
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise FileRejected(file, "binary data, not a text file (control characters)")
    return text, findings


def _utf8(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected(file, f"says UTF-8 (BOM) but byte {exc.start + 3} is not") from None


def sniff_delimiter(text: str) -> str:
    """The most likely field delimiter among ``,`` ``;`` tab and ``|``, from the first lines."""
    head = [line for line in text.splitlines()[:20] if line.strip()]
    if not head:
        return ","
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = [_count_outside_quotes(line, delim) for line in head[:10]]
        if not counts or counts[0] == 0:
            continue
        # Consistent counts across lines beat a high count on one line.
        score = sum(1 for c in counts if c == counts[0]) * 100 + counts[0]
        if score > best_score:
            best, best_score = delim, score
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    inside, n = False, 0
    for ch in line:
        if ch == '"':
            inside = not inside
        elif ch == delim and not inside:
            n += 1
    return n


def read_rows(text: str, file: str, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
    """Rows of a delimited text file as ``(line number, cells)``, blank rows left out.

    The line number is where the row starts in the file (1-based), so findings can name it
    even when quoted cells span lines.
    """
    delim = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected(file, f"cannot split into fields: {exc}", line=reader.line_num) from None
    return rows
