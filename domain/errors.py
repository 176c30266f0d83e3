"""Named domain errors, translated to HTTP status codes and CLI messages at the edges only."""
from __future__ import annotations

from domain.validation import FieldError, ValidationFailed


class DomainRuleError(ValidationFailed):
    """A valid-looking item that the ledger's state refuses (e.g. overwriting a decision)."""

    def __init__(self, field: str, code: str, zh: str, en: str):
        super().__init__([FieldError(field, code, zh, en)])


class RecordNotFoundError(DomainRuleError):
    pass


class ConflictingResubmissionError(DomainRuleError):
    pass


class RecordWithdrawnError(DomainRuleError):
    pass
