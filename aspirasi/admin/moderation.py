"""Admin for proposals, reports, flags, OPD and the audit trail, scoped by the moderator's areas."""
