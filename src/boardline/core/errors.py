"""The one exception tree of Boardline.

Every error a user, a script or a machine can cause is a ``BoardlineError`` with a stable
machine-readable ``code`` and an HTTP ``status``. The API answers them as RFC 9457
problem details (``{"type", "title", "status", "detail", "code"}``); pages show ``detail``
as a human message; the CLI prints it and exits non-zero.

    BoardlineError                      500  internal_error
    ├── InvalidInput                    422  invalid_input        (bad field, file, row)
    │   └── FileRejected                422  file_rejected        (a whole file is unusable)
    ├── AuthenticationFailed            401  authentication_failed
    │   ├── AccountDisabled             401  account_disabled
    │   └── TokenInvalid                401  token_invalid        (unknown, expired, revoked)
    ├── PermissionDenied                403  permission_denied
    │   └── CsrfFailed                  403  csrf_failed
    ├── NotFound                        404  not_found            (also: out of customer scope)
    ├── Conflict                        409  conflict
    │   ├── StaleRecord                 409  stale_record         (lost-update guard)
    │   └── AlreadyExists               409  already_exists
    ├── IntegrityViolation              500  integrity_violation  (audit chain broken)
    └── HttpError                       4xx  not_found / http_NNN (framework errors)
"""

from __future__ import annotations

from typing import Any


class BoardlineError(Exception):
    """Base of every error Boardline raises on purpose."""

    code: str = "internal_error"
    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        """This error as an RFC 9457 problem-details object."""
        body: dict[str, Any] = {
            "type": f"urn:boardline:error:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class InvalidInput(BoardlineError):
    code = "invalid_input"
    status = 422
    title = "Invalid input"


class FileRejected(InvalidInput):
    """A data file cannot be used at all (empty, binary, wrong format, no usable columns).

    Names the file and, where it can, the line and field. Problems that leave the rest of
    the file usable are not errors but findings in the import result.
    """

    code = "file_rejected"
    title = "File rejected"

    def __init__(
        self, file: str, reason: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        where = file + (f", line {line}" if line else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {reason}", file=file, line=line, field=field)
        self.file, self.line, self.field, self.reason = file, line, field, reason


class AuthenticationFailed(BoardlineError):
    code = "authentication_failed"
    status = 401
    title = "Authentication failed"


class AccountDisabled(AuthenticationFailed):
    code = "account_disabled"
    title = "Account disabled"


class TokenInvalid(AuthenticationFailed):
    code = "token_invalid"
    title = "API token not valid"


class PermissionDenied(BoardlineError):
    code = "permission_denied"
    status = 403
    title = "Permission denied"


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"
    title = "Form expired or forged"


class NotFound(BoardlineError):
    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(BoardlineError):
    code = "conflict"
    status = 409
    title = "Conflict"


class StaleRecord(Conflict):
    code = "stale_record"
    title = "Changed by someone else"


class AlreadyExists(Conflict):
    code = "already_exists"
    title = "Already exists"


class IntegrityViolation(BoardlineError):
    code = "integrity_violation"
    title = "Integrity violation"


class HttpError(BoardlineError):
    """A plain HTTP error from the framework (unknown URL, wrong method), as a problem."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = "not_found" if status == 404 else f"http_{status}"
        self.title = detail
