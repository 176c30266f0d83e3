"""The domain's one error family: every refusal names its field and says why in Chinese and English.

The classes say what kind of refusal it is; the edges translate that, and only that, into
an HTTP status (web/errors.py) or a CLI message. A submitted item refused for any of these
reasons is `rejected` in the batch answer with the same errors.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message_zh": self.zh, "message_en": self.en}


class ValidationFailed(Exception):
    """Input or a command was refused; `errors` names every field at fault (422 at the web edge)."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.en}" for e in errors))
        self.errors = errors


class DomainError(ValidationFailed):
    """One refusal about one field: a valid-looking input that the state or a rule refuses."""

    def __init__(self, field: str, code: str, zh: str, en: str):
        super().__init__([FieldError(field, code, zh, en)])


class NotFoundError(DomainError):
    """What the command acts on does not exist (404)."""


class ForbiddenError(DomainError):
    """The actor may not act on or see this: another firm's case, another department's (403)."""


class ConflictError(DomainError):
    """The current state does not allow it: a step from the wrong status, a different resubmission (409)."""


class InputError(DomainError):
    """Missing or malformed input to a command: a reason, a material, a correction (422)."""


class NotEligibleError(ValidationFailed):
    """The subject cannot be the subject of a new case today; every reason is listed (409)."""


class RecordNotFoundError(NotFoundError):
    pass


class ConflictingResubmissionError(ConflictError):
    pass


class RecordWithdrawnError(ConflictError):
    pass


class CaseNotFoundError(NotFoundError):
    pass


class CaseForbiddenError(ForbiddenError):
    pass


class InvalidTransitionError(ConflictError):
    """The case is not in a state that allows this step (approving a refused case...)."""


class ConcurrentChangeError(ConflictError):
    """Someone else changed the same aggregates at the same moment, every retry included."""
