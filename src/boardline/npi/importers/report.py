"""Collecting one file's findings so a systematic fault stays readable."""

from __future__ import annotations

from boardline.npi.model import Finding, Severity


class FindingReport:
    """The findings of one file: at most ``cap`` of one code are listed, the rest counted.

    A file in the wrong units or with a shifted column can produce the same finding on
    every row; listing 50 000 of them would bury everything else.
    """

    def __init__(self, file: str, *, cap: int, truncated_code: str) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self._cap = cap
        self._truncated_code = truncated_code
        self._counts: dict[str, int] = {}
        self._severity: dict[str, Severity] = {}

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        refdes: str | None = None,
        hint: str | None = None,
    ) -> None:
        count = self._counts.get(code, 0) + 1
        self._counts[code] = count
        self._severity.setdefault(code, severity)
        if count <= self._cap:
            self.findings.append(
                Finding(severity, code, message, self.file, line, field, refdes, hint)
            )

    def close(self) -> list[Finding]:
        """The findings, plus one summary for each code that had more than the cap."""
        for code, count in self._counts.items():
            if count > self._cap:
                self.findings.append(
                    Finding(
                        self._severity[code],
                        self._truncated_code,
                        f"{count - self._cap:,} more {code!r} findings are not listed",
                        file=self.file,
                    )
                )
        return self.findings
