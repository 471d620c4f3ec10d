"""What the admin says after a decision: the item and the decision ("Usulan #12 “Pelatihan menjahit”
diterbitkan."), or for several the count, the decision and the first titles. One wording for the list's
actions (admin/moderation.py) and the decision panel (admin/decision_panel.py); the decisions are named as
the audit trail names them (admin/item_pages.AUDIT_ACTIONS)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aspirasi.admin.item_pages import AUDIT_ACTIONS
from aspirasi.services.moderation import COMMENT, PROPOSAL

_TITLES_SHOWN = 3


def item_title(item_type: str, text: str) -> str:
    """A proposal's title, or a report's description (a comment's text) cut at 60 characters."""
    return text if item_type == PROPOSAL else (text[:60] + "…" if len(text) > 60 else text)


def decided_message(*, item_type: str, action: str, items: list[tuple[int, str]], decision=None) -> str:
    """The feedback after `action` on `items` ((id, title) pairs); `decision` words it otherwise than the
    audit trail does (the list's "rejected as spam or offensive")."""
    decision = decision or AUDIT_ACTIONS[action]
    if len(items) == 1:
        pk, title = items[0]
        if item_type == PROPOSAL:
            template = _("Proposal #%(id)d “%(title)s” %(decision)s.")
        elif item_type == COMMENT:
            template = _("Comment #%(id)d “%(title)s” %(decision)s.")
        else:
            template = _("Report #%(id)d “%(title)s” %(decision)s.")
        return template % {"id": pk, "title": title, "decision": decision}
    shown = ", ".join(f"#{pk} “{title}”" for pk, title in items[:_TITLES_SHOWN])
    if len(items) > _TITLES_SHOWN:
        more = len(items) - _TITLES_SHOWN
        shown = ngettext("%(shown)s and %(n)d more", "%(shown)s and %(n)d more", more) % {"shown": shown, "n": more}
    count = len(items)
    if item_type == PROPOSAL:
        template = ngettext(
            "%(n)d proposal %(decision)s: %(titles)s.", "%(n)d proposals %(decision)s: %(titles)s.", count
        )
    else:
        template = ngettext("%(n)d report %(decision)s: %(titles)s.", "%(n)d reports %(decision)s: %(titles)s.", count)
    return template % {"n": count, "decision": decision, "titles": shown}
