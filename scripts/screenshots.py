"""Screenshots of the admin app for the README (`make screenshots`).

Loads the demo into a fresh SQLite database, serves it on a free port, signs in with Chromium
and saves the contacts index, the record's panel (Subscriptions and History tabs) and the
bulk-edit panel at 1280 and 390 px wide under docs/screenshots/.
"""

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from consentry.app import create_app
from consentry.config import Config
from consentry.domain import Channel
from consentry.services import contacts, history
from consentry.services.contacts import SearchRequest
from consentry.services.demo import load_demo
from consentry.services.users import create_user
from consentry.storage import migrate
from consentry.storage.engine import make_engine

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}
EMAIL, PASSWORD = "marketer@example.com", "demo-password-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _shoot(page: Page, base: str, contact_id: int, size: str) -> None:
    page.goto(f"{base}/admin/contacts")
    page.screenshot(path=str(OUT / f"index-{size}.png"))
    for tab in ("subscriptions", "history"):
        page.goto(f"{base}/admin/contacts/{contact_id}?panel={tab}")
        if tab == "subscriptions":  # show a row's actions, as a pointer over it does
            page.locator("li.sub-row").nth(1).hover()
        page.screenshot(path=str(OUT / f"record-{tab}-{size}.png"))
    page.goto(f"{base}/admin/contacts?q=example.org")
    page.locator("[data-check-all]").check()
    page.get_by_text("More").click()
    page.get_by_role("button", name="Edit communication subscriptions").click()
    page.wait_for_url("**/admin/contacts/bulk**")
    page.screenshot(path=str(OUT / f"bulk-{size}.png"))


def main() -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("Chromium is needed: apt-get install -y chromium")
    work = Path(tempfile.mkdtemp(prefix="consentry-shots-"))
    url = f"sqlite:///{work / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    load_demo(engine)
    create_user(engine, EMAIL, PASSWORD, "marketer")
    # The contact whose history has the most sources makes the panel worth looking at.
    found = contacts.search(engine, SearchRequest(query="example.com", limit=200))

    def variety(contact: contacts.Contact) -> int:
        entries = history(engine, contact.properties["email"] or "", Channel.EMAIL).entries
        wide = any(e.action == "SET_WIDE" for e in entries)
        return -1 if wide else len({e.source for e in entries})

    contact_id = max(found.contacts, key=variety).id
    config = Config(
        database_url=url, secret_key="s" * 40, jobs_dir=work / "jobs", outbox_dir=work / "out"
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for size, (width, height) in WIDTHS.items():
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.goto(f"{base}/admin/sign-in")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/admin/contacts")
            _shoot(page, base, contact_id, size)
        browser.close()
    server.should_exit = True
    shutil.rmtree(work, ignore_errors=True)
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()
