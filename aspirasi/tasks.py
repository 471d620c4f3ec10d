"""Background tasks of the domain (django-tasks, run by `manage.py db_worker`). Each wraps a service."""

from django_tasks import task

from aspirasi.services import votes


@task()
def vote_tally_send(proposal_ids: list[int]) -> None:
    """Publish the live tallies of `proposal_ids` (scheduled at the end of their window by a vote)."""
    votes.vote_tally_send(proposal_ids=proposal_ids)
