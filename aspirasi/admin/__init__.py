"""The web admin, the moderators' and planners' home: one module per area of the domain.

Querysets and actions are scoped by aspirasi.policies and call the same services as the API.
"""

from aspirasi.admin import (  # noqa: F401 - registers the ModelAdmins
    accounts,
    comments,
    moderation,
    opd_calendar,
    opd_inbox,
    opd_sla,
    planning,
    shortlist,
    workload,
)
