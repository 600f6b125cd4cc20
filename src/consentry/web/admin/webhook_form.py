"""The webhook form: its inputs, read into what `services.webhooks` takes, a subscription read
back into the inputs to edit it, and a domain refusal's field named as the input it came from
(so the message shows next to it with what was typed kept)."""

from typing import Any

from starlette.datastructures import FormData

from consentry.domain.events import EventType
from consentry.domain.webhooks import Subscription

# What each event type means to a person choosing them; the wire name is shown beside it.
EVENT_LABELS = {
    EventType.STATUS_CHANGED: "A subscription status changed",
    EventType.UNSUBSCRIBED_ALL: "Unsubscribe from all was set or cleared",
    EventType.CONTACT_CREATED: "A contact was created",
    EventType.CONTACT_UPDATED: "A contact was changed",
    EventType.CONTACT_ARCHIVED: "A contact was deleted",
    EventType.IMPORT_COMPLETED: "An import finished",
    EventType.WORKFLOW_ACTION_REFUSED: "A workflow action was refused",
}
# The domain's field name -> the form input it came from.
_INPUTS = {"url": "url", "eventTypes": "event_types", "description": "description"}


def input_for(field: str | None) -> str:
    """The form input a refusal names ("" for the form as a whole)."""
    return _INPUTS.get(field or "", "")


def read(form: FormData) -> dict[str, Any]:
    """The form as keyword arguments of create_subscription / update_subscription."""
    url = form.get("url", "")
    description = form.get("description", "")
    return {
        "url": url if isinstance(url, str) else "",
        "event_types": [v for v in form.getlist("event_types") if isinstance(v, str)],
        "active": form.get("active") == "on",
        "description": description if isinstance(description, str) else "",
    }


def values_of(subscription: Subscription) -> dict[str, Any]:
    return {
        "url": subscription.url,
        "event_types": [member.value for member in subscription.event_types],
        "active": subscription.active,
        "description": subscription.description,
    }


def blank() -> dict[str, Any]:
    """A new webhook's form: nothing chosen yet, active."""
    return {"url": "", "event_types": [], "active": True, "description": ""}
