"""What happened in the domain, sent by the services inside their transaction, for other apps to react to.

The domain knows no one who listens: notifications (notifications/receivers.py) creates residents'
notifications from these, in the same transaction, so a rolled-back write notifies no one. Live WebSocket
events are another matter: services publish those themselves (realtime.events, after commit).
"""

from django.dispatch import Signal

# proposal, from_status, to_status, message
proposal_status_changed = Signal()
# report, from_status, to_status, message
report_status_changed = Signal()
# program, note: a program's progress or status changed (its linked proposals show it)
program_progressed = Signal()
# proposal_id, author_id, title, vote_count: a vote was counted (vote_count is the count right after it)
vote_counted = Signal()
# user: the account is about to be erased (services/account_data.account_erase), in its transaction; what
# other apps hold of the person goes now, so that a failure leaves the account whole
user_erasing = Signal()
# event (FollowUpEvent), disposition: a step of the OPD loop (aspirasi/services/dispositions.py)
follow_up_stepped = Signal()
# escalation, item: an overdue stage escalated once (the SLA tick)
sla_escalated = Signal()
# comment, item (its proposal or report): a comment was added to a thread (services/comments.comment_create)
comment_posted = Signal()
# comment, reason: a moderator hid a comment; its author hears why (services/moderation.comment_hide)
comment_hidden = Signal()
# comment, message: a moderator restored a hidden comment; its author hears it (services/moderation.comment_restore)
comment_restored = Signal()
