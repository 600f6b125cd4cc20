"""`/crm/v3/objects/contacts`: HubSpot's CRM contacts API (CRUD, batches, search).

Thin: parse the request, call `services.contacts`, shape the answer as HubSpot does. Reads need
`crm.objects.contacts.read`, writes `crm.objects.contacts.write`.
"""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from consentry.api import contact_schemas as schemas
from consentry.api.auth import requires
from consentry.api.dependencies import EngineDep
from consentry.api.errors import domain_error_parts
from consentry.domain import Scope
from consentry.domain.contact_properties import format_instant
from consentry.services import contacts
from consentry.services.writing import utcnow

router = APIRouter(prefix="/crm/v3/objects/contacts", tags=["contacts"])

READ = [requires(Scope.CONTACTS_READ)]
WRITE = [requires(Scope.CONTACTS_WRITE)]

PropertiesQuery = Annotated[
    list[str] | None,
    Query(description="Properties to return, comma-separated or repeated."),
]
ArchivedQuery = Annotated[bool, Query(description="Only archived contacts (true) or live ones.")]
IdPropertyQuery = Annotated[
    str | None, Query(alias="idProperty", description="`email` to name the contact by email.")
]


def _names(properties: Sequence[str] | None) -> list[str] | None:
    """`properties=a,b&properties=c` as HubSpot reads it: ['a', 'b', 'c']."""
    if properties is None:
        return None
    return [name.strip() for item in properties for name in item.split(",") if name.strip()]


def _contact(contact: contacts.Contact) -> schemas.Contact:
    answer = schemas.Contact(
        id=str(contact.id),
        properties=contact.properties,
        createdAt=format_instant(contact.created_at),
        updatedAt=format_instant(contact.updated_at),
        archived=contact.archived,
    )
    if contact.archived_at is not None:
        answer.archivedAt = format_instant(contact.archived_at)
    return answer


def _error(failure: contacts.ContactError) -> schemas.StandardError:
    _, category, details = domain_error_parts(failure.error)
    context = {"index": [str(failure.index)]}
    if failure.id is not None:
        context["ids"] = [failure.id]
    return schemas.StandardError(
        id=failure.id,
        category=category,
        message=failure.error.message,
        errors=details,
        context=context,
    )


def _batch(
    results: Sequence[contacts.Contact | contacts.ContactError],
    started: str,
    response: Response,
    success: int,
) -> schemas.BatchAnswer:
    """HubSpot's batch envelope; 207 with `errors` and `numErrors` when some inputs failed."""
    answer = schemas.BatchAnswer(
        results=[_contact(r) for r in results if isinstance(r, contacts.Contact)],
        startedAt=started,
        completedAt=format_instant(utcnow()),
    )
    errors = [_error(r) for r in results if isinstance(r, contacts.ContactError)]
    response.status_code = success
    if errors:
        answer.errors, answer.numErrors = errors, len(errors)
        response.status_code = status.HTTP_207_MULTI_STATUS
    return answer


def _paging(request: Request, after: str | None) -> schemas.Paging | None:
    if after is None:
        return None
    link = str(request.url.include_query_params(after=after))
    return schemas.Paging(next=schemas.NextPage(after=after, link=link))


@router.get(
    "",
    summary="List contacts",
    dependencies=READ,
    response_model=schemas.ContactPage,
    response_model_exclude_none=True,
)
def list_contacts(
    engine: EngineDep,
    request: Request,
    properties: PropertiesQuery = None,
    limit: int = 10,
    after: str | None = None,
    archived: ArchivedQuery = False,
) -> schemas.ContactPage:
    page = contacts.list_page(
        engine, limit=limit, after=after, properties=_names(properties), archived=archived
    )
    return schemas.ContactPage(
        results=[_contact(c) for c in page.contacts], paging=_paging(request, page.next_after)
    )


@router.get(
    "/{contactId}",
    summary="Read a contact",
    dependencies=READ,
    response_model=schemas.Contact,
    response_model_exclude_none=True,
)
def read_contact(
    engine: EngineDep,
    contactId: str,
    properties: PropertiesQuery = None,
    archived: ArchivedQuery = False,
    id_property: IdPropertyQuery = None,
) -> schemas.Contact:
    contact = contacts.get(
        engine,
        contactId,
        id_property=id_property,
        properties=_names(properties),
        archived=archived,
    )
    return _contact(contact)


@router.post(
    "",
    summary="Create a contact",
    status_code=status.HTTP_201_CREATED,
    dependencies=WRITE,
    response_model=schemas.Contact,
    response_model_exclude_none=True,
)
def create_contact(engine: EngineDep, body: schemas.ContactInput) -> schemas.Contact:
    return _contact(contacts.create(engine, body.properties))


@router.patch(
    "/{contactId}",
    summary="Update a contact",
    dependencies=WRITE,
    response_model=schemas.Contact,
    response_model_exclude_none=True,
)
def update_contact(
    engine: EngineDep,
    contactId: str,
    body: schemas.ContactPatch,
    id_property: IdPropertyQuery = None,
) -> schemas.Contact:
    return _contact(contacts.update(engine, contactId, body.properties, id_property=id_property))


@router.delete(
    "/{contactId}",
    summary="Archive a contact",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=WRITE,
    response_class=Response,
)
def archive_contact(engine: EngineDep, contactId: str) -> Response:
    contacts.archive(engine, contactId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/batch/create",
    summary="Create a batch of contacts",
    status_code=status.HTTP_201_CREATED,
    dependencies=WRITE,
    response_model=schemas.BatchAnswer,
    response_model_exclude_none=True,
    responses={207: {"model": schemas.BatchAnswer, "description": "Some inputs failed"}},
)
def batch_create(
    engine: EngineDep, body: schemas.BatchCreate, response: Response
) -> schemas.BatchAnswer:
    started = format_instant(utcnow())
    results = contacts.create_batch(engine, [item.properties for item in body.inputs])
    return _batch(results, started, response, status.HTTP_201_CREATED)


@router.post(
    "/batch/read",
    summary="Read a batch of contacts by id or email",
    dependencies=READ,
    response_model=schemas.BatchAnswer,
    response_model_exclude_none=True,
    responses={207: {"model": schemas.BatchAnswer, "description": "Some inputs failed"}},
)
def batch_read(
    engine: EngineDep,
    body: schemas.BatchRead,
    response: Response,
    archived: ArchivedQuery = False,
) -> schemas.BatchAnswer:
    started = format_instant(utcnow())
    results = contacts.read_batch(
        engine,
        [item.id for item in body.inputs],
        id_property=body.idProperty,
        properties=body.properties,
        archived=archived,
    )
    return _batch(results, started, response, status.HTTP_200_OK)


@router.post(
    "/batch/update",
    summary="Update a batch of contacts",
    dependencies=WRITE,
    response_model=schemas.BatchAnswer,
    response_model_exclude_none=True,
    responses={207: {"model": schemas.BatchAnswer, "description": "Some inputs failed"}},
)
def batch_update(
    engine: EngineDep, body: schemas.BatchUpdate, response: Response
) -> schemas.BatchAnswer:
    started = format_instant(utcnow())
    updates = [
        contacts.ContactUpdate(item.id, item.properties, item.idProperty) for item in body.inputs
    ]
    return _batch(contacts.update_batch(engine, updates), started, response, status.HTTP_200_OK)


@router.post(
    "/batch/archive",
    summary="Archive a batch of contacts",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=WRITE,
    response_class=Response,
)
def batch_archive(engine: EngineDep, body: schemas.BatchArchive) -> Response:
    contacts.archive_batch(engine, [item.id for item in body.inputs])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/search",
    summary="Search contacts with filter groups",
    dependencies=READ,
    response_model=schemas.SearchAnswer,
    response_model_exclude_none=True,
)
def search_contacts(engine: EngineDep, body: schemas.SearchBody) -> schemas.SearchAnswer:
    request = contacts.SearchRequest(
        filter_groups=[group.model_dump() for group in body.filterGroups],
        sorts=[s if isinstance(s, str) else s.model_dump() for s in body.sorts],
        query=body.query,
        properties=body.properties,
        limit=body.limit,
        after=body.after,
    )
    result = contacts.search(engine, request)
    paging = None
    if result.next_after is not None:
        paging = schemas.Paging(next=schemas.NextPage(after=result.next_after))
    return schemas.SearchAnswer(
        total=result.total, results=[_contact(c) for c in result.contacts], paging=paging
    )
