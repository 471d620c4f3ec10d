"""Background tasks of the domain (django-tasks, run by `manage.py db_worker`). Each wraps a service."""

from django_tasks import task

from aspirasi.services import dispositions, maintenance, verification, votes


@task()
def vote_tally_send(proposal_ids: list[int]) -> None:
    """Publish the live tallies of `proposal_ids` (a vote's, when the task backend cannot defer)."""
    votes.vote_tally_send(proposal_ids=proposal_ids)


@task()
def vote_tally_round_send() -> None:
    """Publish the live tallies of every proposal voted on in the round (scheduled at its end by a vote)."""
    votes.vote_tally_round_send()


@task()
def phone_code_send(device_id: int) -> None:
    """Make a one-time code for the PhoneCodeDevice and text it: the code is made here, never queued."""
    verification.code_deliver(device_id=device_id)


@task()
def phone_register_notice_send(user_id: int) -> None:
    """Tell the account's owner by text that someone tried to sign up with their number."""
    verification.register_notice_deliver(user_id=user_id)


@task()
def stored_records_prune() -> dict[str, int]:
    """Prune finished task results, expired refresh tokens and old scheduler claims (scheduled daily)."""
    return maintenance.stored_records_prune()


@task()
def sla_tick() -> dict[str, int]:
    """Close unanswered confirmations and escalate overdue stages once each (docs/sla.md; every few minutes)."""
    return dispositions.sla_tick()
