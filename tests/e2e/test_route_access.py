"""Access control as one table: every route of the app has a rule here, and each rule is tried
against a real server on SQLite and PostgreSQL.

- API routes: a token holding one of the route's scopes (none: 401; the others: 403 naming
  them; one of them: let through).
- Admin pages: a session (none: sent to sign-in) whose role holds the page's permission
  (403 otherwise; a viewer's POST is always refused; a POST without its CSRF token: 403).
- The contact's pages: the signed link in the path (forged or tampered: 404 page).
- Provider webhooks: the provider's signature (missing or wrong: 403, nothing done).
- `/metrics`: its bearer token (none: 401, wrong: 403).

A route added without a rule fails `test_every_route_has_a_rule`: decide who may call it first.
"""

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consentry.app import create_app
from consentry.domain import Channel
from consentry.domain.links import LinkClaims, Purpose, seal
from consentry.domain.roles import Permission, Role, allows
from consentry.domain.scopes import Scope
from consentry.domain.webhook_signatures import twilio_signature, whatsapp_signature
from consentry.services import channels, tokens
from consentry.services.links import generate_links
from consentry.services.users import create_user
from consentry.services.writing import utcnow
from consentry.storage import migrate
from consentry.storage.engine import make_engine
from tests.e2e.phone_channels import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    PROGRAM,
    PUBLIC_URL,
    SENDER,
    TWILIO_TOKEN,
    VERIFY_TOKEN,
    twilio_fields,
    whatsapp_payload,
)
from tests.e2e.server import running_server, server_config
from tests.e2e.web.admin_site import CSRF, EMAILS, PASSWORD

SECRET = "x" * 40  # server_config's key: tokens sealed here open on the server
METRICS_TOKEN = "metrics-token-0123456789"


@dataclass(frozen=True)
class Scopes:
    """An API route: a token holding any one of these."""

    any_of: tuple[Scope, ...]


@dataclass(frozen=True)
class Needs:
    """An admin page: a session whose role holds `permission`."""

    permission: Permission


@dataclass(frozen=True)
class Link:
    """A contact's page: the signed link token of one of these purposes in the path."""

    purpose: Purpose


@dataclass(frozen=True)
class Signed:
    """A provider webhook: `twilio`, `whatsapp` (POST, signature) or `whatsapp-verify` (GET)."""

    provider: str


@dataclass(frozen=True)
class Other:
    """`open` (anyone), `metrics` (its token), `sign-in` (the sign-in form's CSRF cookie),
    `session` (any signed-in user, with the session's CSRF token)."""

    kind: str


Rule = Scopes | Needs | Link | Signed | Other

P = Scope
READ, WRITE = Scopes((P.PREFERENCES_READ,)), Scopes((P.PREFERENCES_WRITE,))
BATCH_READ, BATCH_WRITE = Scopes((P.STATUSES_BATCH_READ,)), Scopes((P.STATUSES_BATCH_WRITE,))
CONTACTS_READ, CONTACTS_WRITE = Scopes((P.CONTACTS_READ,)), Scopes((P.CONTACTS_WRITE,))
ADMIN_SCOPE = Scopes((P.ADMIN,))
OPEN, METRICS = Other("open"), Other("metrics")
SEE, CONTACTS, STATUSES = (
    Needs(Permission.READ),
    Needs(Permission.EDIT_CONTACTS),
    Needs(Permission.EDIT_STATUSES),
)
TYPES, SETTINGS = Needs(Permission.EDIT_TYPES), Needs(Permission.EDIT_SETTINGS)
WORKFLOWS, WEBHOOKS = Needs(Permission.MANAGE_WORKFLOWS), Needs(Permission.MANAGE_WEBHOOKS)

V3, V4 = "/communication-preferences/v3", "/communication-preferences/v4"
CRM = "/crm/v3/objects/contacts"
NATIVE = [
    ("POST", "/bulk/statuses"),
    ("GET", "/business-units"),
    ("POST", "/business-units"),
    ("GET", "/business-units/{businessUnitId}"),
    ("PATCH", "/business-units/{businessUnitId}"),
    ("POST", "/eligibility/audience"),
    ("POST", "/eligibility/audience/contacts"),
    ("POST", "/eligibility/batch"),
    ("POST", "/eligibility/check"),
    ("POST", "/eligibility/one-to-one"),
    ("POST", "/erasures"),
    ("POST", "/imports/optouts"),
    ("GET", "/jobs"),
    ("GET", "/jobs/{jobId}"),
    ("POST", "/jobs/{jobId}/cancel"),
    ("GET", "/jobs/{jobId}/results"),
    ("GET", "/ledger/verify"),
    ("GET", "/quiet-hours"),
    ("GET", "/review-queue"),
    ("POST", "/review-queue/{itemId}/resolve"),
    ("GET", "/settings"),
    ("PATCH", "/settings"),
    ("POST", "/stop-requests"),
    ("GET", "/subscribers/{channel}/{address}"),
    ("GET", "/subscribers/{channel}/{address}/ledger"),
    ("GET", "/subscribers/{channel}/{address}/receipt"),
    ("GET", "/subscription-types"),
    ("POST", "/subscription-types"),
    ("PUT", "/subscription-types/order"),
    ("GET", "/subscription-types/{subscriptionId}"),
    ("PATCH", "/subscription-types/{subscriptionId}"),
    ("POST", "/subscription-types/{subscriptionId}/archive"),
    ("DELETE", "/subscription-types/{subscriptionId}/translations/{languageCode}"),
    ("PUT", "/subscription-types/{subscriptionId}/translations/{languageCode}"),
    ("POST", "/subscription-types/{subscriptionId}/unarchive"),
    ("GET", "/suppressions"),
    ("POST", "/suppressions"),
    ("DELETE", "/suppressions/{channel}/{address}/{kind}"),
    ("GET", "/webhooks"),
    ("POST", "/webhooks"),
    ("DELETE", "/webhooks/{webhookId}"),
    ("GET", "/webhooks/{webhookId}"),
    ("PATCH", "/webhooks/{webhookId}"),
    ("GET", "/webhooks/{webhookId}/deliveries"),
    ("POST", "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"),
    ("POST", "/webhooks/{webhookId}/rotate-secret"),
    ("GET", "/workflows"),
    ("POST", "/workflows"),
    ("GET", "/workflows/{workflowId}"),
    ("PUT", "/workflows/{workflowId}"),
    ("POST", "/workflows/{workflowId}/disable"),
    ("POST", "/workflows/{workflowId}/enable"),
    ("POST", "/workflows/{workflowId}/enroll-existing"),
    ("GET", "/workflows/{workflowId}/history"),
    ("GET", "/workflows/{workflowId}/log"),
]

RULES: dict[tuple[str, str], Rule] = {
    # --- open to anyone: health, API documentation, the sign-in page, static files
    ("GET", "/healthz"): OPEN,
    ("GET", "/openapi.json"): OPEN,
    ("GET", "/docs"): OPEN,
    ("GET", "/docs/oauth2-redirect"): OPEN,
    ("GET", "/redoc"): OPEN,
    ("GET", "/admin"): OPEN,  # a redirect to /admin/contacts, which needs a session
    ("GET", "/admin/sign-in"): OPEN,
    ("GET", "/request-link"): OPEN,
    ("POST", "/request-link"): OPEN,  # never says whether an address is known; rate limited
    ("*", "/static"): OPEN,
    ("GET", "/metrics"): METRICS,
    ("POST", "/admin/sign-in"): Other("sign-in"),
    ("POST", "/admin/sign-out"): Other("session"),
    # --- the contact's pages: the link is the only credential
    ("GET", "/preferences/{token}"): Link(Purpose.MANAGE_PREFERENCES),
    ("POST", "/preferences/{token}"): Link(Purpose.MANAGE_PREFERENCES),
    ("GET", "/unsubscribe/{token}"): Link(Purpose.UNSUBSCRIBE_ALL),
    ("POST", "/unsubscribe/{token}"): Link(Purpose.UNSUBSCRIBE_ALL),
    ("GET", "/confirm/{token}"): Link(Purpose.CONFIRM_OPT_IN),
    ("POST", "/confirm/{token}"): Link(Purpose.CONFIRM_OPT_IN),
    # --- providers: their signature
    ("POST", "/webhooks/sms/twilio"): Signed("twilio"),
    ("GET", "/webhooks/whatsapp"): Signed("whatsapp-verify"),
    ("POST", "/webhooks/whatsapp"): Signed("whatsapp"),
    # --- HubSpot-compatible API
    ("GET", f"{V3}/definitions"): READ,
    ("GET", f"{V3}/status/email/{{emailAddress}}"): READ,
    ("POST", f"{V3}/subscribe"): WRITE,
    ("POST", f"{V3}/unsubscribe"): WRITE,
    ("GET", f"{V4}/definitions"): READ,
    ("POST", f"{V4}/links/generate"): WRITE,
    ("POST", f"{V4}/statuses/batch/read"): BATCH_READ,
    ("POST", f"{V4}/statuses/batch/unsubscribe-all"): BATCH_WRITE,
    ("POST", f"{V4}/statuses/batch/unsubscribe-all/read"): BATCH_READ,
    ("POST", f"{V4}/statuses/batch/write"): BATCH_WRITE,
    ("GET", f"{V4}/statuses/{{subscriberIdString}}"): READ,
    ("POST", f"{V4}/statuses/{{subscriberIdString}}"): WRITE,
    ("GET", f"{V4}/statuses/{{subscriberIdString}}/unsubscribe-all"): READ,
    ("POST", f"{V4}/statuses/{{subscriberIdString}}/unsubscribe-all"): WRITE,
    ("GET", CRM): CONTACTS_READ,
    ("POST", CRM): CONTACTS_WRITE,
    ("POST", f"{CRM}/batch/archive"): CONTACTS_WRITE,
    ("POST", f"{CRM}/batch/create"): CONTACTS_WRITE,
    ("POST", f"{CRM}/batch/read"): CONTACTS_READ,
    ("POST", f"{CRM}/batch/update"): CONTACTS_WRITE,
    ("POST", f"{CRM}/search"): CONTACTS_READ,
    ("DELETE", f"{CRM}/{{contactId}}"): CONTACTS_WRITE,
    ("GET", f"{CRM}/{{contactId}}"): CONTACTS_READ,
    ("PATCH", f"{CRM}/{{contactId}}"): CONTACTS_WRITE,
    # --- native API: consentry.admin, every route
    **{(method, "/api/v1" + path): ADMIN_SCOPE for method, path in NATIVE},
    # --- admin pages: the role's permission (domain.roles); any signed-in role may read
    ("GET", "/admin/audit"): SEE,
    ("GET", "/admin/contacts"): SEE,
    ("POST", "/admin/contacts"): CONTACTS,
    ("GET", "/admin/contacts/bulk"): Needs(Permission.BULK_EDIT),
    ("POST", "/admin/contacts/bulk"): Needs(Permission.BULK_EDIT),
    ("GET", "/admin/contacts/bulk/results/{name}"): SEE,
    ("GET", "/admin/contacts/new"): CONTACTS,
    ("GET", "/admin/contacts/{contact_id}"): SEE,
    ("POST", "/admin/contacts/{contact_id}"): CONTACTS,
    ("POST", "/admin/contacts/{contact_id}/delete"): CONTACTS,
    ("POST", "/admin/contacts/{contact_id}/one-time-basis"): STATUSES,
    ("POST", "/admin/contacts/{contact_id}/preference-link"): STATUSES,
    ("POST", "/admin/contacts/{contact_id}/status"): STATUSES,
    ("POST", "/admin/contacts/{contact_id}/unsubscribe-all"): STATUSES,
    ("GET", "/admin/jobs/{job_id}"): SEE,
    ("GET", "/admin/jobs/{job_id}/progress"): SEE,
    ("GET", "/admin/jobs/{job_id}/result.csv"): SEE,
    ("GET", "/admin/review"): SEE,
    ("POST", "/admin/review/{item_id}"): STATUSES,
    ("GET", "/admin/settings"): SEE,
    ("GET", "/admin/settings/preview"): SEE,
    ("GET", "/admin/settings/remove-opt-outs"): Needs(Permission.REMOVE_USER_OPT_OUTS),
    ("POST", "/admin/settings/remove-opt-outs"): Needs(Permission.REMOVE_USER_OPT_OUTS),
    ("POST", "/admin/settings/toggle"): SETTINGS,  # data_privacy_mode: DATA_PRIVACY, below
    ("GET", "/admin/settings/tokens"): Needs(Permission.MANAGE_TOKENS),
    ("POST", "/admin/settings/tokens"): Needs(Permission.MANAGE_TOKENS),
    ("POST", "/admin/settings/tokens/revoke"): Needs(Permission.MANAGE_TOKENS),
    ("GET", "/admin/settings/types"): SEE,
    ("POST", "/admin/settings/types"): TYPES,
    ("POST", "/admin/settings/types/order"): TYPES,
    ("GET", "/admin/settings/types/{type_id}"): SEE,
    ("POST", "/admin/settings/types/{type_id}"): TYPES,
    ("POST", "/admin/settings/types/{type_id}/archive"): TYPES,
    ("POST", "/admin/settings/types/{type_id}/move"): TYPES,
    ("POST", "/admin/settings/types/{type_id}/translations"): TYPES,
    ("POST", "/admin/settings/types/{type_id}/translations/{language}/delete"): TYPES,
    ("GET", "/admin/settings/units"): SEE,
    ("POST", "/admin/settings/units"): TYPES,
    ("POST", "/admin/settings/units/{unit_id}"): TYPES,
    ("GET", "/admin/settings/users"): Needs(Permission.MANAGE_USERS),
    ("POST", "/admin/settings/users"): Needs(Permission.MANAGE_USERS),
    ("POST", "/admin/settings/users/disable"): Needs(Permission.MANAGE_USERS),
    ("GET", "/admin/webhooks"): WEBHOOKS,
    ("GET", "/admin/webhooks/new"): WEBHOOKS,
    ("POST", "/admin/webhooks/new"): WEBHOOKS,
    ("GET", "/admin/webhooks/{subscription_id}"): WEBHOOKS,
    ("POST", "/admin/webhooks/{subscription_id}/delete"): WEBHOOKS,
    ("POST", "/admin/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver"): WEBHOOKS,
    ("GET", "/admin/webhooks/{subscription_id}/edit"): WEBHOOKS,
    ("POST", "/admin/webhooks/{subscription_id}/edit"): WEBHOOKS,
    ("POST", "/admin/webhooks/{subscription_id}/pause"): WEBHOOKS,
    ("POST", "/admin/webhooks/{subscription_id}/resume"): WEBHOOKS,
    ("POST", "/admin/webhooks/{subscription_id}/rotate-secret"): WEBHOOKS,
    ("GET", "/admin/workflows"): SEE,
    ("GET", "/admin/workflows/new"): WORKFLOWS,
    ("POST", "/admin/workflows/new"): WORKFLOWS,
    ("GET", "/admin/workflows/{workflow_id}"): SEE,
    ("POST", "/admin/workflows/{workflow_id}/disable"): WORKFLOWS,
    ("GET", "/admin/workflows/{workflow_id}/edit"): WORKFLOWS,
    ("POST", "/admin/workflows/{workflow_id}/edit"): WORKFLOWS,
    ("POST", "/admin/workflows/{workflow_id}/enable"): WORKFLOWS,
    ("POST", "/admin/workflows/{workflow_id}/enroll"): WORKFLOWS,
    ("GET", "/admin/workflows/{workflow_id}/jobs/{job_id}"): SEE,
}

# Ids that name nothing, so a request let through changes nothing; a route answers 404 or 400.
SAMPLE_PATH_VALUES = {
    "{subscriptionId}": "999999",
    "{languageCode}": "de",
    "{language}": "de",
    "{businessUnitId}": "999999",
    "{channel}": "EMAIL",
    "{address}": "nobody@example.com",
    "{emailAddress}": "nobody@example.com",
    "{subscriberIdString}": "nobody@example.com",
    "{kind}": "HARD_BOUNCE",
    "{contactId}": "999999",
    "{name}": "nothing.csv",
    **{
        f"{{{name}}}": "999999"
        for name in (
            "jobId",
            "itemId",
            "workflowId",
            "webhookId",
            "deliveryId",
            "contact_id",
            "job_id",
            "item_id",
            "type_id",
            "unit_id",
            "subscription_id",
            "delivery_id",
            "workflow_id",
        )
    },
}


def app_routes() -> set[tuple[str, str]]:
    """Every (method, path) the app answers; HEAD goes with GET, a mount is `*`."""
    app = create_app(server_config("sqlite://"))
    found = set()
    for route in iter_route_contexts(app.routes):
        methods = getattr(route, "methods", None) or {"*"}
        found |= {(method, route.path) for method in methods if method != "HEAD"}
    app.state.engine.dispose()
    return found


def test_every_route_has_a_rule() -> None:
    routes = app_routes()
    unruled = sorted(routes - RULES.keys())
    assert not unruled, f"routes with no access rule (add them to RULES): {unruled}"
    stale = sorted(RULES.keys() - routes)
    assert not stale, f"rules for routes that no longer exist: {stale}"


def test_the_native_routes_are_the_ones_the_openapi_counts() -> None:
    # tests/e2e/api/test_native_access.py counts the same operations in /openapi.json.
    assert len(NATIVE) == 55


def concrete(path: str) -> str:
    for placeholder, value in SAMPLE_PATH_VALUES.items():
        path = path.replace(placeholder, value)
    assert "{" not in path, path
    return path


# --- the server every rule is tried against ----------------------------------------------


@dataclass
class Site:
    url: str
    tokens: dict[str, str]  # by name: "none-of-<scope>", "<scope>"
    links: dict[Purpose, str]
    sessions: dict[str, httpx.Client]

    def csrf(self, role: str) -> str:
        found = CSRF.search(self.sessions[role].get("/admin/settings").text)
        assert found
        return found.group(1)


def _own_postgres() -> Iterator[str]:
    # A database of this module's own: the shared per-session one is reset by other tests.
    server = make_url(os.environ["CONSENTRY_TEST_DATABASE_URL"]).set(
        drivername="postgresql+psycopg"
    )
    name = f"consentry_access_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("access")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp / 'access.db'}"])
    else:
        if not os.environ.get("CONSENTRY_TEST_DATABASE_URL"):
            pytest.skip("PostgreSQL not configured (set CONSENTRY_TEST_DATABASE_URL to run)")
        urls = _own_postgres()
    database_url = next(urls)
    try:
        yield from _serve(database_url, tmp)
    finally:
        next(urls, None)


def _serve(database_url: str, tmp: Path) -> Iterator[Site]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    for role, email in EMAILS.items():
        create_user(engine, email, PASSWORD, role)
    channels.setup_sms(engine, SENDER, TWILIO_TOKEN, details=PROGRAM)
    channels.setup_whatsapp(engine, PHONE_NUMBER_ID, VERIFY_TOKEN, APP_SECRET, details=PROGRAM)
    made = {}
    for scope in Scope:
        made[scope.value] = tokens.create_token(engine, f"only-{scope.value}", [scope.value])[1]
    links = generate_links(
        engine, "contact@example.com", Channel.EMAIL, secret=SECRET, public_url=PUBLIC_URL
    )
    subscriber_id = _claims_of(links.manage_preferences_url)
    now = utcnow().replace(microsecond=0)
    by_purpose = {
        purpose: seal(
            LinkClaims(purpose, Channel.EMAIL, subscriber_id, 0, type_id, now.date(), now), SECRET
        )
        for purpose, type_id in (
            (Purpose.MANAGE_PREFERENCES, None),
            (Purpose.UNSUBSCRIBE_ALL, None),
            (Purpose.CONFIRM_OPT_IN, 1),
        )
    }
    config = server_config(
        database_url,
        public_url=PUBLIC_URL,
        metrics_token=METRICS_TOKEN,
        jobs_dir=tmp / "jobs",
        outbox_dir=tmp / "outbox",
        in_process_worker=False,
    )
    try:
        with running_server(config) as url:
            sessions = {}
            for role in EMAILS:
                sessions[role] = _signed_in(url, role)
            yield Site(url, made, by_purpose, sessions)
            for client in sessions.values():
                client.close()
    finally:
        engine.dispose()


def _signed_in(url: str, role: str) -> httpx.Client:
    """A client signed in as `role`. The public URL is https, so the server marks its cookies
    Secure; this plain-http client carries them by hand."""
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    page = client.get("/admin/sign-in")
    token = CSRF.search(page.text)
    assert token
    client.cookies.set("consentry_sign_in", page.cookies["consentry_sign_in"])
    data = {"csrf_token": token.group(1), "email": EMAILS[role], "password": PASSWORD}
    answer = client.post("/admin/sign-in", data=data)
    assert answer.status_code == 303, answer.text
    client.cookies.set("consentry_session", answer.cookies["consentry_session"])
    return client


def _claims_of(url: str) -> int:
    from consentry.domain.links import open_token

    return open_token(url.rsplit("/", 1)[1], SECRET, utcnow().date()).subscriber_id


# --- trying each rule ---------------------------------------------------------------------

ROUTES = sorted(RULES.items(), key=lambda item: (item[0][1], item[0][0]))


def _id(item: tuple[tuple[str, str], Rule]) -> str:
    (method, path), _ = item
    return f"{method} {path}"


@pytest.mark.parametrize("route", ROUTES, ids=[_id(r) for r in ROUTES])
def test_each_route_enforces_its_rule(site: Site, route: tuple[tuple[str, str], Rule]) -> None:
    (method, path), rule = route
    if isinstance(rule, Scopes):
        _check_scopes(site, method, concrete(path), rule)
    elif isinstance(rule, Needs):
        _check_roles(site, method, concrete(path), rule)
    elif isinstance(rule, Link):
        _check_link(site, method, path, rule)
    elif isinstance(rule, Signed):
        _check_signature(site, rule.provider)
    else:
        _check_other(site, method, path, rule.kind)


def _api(site: Site, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(
        method, site.url + path, headers=headers, params={"subscriptionId": 1}, json={}, timeout=30
    )


def _check_scopes(site: Site, method: str, path: str, rule: Scopes) -> None:
    answer = _api(site, method, path, None)
    assert answer.status_code == 401, answer.text
    assert answer.json()["category"] == "INVALID_AUTHENTICATION"
    assert _api(site, method, path, "not-a-token").status_code == 401
    granting = set(rule.any_of)
    if Scope.PREFERENCES_READ in granting or Scope.PREFERENCES_WRITE in granting:
        granting.add(Scope.PREFERENCES_READ_WRITE)  # read_write holds both halves
    for scope in Scope:
        if scope in granting:
            continue
        answer = _api(site, method, path, site.tokens[scope.value])
        assert answer.status_code == 403, (scope, answer.text)
        assert answer.json()["context"]["requiredScopes"] == [s.value for s in rule.any_of]
    for scope in granting:
        answer = _api(site, method, path, site.tokens[scope.value])
        assert answer.status_code not in (401, 403), (scope, answer.text)
        assert answer.status_code < 500, (scope, answer.text)


def _admin(
    site: Site, role: str | None, method: str, path: str, csrf: bool = True
) -> httpx.Response:
    if role is None:
        return httpx.request(method, site.url + path, follow_redirects=False, timeout=30)
    data = {"csrf_token": site.csrf(role)} if method == "POST" and csrf else {}
    return site.sessions[role].request(method, path, data=data if method == "POST" else None)


def _check_roles(site: Site, method: str, path: str, rule: Needs) -> None:
    answer = _admin(site, None, method, path)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith("/admin/sign-in")
    if method == "POST":
        assert _admin(site, "admin", method, path, csrf=False).status_code == 403
    for role in Role:
        answer = _admin(site, role.value, method, path)
        may = allows(role, rule.permission) and (method == "GET" or role is not Role.VIEWER)
        if may:
            assert answer.status_code != 403, (role, answer.text)
            assert not answer.headers.get("location", "").startswith("/admin/sign-in"), role
            assert answer.status_code < 500, (role, answer.text)
        else:
            assert answer.status_code == 403, (role, answer.status_code)


def _check_link(site: Site, method: str, path: str, rule: Link) -> None:
    genuine = site.links[rule.purpose]
    tampered = genuine[:-3] + ("A" if genuine[-3] != "A" else "B") + genuine[-2:]
    for token in ("not-a-token", tampered, seal_with_other_key(site, rule.purpose)):
        answer = httpx.request(method, site.url + path.replace("{token}", token), timeout=30)
        assert answer.status_code == 404, (token, answer.status_code)
    if method == "GET":
        answer = httpx.get(site.url + path.replace("{token}", genuine), timeout=30)
        assert answer.status_code == 200, answer.text
    else:  # without the page's CSRF token the form is stale, and nothing is done
        answer = httpx.post(site.url + path.replace("{token}", genuine), data={}, timeout=30)
        assert answer.status_code == 400, answer.text


def seal_with_other_key(site: Site, purpose: Purpose) -> str:
    """The genuine link's claims, sealed under another secret key."""
    from consentry.domain.links import open_token

    claims = open_token(site.links[purpose], SECRET, utcnow().date())
    return seal(claims, "y" * 40)


def _check_signature(site: Site, provider: str) -> None:
    if provider == "twilio":
        fields = twilio_fields("+14155550123", "HELLO")
        path = "/webhooks/sms/twilio"

        def post(signature: str | None) -> httpx.Response:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if signature is not None:
                headers["X-Twilio-Signature"] = signature
            return httpx.post(site.url + path, content=urlencode(fields), headers=headers)

        assert post(None).status_code == 403
        assert (
            post(twilio_signature("wrong-secret", PUBLIC_URL + path, fields.items())).status_code
            == 403
        )
        assert (
            post(twilio_signature(TWILIO_TOKEN, PUBLIC_URL + path, fields.items())).status_code
            == 200
        )
    elif provider == "whatsapp":
        body = json.dumps(
            whatsapp_payload("14155550123", {"type": "text", "text": {"body": "hello"}})
        ).encode()

        def send(signature: str | None) -> httpx.Response:
            headers = {"Content-Type": "application/json"}
            if signature is not None:
                headers["X-Hub-Signature-256"] = signature
            return httpx.post(site.url + "/webhooks/whatsapp", content=body, headers=headers)

        assert send(None).status_code == 403
        assert send(whatsapp_signature("wrong-secret", body)).status_code == 403
        assert send(whatsapp_signature(APP_SECRET, body)).status_code == 200
    else:

        def verify(token: str) -> httpx.Response:
            params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "42"}
            return httpx.get(site.url + "/webhooks/whatsapp", params=params)

        assert verify("wrong").status_code == 403
        answer = verify(VERIFY_TOKEN)
        assert (answer.status_code, answer.text) == (200, "42")


def _check_other(site: Site, method: str, path: str, kind: str) -> None:
    if kind == "open":
        if path == "/static":
            method, path = "GET", "/static/admin.css"
        answer = httpx.request(method, site.url + path, follow_redirects=False, timeout=30)
        # Only a form (POST /request-link) can be refused, for what it holds.
        assert answer.status_code in ((200, 303) if method == "GET" else (200, 400)), answer
    elif kind == "metrics":
        assert httpx.get(site.url + path).status_code == 401
        wrong = {"Authorization": "Bearer " + "z" * len(METRICS_TOKEN)}
        assert httpx.get(site.url + path, headers=wrong).status_code == 403
        right = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        assert httpx.get(site.url + path, headers=right).status_code == 200
    elif kind == "sign-in":
        data = {"csrf_token": "forged", "email": EMAILS["admin"], "password": PASSWORD}
        assert httpx.post(site.url + path, data=data).status_code == 403
    else:  # sign-out: a session, and its CSRF token
        answer = httpx.post(site.url + path, follow_redirects=False)
        assert answer.headers["location"].startswith("/admin/sign-in")
        assert _admin(site, "viewer", method, path, csrf=False).status_code == 403
