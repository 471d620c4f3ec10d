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

    @classmethod
    def on_field(cls, field: str) -> "DomainError":
        """The error naming `field`, in the one error shape's `fields` ({field: [{code, message}]})."""
        return cls(fields={field: [{"code": cls.code, "message": str(cls.default_message)}]})


class InvalidPhoneNumber(DomainError):
    code = "invalid_phone"
    default_message = _("Enter an Indonesian mobile number, e.g. 0812 3456 7890.")


class TooManyFailedLogins(DomainError):
    code = "too_many_failed_logins"
    status_code = 429
    default_message = _("Too many failed logins. Try again later.")

    def __init__(self, message=None, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds, sent as Retry-After


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status_code = 401
    default_message = _("The phone number or password is wrong.")


class PhoneNotVerified(DomainError):
    """The account's phone has not answered a one-time code yet: it may not log in, vote, flag or submit."""

    code = "phone_not_verified"
    status_code = 403
    default_message = _("Verify your phone number first: enter the code we sent to it.")


# --- one-time codes (services/verification.py): each way a code fails has its own code ------------------


class CodeInvalid(DomainError):
    """Also the answer for a number with no account or no code: nothing tells the two apart."""

    code = "code_invalid"
    default_message = _("The code is wrong. Check the text message and try again.")


class CodeExpired(DomainError):
    code = "code_expired"
    default_message = _("The code has expired. Ask for a new one.")


class CodeUsed(DomainError):
    code = "code_used"
    default_message = _("This code has already been used. Ask for a new one.")


class CodeTooManyAttempts(DomainError):
    code = "code_too_many_attempts"
    status_code = 429
    default_message = _("Too many wrong codes. Ask for a new one.")


class RetryLater(DomainError):
    """A limit's refusal that knows when it lifts: the answer carries Retry-After."""

    status_code = 429

    def __init__(self, message=None, *, retry_after: int | None = None):
        self.retry_after = retry_after
        super().__init__(message)


class CodeCooldown(RetryLater):
    """A text went to this number moments ago (PHONE_CODE_RESEND_SECONDS)."""

    code = "code_cooldown"
    default_message = _("A code was just sent. Wait a moment before asking for another one.")


class CodeLimitReached(RetryLater):
    """This number has had its texts for the hour or the day (PHONE_CODES_PER_HOUR, PHONE_CODES_PER_DAY)."""

    code = "code_limit_reached"
    default_message = _("Too many codes were sent to this number. Try again later.")


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


class ProposalNotFound(DomainError):
    """The proposal does not exist, or the caller may not see it (the same answer, so nothing leaks)."""

    code = "not_found"
    status_code = 404
    default_message = _("Not found.")


class NotAResident(DomainError):
    """Staff accounts do not vote. The vote checks it under the voter's lock (services/votes.py), so a role
    changed after the token was issued counts."""

    code = "permission_denied"
    status_code = 403
    default_message = _("You do not have permission to do this.")


class CallerNotFound(DomainError):
    """A valid token whose user is gone, found by a service that reads the caller itself: the same answer
    as the token's authentication gives (api/authentication.py)."""

    code = "user_not_found"
    status_code = 401
    default_message = _("User not found")
    auth_header = 'Bearer realm="api"'  # as simplejwt's authentication challenges


class CallerInactive(CallerNotFound):
    code = "user_inactive"
    default_message = _("User is inactive")


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


class AlreadyClaimed(DomainError):
    code = "already_claimed"
    status_code = 409
    default_message = _("Another moderator is handling this item.")


class AlreadyFlagged(DomainError):
    code = "already_flagged"
    status_code = 409
    default_message = _("You have already flagged this item.")


class NotFlaggable(DomainError):
    code = "not_flaggable"
    status_code = 409
    default_message = _("Only published items can be flagged.")


class InvalidMergeTarget(DomainError):
    code = "invalid_merge_target"
    status_code = 409
    default_message = _("A proposal can only be merged into another public, unmerged proposal in your areas.")


class InvalidLinkTarget(DomainError):
    code = "invalid_link_target"
    status_code = 409
    default_message = _("A report can only be linked to a public proposal in your areas.")


class OutsideModeratedArea(DomainError):
    code = "outside_moderated_area"
    status_code = 403
    default_message = _("You do not moderate this area.")


class InvalidPoint(DomainError):
    """A relocation's point: both coordinates or neither, inside Balikpapan (aspirasi.geo)."""

    code = "invalid_point"
    status_code = 400
    default_message = _("Give both latitude and longitude of a point inside Balikpapan, or neither.")


# --- planning: cycle phases, staged Musrenbang, programs ---------------------------------------------


class SubmissionClosed(DomainError):
    code = "submission_closed"
    status_code = 409
    default_message = _("The submission phase of the current Musrenbang cycle is closed.")


class EditingClosed(DomainError):
    code = "editing_closed"
    status_code = 409
    default_message = _("Proposals can no longer be changed in the current Musrenbang phase.")


class VotingClosedPhase(DomainError):
    code = "voting_closed_phase"
    status_code = 409
    default_message = _("Votes can only be cast during the voting phase of the Musrenbang cycle.")


class NotCarriable(DomainError):
    code = "not_carriable"
    status_code = 409
    default_message = _("Only published or accepted proposals that were not merged can be carried to the next level.")


class NotCarriedToKecamatan(DomainError):
    code = "not_carried_to_kecamatan"
    status_code = 409
    default_message = _("Carry the proposal to the kecamatan level before carrying it to the city level.")


class CarriedFurther(DomainError):
    code = "carried_further"
    status_code = 409
    default_message = _("Undo carrying this proposal to the city level first.")


class NotLinkable(DomainError):
    code = "not_linkable"
    status_code = 409
    default_message = _("Only published or accepted proposals can be linked to a program.")


class PhotoNotAllowed(DomainError):
    code = "photo_not_allowed"
    status_code = 403
    default_message = _("Only the proposal's author or a moderator of its area can add photos.")


class KelurahanRequired(DomainError):
    code = "kelurahan_required"
    default_message = _("Choose the kelurahan of the report, or give its location.")


# --- issue 21: who takes part (flags, vote scope) ------------------------------------------------------


class AccountTooNewToFlag(DomainError):
    """Flags from accounts younger than FLAG_MIN_ACCOUNT_AGE_HOURS are refused: a batch of fresh accounts
    must not be able to send an item to review."""

    code = "account_too_new_to_flag"
    status_code = 403
    default_message = _("Your account is too new to flag items. Try again later.")


class VoteOutOfScope(DomainError):
    """The current cycle's vote scope (Cycle.vote_scope) counts only residents of the proposal's area. A 403:
    it is about who the voter is (where they live), not the proposal's state, so trying again never helps."""

    code = "vote_out_of_scope"
    status_code = 403
    default_message = _("In this Musrenbang cycle only residents of the proposal's area can support it.")


# --- the resident's own account: password, erasure (issue 21) ---------------------------------------


class WrongPassword(DomainError):
    """The account's current password, asked again before a password change or an erasure, was not it."""

    code = "wrong_password"
    default_message = _("The password is wrong.")


class StaffErasureRefused(DomainError):
    """Staff accounts answer for decisions (moderation, planning): an administrator removes them."""

    code = "staff_erasure_refused"
    status_code = 403
    default_message = _("Staff accounts cannot delete themselves; ask an administrator.")


# --- issue 24: pagu, the funded shortlist, budget ballots, forums ------------------------------------


class PaguExists(DomainError):
    code = "pagu_exists"
    status_code = 409
    default_message = _("This area already has a pagu in this cycle; change that one instead.")


class PaguMissing(DomainError):
    code = "pagu_missing"
    status_code = 409
    default_message = _("No pagu is set for this area in this cycle yet.")


class AreaMismatch(DomainError):
    """The area does not exist at the level (a kecamatan id given for a kelurahan, an area for the city)."""

    code = "area_mismatch"
    default_message = _(
        "Give a kelurahan for the kelurahan level, a kecamatan for the kecamatan level, none for the city."
    )


class NotShortlistable(DomainError):
    code = "not_shortlistable"
    status_code = 409
    default_message = _("Only proposals ranked at this level of the cycle can be pinned or excluded.")


class BallotNotOffered(DomainError):
    code = "ballot_not_offered"
    status_code = 409
    default_message = _("This Musrenbang cycle has no budget ballot.")


class BallotOverPagu(DomainError):
    code = "ballot_over_pagu"
    status_code = 409
    default_message = _("The proposals you chose cost more than your kelurahan's pagu.")


class BallotProposalInvalid(DomainError):
    """A chosen proposal is not on the voter's ballot: not published in this cycle in their kelurahan, or it
    has no cost estimate to count against the pagu."""

    code = "ballot_proposal_invalid"
    default_message = _("Choose only published proposals of your kelurahan in this cycle that have a cost estimate.")


class NoKelurahan(DomainError):
    code = "ballot_kelurahan_required"
    status_code = 409
    default_message = _("Set your kelurahan in your profile first: the ballot is for your kelurahan.")


class ForumExists(DomainError):
    code = "forum_exists"
    status_code = 409
    default_message = _("This area's forum of this cycle is already recorded.")


class ForumMismatch(DomainError):
    code = "forum_mismatch"
    status_code = 409
    default_message = _("Name the forum of the proposal's area at the level below, in the proposal's cycle.")


class InvalidMinutes(DomainError):
    code = "invalid_minutes"
    default_message = _("The minutes must be a PDF file of at most 10 MB.")


class ResultsNotPublic(DomainError):
    code = "results_not_public"
    status_code = 403
    default_message = _("The results of this level become public when the cycle's phase closes.")


# --- the OPD loop: dispositions, follow-ups, the reporter's confirmation ----------------------------


class NotYourOpd(DomainError):
    code = "not_your_opd"
    status_code = 403
    default_message = _("This item was not forwarded to your OPD.")


class NotDisposable(DomainError):
    code = "not_disposable"
    status_code = 409
    default_message = _("Only a verified report or an accepted proposal without an open disposition can be forwarded.")


class FollowUpNotAllowed(DomainError):
    code = "follow_up_not_allowed"
    status_code = 409
    default_message = _("This follow-up step does not apply to the disposition's current state.")


class ProofPhotoRequired(DomainError):
    code = "proof_photo_required"
    default_message = _("Marking an item done needs a note and a proof photo.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Say why this item is not your OPD's.")


class NotAwaitingConfirmation(DomainError):
    code = "not_awaiting_confirmation"
    status_code = 409
    default_message = _("This report is not waiting for your confirmation.")


class NotTheReporter(DomainError):
    code = "not_the_reporter"
    status_code = 403
    default_message = _("Only the reporter can confirm or reopen this report.")


# --- discussion (issue 25, services/comments.py) ----------------------------------------------------------


class CommentNotAllowed(DomainError):
    """Who comments: verified residents, moderators, OPD officers, planners and admins."""

    code = "comment_not_allowed"
    status_code = 403
    default_message = _("Only verified residents and city staff can comment.")


class InvalidCommentParent(DomainError):
    code = "invalid_parent"
    default_message = _("Reply to a visible comment of the same thread that is not itself a reply.")


class CommentNotEditable(DomainError):
    code = "comment_not_editable"
    status_code = 409
    default_message = _("This comment can no longer be changed.")


class CommentEditWindowClosed(DomainError):
    code = "edit_window_closed"
    status_code = 409
    default_message = _("A comment can only be changed or deleted shortly after it was written.")


class NotCommentAuthor(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("Only the author can change or delete a comment.")
