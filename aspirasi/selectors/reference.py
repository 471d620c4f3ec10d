from django.db.models import Prefetch, QuerySet

from aspirasi.models import Category, Kecamatan, Kelurahan, TargetGroup


def areas_list() -> QuerySet[Kecamatan]:
    """Every kecamatan with its kelurahan, in two queries."""
    return Kecamatan.objects.prefetch_related(
        Prefetch("kelurahan_set", queryset=Kelurahan.objects.order_by("name"))
    ).order_by("code")


def categories_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("order", "slug")


def target_groups_list() -> QuerySet[TargetGroup]:
    return TargetGroup.objects.order_by("order", "slug")
