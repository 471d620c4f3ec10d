"""Public reference data: areas and categories. Cacheable; ETags come from ConditionalGetMiddleware."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aspirasi.models import Category, Kecamatan, Kelurahan, TargetGroup
from aspirasi.selectors.reference import areas_list, categories_list, target_groups_list

_cacheable = method_decorator(cache_control(public=True, max_age=3600), name="get")


class KelurahanOutput(serializers.ModelSerializer):
    class Meta:
        model = Kelurahan
        fields = ["id", "slug", "name"]


class KecamatanOutput(serializers.ModelSerializer):
    kelurahan = KelurahanOutput(source="kelurahan_set", many=True, read_only=True)

    class Meta:
        model = Kecamatan
        fields = ["id", "code", "slug", "name", "kelurahan"]


class CategoryOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the request's language")

    class Meta:
        model = Category
        fields = ["id", "slug", "name", "name_id", "name_en", "description_id", "description_en"]


class TargetGroupOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the request's language")

    class Meta:
        model = TargetGroup
        fields = ["id", "slug", "name", "name_id", "name_en"]


class _PublicReadView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []


@_cacheable
class AreasView(_PublicReadView):
    @extend_schema(tags=["reference"], responses={200: KecamatanOutput(many=True)})
    def get(self, request):
        return Response(KecamatanOutput(areas_list(), many=True).data)


@_cacheable
class CategoriesView(_PublicReadView):
    @extend_schema(tags=["reference"], responses={200: CategoryOutput(many=True)})
    def get(self, request):
        return Response(CategoryOutput(categories_list(), many=True).data)


@_cacheable
class TargetGroupsView(_PublicReadView):
    @extend_schema(tags=["reference"], responses={200: TargetGroupOutput(many=True)})
    def get(self, request):
        return Response(TargetGroupOutput(target_groups_list(), many=True).data)
