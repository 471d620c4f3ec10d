"""Reads of photo reports: the public list, one's own, and who may see a single report."""

from django.db.models import Q, QuerySet

from aspirasi.models import Report
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from aspirasi.policies import moderation_read_scope


def _with_relations(queryset: QuerySet[Report]) -> QuerySet[Report]:
    """Everything ReportOutput renders, in the same single query."""
    return queryset.select_related("category", "kelurahan__kecamatan", "opd")


def _public_q() -> Q:
    return Q(status__in=PUBLIC_REPORT_STATUSES, is_hidden=False)


def reports_public() -> QuerySet[Report]:
    """Reports anyone may see: verified, linked or resolved, and not hidden by a moderator; newest first."""
    return _with_relations(Report.objects.filter(_public_q())).order_by("-created_at", "-id")


def reports_of_author(*, author) -> QuerySet[Report]:
    """The author's own reports in every status, newest first."""
    return _with_relations(Report.objects.filter(author=author)).order_by("-created_at", "-id")


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports `user` may open: public ones, their own in every status, and those of the areas they
    moderate (every area for admins and planners, as in aspirasi.policies)."""
    if user is None or not user.is_authenticated:
        return _with_relations(Report.objects.filter(_public_q()))
    scope = moderation_read_scope(user)
    if not scope:  # an empty Q means every area; OR-ing it would silently drop it
        return _with_relations(Report.objects.all())
    return _with_relations(Report.objects.filter(_public_q() | Q(author=user) | scope))
