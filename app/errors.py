"""Domain errors: raised low (services, queries), translated to responses once (app.web.handlers)."""

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str = "", **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class LoginRequired(DomainError):
    status_code = 401


class CsrfFailed(DomainError):
    status_code = 403


class RuleViolation(DomainError):
    """A business rule refused the input; `field` names the form field it belongs to, if any."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field


class EditConflict(RuleViolation):
    """Someone saved the record after this edit form was opened: nothing written, the form shows both."""
