"""Reads of the OPD loop: routing suggestions, the OPD inbox, public follow-up timelines (docs/sla.md)."""

from django.db.models import Q, QuerySet

from aspirasi import policies
from aspirasi.models import Disposition, Opd, RoutingRule, User


def routing_suggest(*, category_id: int, kecamatan_id: int | None) -> Opd | None:
    """The OPD the rules suggest: the kecamatan's override for the category, else the category's default."""
    rules = (
        RoutingRule.objects.filter(category_id=category_id, opd__is_active=True)
        .filter(Q(kecamatan_id=kecamatan_id) | Q(kecamatan__isnull=True))
        .select_related("opd")
    )
    best = None
    for rule in rules:
        if rule.kecamatan_id is not None:
            return rule.opd
        best = rule.opd
    return best


def opd_inbox(*, user: User, open_only: bool = True) -> QuerySet[Disposition]:
    """Dispositions of `user`'s OPD, the nearest deadline first, with what the inbox shows in one query."""
    queryset = (
        Disposition.objects.filter(policies.opd_inbox_scope(user))
        .select_related("opd", "report__category", "report__kelurahan", "proposal__kelurahan")
        .order_by("due_at", "id")
    )
    if open_only:
        queryset = queryset.filter(state__in=["forwarded", "accepted", "in_progress"])
    return queryset


def area_moderators(*, kelurahan) -> QuerySet[User]:
    """The moderators of a kelurahan (directly or through its kecamatan) and the admins' no one: staff only."""
    return (
        User.objects.filter(role="moderator", is_active=True)
        .filter(Q(moderated_kelurahan=kelurahan) | Q(moderated_kecamatan=kelurahan.kecamatan_id))
        .distinct()
    )


def opd_heads(*, opd_id: int) -> QuerySet[User]:
    return User.objects.filter(role="opd", opd_id=opd_id, is_opd_head=True, is_active=True)
