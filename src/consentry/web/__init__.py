"""Server-rendered pages: the admin app (`web.admin`) and the contact's own pages
(`web.public`). Static files under `web/static/` are served at `/static`."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["STATIC_DIR"]
