"""DRF permission classes: each is one predicate of aspirasi.policies, so the API reads like the policy."""

from rest_framework.permissions import BasePermission

from aspirasi import policies


class CanPlan(BasePermission):
    """Planners and admins: priorities, carrying, programs."""

    def has_permission(self, request, view) -> bool:
        return policies.can_plan(request.user)


class CanReadModeration(BasePermission):
    """Moderators, admins and (read-only) planners: the moderation queue."""

    def has_permission(self, request, view) -> bool:
        return policies.can_read_moderation(request.user)


class CanModerate(BasePermission):
    """Moderators and admins: decisions (the area is checked per item)."""

    def has_permission(self, request, view) -> bool:
        return policies.can_act_as_moderator(request.user)
