"""Who may do what, written once. DRF permissions, admin querysets and WebSocket consumers all ask here."""

from django.db.models import Q

from aspirasi.models import Role


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def is_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.MODERATOR)


def is_planner(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.PLANNER)


def is_resident(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.RESIDENT)


def can_read_all_areas(user) -> bool:
    """Admins and planners read every area; planners never moderate."""
    return is_admin(user) or is_planner(user)


def moderated_kelurahan_ids(user) -> set[int]:
    """Kelurahan a moderator covers: those assigned directly and those of assigned kecamatan."""
    from aspirasi.models import Kelurahan

    if not is_moderator(user):
        return set()
    return set(
        Kelurahan.objects.filter(Q(moderators=user) | Q(kecamatan__moderators=user)).values_list("id", flat=True)
    )


def can_moderate(user, kelurahan_id: int) -> bool:
    return is_admin(user) or kelurahan_id in moderated_kelurahan_ids(user)


def can_see_authors(user) -> bool:
    """Moderators, planners and admins see who wrote a submission, even an anonymous one."""
    return is_admin(user) or is_moderator(user) or is_planner(user)
