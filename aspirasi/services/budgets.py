"""Pagu indikatif and the planners' shortlist decisions (issue 24): setting an area's ceiling, pinning and
excluding proposals from its funded shortlist. Each decision is audited (AuditEntry) in its transaction."""

from django.db import IntegrityError, transaction

from aspirasi.errors import AreaMismatch, NotShortlistable, PaguExists
from aspirasi.models import AreaBudget, Cycle, Level, Proposal, ShortlistDecision, User
from aspirasi.selectors.planning import is_ranked_at
from aspirasi.selectors.shortlist import area_name
from aspirasi.services.audit import audit_record


def pagu_create(
    *, cycle: Cycle, level: str, area_id: int | None, amount: int, source: str, note: str = "", actor: User
) -> AreaBudget:
    """Set the pagu of an area at `level` in `cycle`. Raises AreaMismatch (no such area at the level) or
    PaguExists (the area has one: change it instead). No events."""
    if area_name(level, area_id) is None:
        raise AreaMismatch.on_field("area")
    area = {"kelurahan_id": area_id} if level == Level.KELURAHAN else {}
    if level == Level.KECAMATAN:
        area = {"kecamatan_id": area_id}
    try:
        with transaction.atomic():  # the unique constraint decides between two planners at once
            return AreaBudget.objects.create(
                cycle=cycle, level=level, amount=amount, source=source, note=note, updated_by=actor, **area
            )
    except IntegrityError:
        raise PaguExists() from None


@transaction.atomic
def pagu_update(*, budget: AreaBudget, actor: User, **changes) -> AreaBudget:
    """Change a pagu's amount, source or note (only those given). No events."""
    budget = AreaBudget.objects.select_for_update().get(pk=budget.pk)
    for name in ("amount", "source", "note"):
        if name in changes:
            setattr(budget, name, changes[name])
    budget.updated_by = actor
    budget.save()
    return budget


def _decision_state(decision: ShortlistDecision | None) -> dict:
    return {"decision": decision.kind, "reason": decision.reason} if decision else {"decision": None}


@transaction.atomic
def shortlist_decide(
    *, cycle: Cycle, level: str, proposal: Proposal, kind: str, reason: str, actor: User
) -> ShortlistDecision:
    """Pin (`kind="pin"`) or exclude `proposal` from the shortlist of its area at `level`, with `reason`;
    replaces an earlier decision. Audited (action shortlist_<kind>). Raises NotShortlistable. No events."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not is_ranked_at(proposal_id=proposal.pk, cycle=cycle, level=level):
        raise NotShortlistable()
    before = ShortlistDecision.objects.filter(cycle=cycle, level=level, proposal=proposal).first()
    before_state = _decision_state(before)
    decision, _created = ShortlistDecision.objects.update_or_create(
        cycle=cycle, level=level, proposal=proposal, defaults={"kind": kind, "reason": reason, "decided_by": actor}
    )
    audit_record(
        actor=actor,
        item=proposal,
        action=f"shortlist_{kind}",
        before={**before_state, "cycle": cycle.pk, "level": level},
        after={**_decision_state(decision), "cycle": cycle.pk, "level": level},
        message=reason,
    )
    return decision


@transaction.atomic
def shortlist_undecide(*, cycle: Cycle, level: str, proposal: Proposal, actor: User) -> bool:
    """Withdraw the pin or exclusion of `proposal` at `level`; False when there was none. Audited
    (shortlist_cleared). No events."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    decision = ShortlistDecision.objects.filter(cycle=cycle, level=level, proposal=proposal).first()
    if decision is None:
        return False
    decision.delete()
    audit_record(
        actor=actor,
        item=proposal,
        action="shortlist_cleared",
        before={**_decision_state(decision), "cycle": cycle.pk, "level": level},
        after={"decision": None, "cycle": cycle.pk, "level": level},
    )
    return True
