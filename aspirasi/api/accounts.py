"""Sign-up, tokens and the caller's own profile."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView as _TokenRefreshView

from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.models import Kelurahan, Language, User
from aspirasi.services.accounts import tokens_for, user_login, user_register, user_update_profile


class KelurahanRefOutput(serializers.ModelSerializer):
    kecamatan = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Kelurahan
        fields = ["id", "slug", "name", "kecamatan"]


class MeOutput(serializers.ModelSerializer):
    kelurahan = KelurahanRefOutput(read_only=True)
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


class RegisterInput(serializers.Serializer):
    phone = serializers.CharField(max_length=32, help_text="0812..., 62812... or +62812...")
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=80)
    kelurahan = serializers.PrimaryKeyRelatedField(queryset=Kelurahan.objects.all())
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Language.choices, default=Language.INDONESIAN)


class AuthOutput(serializers.Serializer):
    user = MeOutput()
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginInput(serializers.Serializer):
    phone = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class MeUpdateInput(serializers.Serializer):
    display_name = serializers.CharField(max_length=80, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    kelurahan = serializers.PrimaryKeyRelatedField(queryset=Kelurahan.objects.all(), required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


def _password_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        {"password": [serializers.ErrorDetail(m.message % (m.params or {}), code=m.code) for m in exc.error_list]}
    )


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(tags=["auth"], request=RegisterInput, responses={201: AuthOutput})
    def post(self, request):
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = user_register(**data.validated_data)
        except DjangoValidationError as exc:
            raise _password_errors(exc) from None
        return Response({"user": MeOutput(user).data, **tokens_for(user)}, status=status.HTTP_201_CREATED)


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(tags=["auth"], request=LoginInput, responses={200: TokenPairOutput})
    def post(self, request):
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_login(request=request, **data.validated_data)
        return Response(tokens_for(user))


class TokenRefreshView(_TokenRefreshView):
    authentication_classes = []

    @extend_schema(
        tags=["auth"],
        request=inline_serializer("TokenRefreshInput", {"refresh": serializers.CharField()}),
        responses={200: inline_serializer("TokenRefreshOutput", {"access": serializers.CharField()})},
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
