"""/api/v1/ routes. Each area keeps its block; URLs are nouns, actions are sub-resources."""

from django.urls import path

from aspirasi.api import accounts, me, reference
from aspirasi.api import ballots as ballots_api
from aspirasi.api import budgets as budgets_api
from aspirasi.api import comments as comments_api
from aspirasi.api import flags as flags_api
from aspirasi.api import forums as forums_api
from aspirasi.api import moderation as moderation_api
from aspirasi.api import opd as opd_api
from aspirasi.api import photos as photos_api
from aspirasi.api import planning as planning_api
from aspirasi.api import proposals as proposals_api
from aspirasi.api import reports as reports_api
from aspirasi.api import results as results_api
from aspirasi.api import votes as votes_api

# Every id in a path goes through this converter: past MAX_ID it is a 404, on every route.

urlpatterns = [
    # --- accounts and reference data (foundation)
    path("auth/register/", accounts.RegisterView.as_view(), name="auth-register"),
    path("auth/verify/", accounts.VerifyView.as_view(), name="auth-verify"),
    path("auth/code/resend/", accounts.CodeResendView.as_view(), name="auth-code-resend"),
    path("auth/password/reset/", accounts.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        accounts.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/token/", accounts.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", accounts.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", me.LogoutView.as_view(), name="auth-logout"),
    path("auth/password/change/", me.PasswordChangeView.as_view(), name="auth-password-change"),
    # accounts.MeView's GET and PATCH, with the erasure (DELETE) of me.py
    path("me/", me.MeView.as_view(), name="me"),
    path("areas/", reference.AreasView.as_view(), name="areas"),
    path("categories/", reference.CategoriesView.as_view(), name="categories"),
    path("target-groups/", reference.TargetGroupsView.as_view(), name="target-groups"),
    # --- proposals and votes
    path("proposals/", proposals_api.ProposalsView.as_view(), name="proposals"),
    path("proposals/similar/", proposals_api.ProposalSimilarView.as_view(), name="proposals-similar"),
    path("proposals/<id:pk>/", proposals_api.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<id:pk>/vote/", votes_api.ProposalVoteView.as_view(), name="proposal-vote"),
    path("me/proposals/", proposals_api.MyProposalsView.as_view(), name="me-proposals"),
    # --- photo reports and proposal photos
    path("reports/", reports_api.ReportsView.as_view(), name="reports"),
    path("reports/<id:report_id>/", reports_api.ReportDetailView.as_view(), name="report-detail"),
    path("me/reports/", reports_api.MyReportsView.as_view(), name="my-reports"),
    path("reports/<id:report_id>/confirmation/", opd_api.ConfirmationView.as_view(), name="report-confirmation"),
    path(
        "reports/<id:report_id>/confirmation/photo/",
        opd_api.ConfirmationPhotoView.as_view(),
        name="report-confirmation-photo",
    ),
    path("opd/inbox/", opd_api.OpdInboxView.as_view(), name="opd-inbox"),
    path("opd/dispositions/<id:disposition_id>/follow-up/", opd_api.FollowUpView.as_view(), name="opd-follow-up"),
    path("proposals/<id:proposal_id>/photos/", photos_api.ProposalPhotosView.as_view(), name="proposal-photos"),
    # --- moderation and flags
    path("moderation/queue/", moderation_api.ModerationQueueView.as_view(), name="moderation-queue"),
    path(
        "moderation/proposals/<id:proposal_id>/decision/",
        moderation_api.ProposalDecisionView.as_view(),
        name="moderation-proposal-decision",
    ),
    path(
        "moderation/reports/<id:report_id>/decision/",
        moderation_api.ReportDecisionView.as_view(),
        name="moderation-report-decision",
    ),
    path(
        "moderation/reports/<id:report_id>/resolution/",
        moderation_api.ReportResolutionView.as_view(),
        name="moderation-report-resolution",
    ),
    path("moderation/decisions/bulk/", moderation_api.BulkDecisionView.as_view(), name="moderation-bulk"),
    path("proposals/<id:proposal_id>/flags/", flags_api.ProposalFlagsView.as_view(), name="proposal-flags"),
    path("reports/<id:report_id>/flags/", flags_api.ReportFlagsView.as_view(), name="report-flags"),
    # --- discussion (issue 25)
    path(
        "proposals/<id:proposal_id>/comments/",
        comments_api.ProposalCommentsView.as_view(),
        name="proposal-comments",
    ),
    path("reports/<id:report_id>/comments/", comments_api.ReportCommentsView.as_view(), name="report-comments"),
    path("comments/<id:comment_id>/", comments_api.CommentDetailView.as_view(), name="comment-detail"),
    path("comments/<id:comment_id>/flags/", comments_api.CommentFlagsView.as_view(), name="comment-flags"),
    path("proposals/<id:proposal_id>/follow/", comments_api.ProposalFollowView.as_view(), name="proposal-follow"),
    path(
        "moderation/comments/<id:comment_id>/decision/",
        comments_api.CommentDecisionView.as_view(),
        name="moderation-comment-decision",
    ),
    # --- planning, programs
    path("planning/cycles/", planning_api.CyclesView.as_view(), name="planning-cycles"),
    path("planning/priorities/", planning_api.PrioritiesView.as_view(), name="planning-priorities"),
    path("planning/priorities/carry/", planning_api.CarryView.as_view(), name="planning-carry"),
    path(
        "planning/programs/<id:program_id>/proposals/",
        planning_api.ProgramProposalsView.as_view(),
        name="planning-program-proposals",
    ),
    path("planning/budgets/", budgets_api.BudgetsView.as_view(), name="planning-budgets"),
    path("planning/budgets/<id:budget_id>/", budgets_api.BudgetDetailView.as_view(), name="planning-budget"),
    path("planning/shortlist/", budgets_api.ShortlistView.as_view(), name="planning-shortlist"),
    path(
        "planning/shortlist/decisions/",
        budgets_api.ShortlistDecisionsView.as_view(),
        name="planning-shortlist-decisions",
    ),
    path("planning/ballots/<id:cycle_id>/", ballots_api.BallotView.as_view(), name="planning-ballot"),
    path("planning/forums/", forums_api.ForumsView.as_view(), name="planning-forums"),
    path(
        "planning/forums/<id:forum_id>/paper-support/",
        forums_api.PaperSupportView.as_view(),
        name="planning-forum-paper-support",
    ),
    path("planning/exports/td4/", budgets_api.Td4ExportView.as_view(), name="planning-td4-export"),
    path("planning/results/", results_api.ResultsView.as_view(), name="planning-results"),
    path("programs/", planning_api.ProgramsView.as_view(), name="programs"),
    path("programs/<id:program_id>/", planning_api.ProgramDetailView.as_view(), name="program-detail"),
]
