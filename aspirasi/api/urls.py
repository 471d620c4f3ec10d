"""/api/v1/ routes. Each area keeps its block; URLs are nouns, actions are sub-resources."""

from django.urls import path

from aspirasi.api import accounts, reference
from aspirasi.api import flags as flags_api
from aspirasi.api import moderation as moderation_api
from aspirasi.api import photos as photos_api
from aspirasi.api import planning as planning_api
from aspirasi.api import proposals as proposals_api
from aspirasi.api import reports as reports_api
from aspirasi.api import votes as votes_api
from notifications import api as notifications_api

urlpatterns = [
    # --- accounts and reference data (foundation)
    path("auth/register/", accounts.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", accounts.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", accounts.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("areas/", reference.AreasView.as_view(), name="areas"),
    path("categories/", reference.CategoriesView.as_view(), name="categories"),
    path("target-groups/", reference.TargetGroupsView.as_view(), name="target-groups"),
    # --- proposals and votes
    path("proposals/", proposals_api.ProposalsView.as_view(), name="proposals"),
    path("proposals/similar/", proposals_api.ProposalSimilarView.as_view(), name="proposals-similar"),
    path("proposals/<int:pk>/", proposals_api.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/vote/", votes_api.ProposalVoteView.as_view(), name="proposal-vote"),
    path("me/proposals/", proposals_api.MyProposalsView.as_view(), name="me-proposals"),
    # --- photo reports and proposal photos
    path("reports/", reports_api.ReportsView.as_view(), name="reports"),
    path("reports/<int:report_id>/", reports_api.ReportDetailView.as_view(), name="report-detail"),
    path("me/reports/", reports_api.MyReportsView.as_view(), name="my-reports"),
    path("proposals/<int:proposal_id>/photos/", photos_api.ProposalPhotosView.as_view(), name="proposal-photos"),
    # --- moderation and flags
    path("moderation/queue/", moderation_api.ModerationQueueView.as_view(), name="moderation-queue"),
    path(
        "moderation/proposals/<int:proposal_id>/decision/",
        moderation_api.ProposalDecisionView.as_view(),
        name="moderation-proposal-decision",
    ),
    path(
        "moderation/reports/<int:report_id>/decision/",
        moderation_api.ReportDecisionView.as_view(),
        name="moderation-report-decision",
    ),
    path("moderation/decisions/bulk/", moderation_api.BulkDecisionView.as_view(), name="moderation-bulk"),
    path("proposals/<int:proposal_id>/flags/", flags_api.ProposalFlagsView.as_view(), name="proposal-flags"),
    path("reports/<int:report_id>/flags/", flags_api.ReportFlagsView.as_view(), name="report-flags"),
    # --- planning, programs
    path("planning/cycles/", planning_api.CyclesView.as_view(), name="planning-cycles"),
    path("planning/priorities/", planning_api.PrioritiesView.as_view(), name="planning-priorities"),
    path("planning/priorities/carry/", planning_api.CarryView.as_view(), name="planning-carry"),
    path(
        "planning/programs/<int:program_id>/proposals/",
        planning_api.ProgramProposalsView.as_view(),
        name="planning-program-proposals",
    ),
    path("programs/", planning_api.ProgramsView.as_view(), name="programs"),
    path("programs/<int:program_id>/", planning_api.ProgramDetailView.as_view(), name="program-detail"),
    # --- notifications and devices
    path("notifications/", notifications_api.NotificationsView.as_view(), name="notifications"),
    path("notifications/unread-count/", notifications_api.UnreadCountView.as_view(), name="notifications-unread-count"),
    path(
        "notifications/read-all/", notifications_api.NotificationsReadAllView.as_view(), name="notifications-read-all"
    ),
    path("notifications/<int:pk>/read/", notifications_api.NotificationReadView.as_view(), name="notification-read"),
    path(
        "me/notification-settings/",
        notifications_api.NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
    path("devices/", notifications_api.DevicesView.as_view(), name="devices"),
    path("devices/<int:pk>/", notifications_api.DeviceView.as_view(), name="device"),
]
