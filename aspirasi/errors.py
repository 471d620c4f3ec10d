"""Domain errors. Each has a stable `code` the mobile app switches on and a translated message;
the API's exception handler renders them all in the one error shape."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status_code = 400
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields
        super().__init__(str(self.message))


class InvalidPhoneNumber(DomainError):
    code = "invalid_phone"
    default_message = _("Enter an Indonesian mobile number, e.g. 0812 3456 7890.")


class PhoneAlreadyRegistered(DomainError):
    code = "phone_taken"
    status_code = 409
    default_message = _("This phone number is already registered.")


class TooManyFailedLogins(DomainError):
    code = "too_many_failed_logins"
    status_code = 429
    default_message = _("Too many failed logins. Try again later.")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status_code = 401
    default_message = _("The phone number or password is wrong.")


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status_code = 409
    default_message = _("This action is not allowed in the item's current status.")


class ItemChanged(DomainError):
    code = "item_changed"
    status_code = 409
    default_message = _("Someone else changed this item at the same time. Reload and try again.")


class NotEditable(DomainError):
    code = "not_editable"
    status_code = 409
    default_message = _("Only proposals that are submitted or in review can be changed.")


class VotingClosed(DomainError):
    code = "voting_closed"
    status_code = 409
    default_message = _("Only published proposals can be voted on.")


class VoteBudgetExhausted(DomainError):
    code = "vote_budget_exhausted"
    status_code = 409
    default_message = _("You have used all your votes. Withdraw one to support another proposal.")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = 422
    default_message = _("This Idempotency-Key was already used with a different request.")


class InvalidImage(DomainError):
    """Raised by the image pipeline; `code` is set per failure (image_too_large, image_corrupt, ...)."""

    code = "invalid_image"
    default_message = _("The file is not an image we can accept.")

    def __init__(self, code: str | None = None, message=None):
        if code:
            self.code = code
        super().__init__(message)


class PhotoLimitReached(DomainError):
    code = "photo_limit_reached"
    status_code = 409
    default_message = _("A proposal can have at most 5 photos.")
