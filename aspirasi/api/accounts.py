"""Sign-up with a texted code, tokens, password reset and the caller's own profile."""

import re

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenRefreshView as _TokenRefreshView

from aspirasi.api.fields import IdRelatedField, StrictCharField, StrictRegexField
from aspirasi.api.schema import domain_errors, error
from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.errors import (
    CodeCooldown,
    CodeExpired,
    CodeInvalid,
    CodeLimitReached,
    CodeTooManyAttempts,
    CodeUsed,
    InvalidCredentials,
    InvalidPhoneNumber,
    PhoneNotVerified,
    TooManyFailedLogins,
)
from aspirasi.models import CodePurpose, Kelurahan, Language, User
from aspirasi.services.accounts import (
    code_resend,
    password_reset_request,
    phone_verify,
    tokens_for,
    user_login,
    user_register,
    user_update_profile,
)
from aspirasi.services.credentials import password_reset_confirm
from aspirasi.services.verification import CODE_DIGITS


class KelurahanRefOutput(serializers.ModelSerializer):
    kecamatan = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Kelurahan
        fields = ["id", "slug", "name", "kecamatan"]


class MeOutput(serializers.ModelSerializer):
    kelurahan = KelurahanRefOutput(read_only=True, allow_null=True, help_text="null for staff without one")
    moderated_kecamatan = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    moderated_kelurahan = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "display_name",
            "email",
            "kelurahan",
            "language",
            "role",
            "moderated_kecamatan",
            "moderated_kelurahan",
            "date_joined",
        ]


# Exactly the numbers phone_normalize accepts (an Indonesian mobile number: 8[1-35-9] and 7 to 10 more
# digits, libphonenumber's pattern), in the three ways residents write it, with spaces or dashes between
# digits; stated in the schema so that a client can check it before sending.
PHONE_PATTERN = r"^(\+62 ?|62 ?|0)8[1-35-9]([ -]?[0-9]){7,10}$"


PHONE_MAX_LENGTH = 32


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": PHONE_MAX_LENGTH, "pattern": PHONE_PATTERN})
class PhoneField(StrictCharField):
    """A phone number as typed: its pattern is checked by RegisterInput.validate_phone, after the length."""


def password_min_length() -> int | None:
    """AUTH_PASSWORD_VALIDATORS' minimum length, for the schema to state (the others depend on the text)."""
    lengths = [v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)]
    return max(lengths, default=None)


def _new_password_field() -> StrictCharField:
    return StrictCharField(
        min_length=password_min_length(), max_length=128, write_only=True, style={"input_type": "password"}
    )


class _PhoneInput(serializers.Serializer):
    phone = PhoneField(max_length=PHONE_MAX_LENGTH, help_text="0812..., 62812... or +62812...")

    def validate_phone(self, value: str) -> str:
        # The service's own answer (`invalid_phone`, not a field error), for what the pattern refuses.
        if not re.fullmatch(PHONE_PATTERN, value):
            raise InvalidPhoneNumber()
        return value


class RegisterInput(_PhoneInput):
    # A field left out takes user_register's default; no `default=` here (see ProposalCreateInput).
    password = _new_password_field()
    display_name = StrictCharField(max_length=80)
    kelurahan = IdRelatedField(queryset=Kelurahan.objects.all())
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False, help_text="Default id")


@extend_schema_field(
    {"type": "string", "minLength": CODE_DIGITS, "maxLength": CODE_DIGITS, "pattern": f"^[0-9]{{{CODE_DIGITS}}}$"}
)
class CodeField(StrictRegexField):
    """The code from the text message: exactly six digits."""


def _code_field() -> CodeField:
    return CodeField(rf"^[0-9]{{{CODE_DIGITS}}}$", max_length=CODE_DIGITS, help_text="The 6 digits of the text")


class VerifyInput(_PhoneInput):
    code = _code_field()


class CodeResendInput(_PhoneInput):
    purpose = serializers.ChoiceField(
        choices=CodePurpose.choices,
        help_text="`register`: the sign-up (or login) code that verifies the phone; `reset`: a password reset code",
    )


class PasswordResetInput(_PhoneInput):
    pass


class PasswordResetConfirmInput(_PhoneInput):
    code = _code_field()
    new_password = _new_password_field()


class CodeSentOutput(serializers.Serializer):
    expires_in = serializers.IntegerField(help_text="Seconds a code sent now stays valid")
    resend_after = serializers.IntegerField(help_text="Seconds before another text may be asked for this number")


def _code_sent() -> Response:
    """The one answer to every request for a text, whether or not the number has an account."""
    body = {"expires_in": settings.PHONE_CODE_LIFETIME_SECONDS, "resend_after": settings.PHONE_CODE_RESEND_SECONDS}
    return Response(body, status=status.HTTP_202_ACCEPTED)


class AuthOutput(serializers.Serializer):
    user = MeOutput()
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginInput(serializers.Serializer):
    phone = StrictCharField(max_length=32)
    password = StrictCharField(max_length=128, style={"input_type": "password"})


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


# A refresh token is about 250 characters; the bound leaves room for more claims.
TOKEN_MAX_LENGTH = 1000


class TokenRefreshInput(TokenRefreshSerializer):
    refresh = StrictCharField(max_length=TOKEN_MAX_LENGTH)

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except (User.DoesNotExist, TypeError, ValueError) as exc:
            # simplejwt reads the token's user with get(): an erased account (or a signed token whose user
            # id is not a number) would be a 500, not the answer any other dead token gets.
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc


class MeUpdateInput(serializers.Serializer):
    display_name = StrictCharField(max_length=80, required=False)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    kelurahan = IdRelatedField(queryset=Kelurahan.objects.all(), required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


def password_errors(exc: DjangoValidationError, field: str = "password") -> serializers.ValidationError:
    return serializers.ValidationError(
        {field: [serializers.ErrorDetail(m.message % (m.params or {}), code=m.code) for m in exc.error_list]}
    )


def _codes(*errors) -> str:
    return ", ".join(f"`{e.code}`" for e in errors)


# The answers of asking for a text and of trying a code: each status names the domain's codes and the
# generic ones it shares (the input's checks, the client address's throttle).
_INVALID_INPUT = error(f"Invalid input: `validation_error`, `parse_error`, {_codes(InvalidPhoneNumber)}")
_TEXT_ERRORS = {
    400: _INVALID_INPUT,
    429: error(
        f"{_codes(CodeCooldown, CodeLimitReached)}: this number's texts, wait Retry-After seconds; "
        "`throttled`: this client address's requests"
    ),
}
_CODE_ERRORS = {
    400: error(
        f"{_codes(CodeInvalid, CodeExpired, CodeUsed)}, or invalid input: `validation_error`, `parse_error`, "
        f"{_codes(InvalidPhoneNumber)}"
    ),
    429: error(f"{_codes(CodeTooManyAttempts)}: ask for a new code; `throttled`: this client address's requests"),
}


class _AnonymousView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]


class RegisterView(_AnonymousView):
    throttle_scope = "register"

    @extend_schema(
        tags=["auth"],
        request=RegisterInput,
        responses={202: CodeSentOutput, **_TEXT_ERRORS},
        description="Starts a sign-up: the same answer whether or not the number has an account. A new number "
        "gets a code by text (then `auth/verify/`); an existing account is left alone and its owner is told.",
    )
    def post(self, request):
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user_register(**data.validated_data)
        except DjangoValidationError as exc:
            raise password_errors(exc) from None
        return _code_sent()


class VerifyView(_AnonymousView):
    throttle_scope = "code_check"

    @extend_schema(
        tags=["auth"],
        request=VerifyInput,
        responses={201: AuthOutput, **_CODE_ERRORS},
        description="Checks the sign-up code: the phone is verified and the account's tokens are returned.",
    )
    def post(self, request):
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = phone_verify(**data.validated_data)
        return Response({"user": MeOutput(user).data, **tokens_for(user)}, status=status.HTTP_201_CREATED)


class CodeResendView(_AnonymousView):
    throttle_scope = "code_send"

    @extend_schema(
        tags=["auth"],
        request=CodeResendInput,
        responses={202: CodeSentOutput, **_TEXT_ERRORS},
        description="Sends a new code (the last one stops working); the same answer for any number.",
    )
    def post(self, request):
        data = CodeResendInput(data=request.data)
        data.is_valid(raise_exception=True)
        code_resend(phone=data.validated_data["phone"], purpose=CodePurpose(data.validated_data["purpose"]))
        return _code_sent()


class PasswordResetView(_AnonymousView):
    throttle_scope = "code_send"

    @extend_schema(
        tags=["auth"],
        request=PasswordResetInput,
        responses={202: CodeSentOutput, **_TEXT_ERRORS},
        description="Texts a reset code to the number's account; the same answer for a number without one.",
    )
    def post(self, request):
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(**data.validated_data)
        return _code_sent()


class PasswordResetConfirmView(_AnonymousView):
    throttle_scope = "code_check"

    @extend_schema(
        tags=["auth"],
        request=PasswordResetConfirmInput,
        responses={200: AuthOutput, **_CODE_ERRORS},
        description="Checks the reset code and sets the new password (which also verifies the phone).",
    )
    def post(self, request):
        data = PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = password_reset_confirm(**data.validated_data)
        except DjangoValidationError as exc:
            raise password_errors(exc, "new_password") from None
        return Response({"user": MeOutput(user).data, **tokens_for(user)})


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    # Lockouts limit guesses; this bounds the requests (each failure, even during a lockout, writes a row).
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        tags=["auth"],
        request=LoginInput,
        responses={
            200: TokenPairOutput,
            **domain_errors(InvalidCredentials, TooManyFailedLogins, PhoneNotVerified),
        },
        description="`phone_not_verified` (403): the right password for a resident whose phone is not verified "
        "yet; a code has been texted (unless one was moments ago): continue with `auth/verify/`.",
    )
    def post(self, request):
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_login(request=request, **data.validated_data)
        return Response(tokens_for(user))


class TokenRefreshView(_TokenRefreshView):
    authentication_classes = []
    serializer_class = TokenRefreshInput

    @extend_schema(
        tags=["auth"],
        request=TokenRefreshInput,
        responses={
            200: inline_serializer(
                "TokenRefreshOutput",
                {
                    "access": serializers.CharField(),
                    "refresh": serializers.CharField(help_text="Its successor: the one sent is revoked now"),
                },
            ),
            401: error("`token_not_valid`: the refresh token is invalid, expired, revoked or rotated away"),
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["me"], responses={200: MeOutput})
    def get(self, request):
        return Response(MeOutput(request.user).data)

    @extend_schema(tags=["me"], request=MeUpdateInput, responses={200: MeOutput})
    def patch(self, request):
        data = MeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **data.validated_data)
        return Response(MeOutput(user).data)
