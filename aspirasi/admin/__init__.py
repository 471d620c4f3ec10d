"""The web admin, the moderators' and planners' home: one module per area of the domain.

Querysets and actions are scoped by aspirasi.policies and call the same services as the API.
"""

from aspirasi.admin import accounts, comments, moderation, planning, workload  # noqa: F401 - registers the ModelAdmins
