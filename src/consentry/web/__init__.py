"""Server-rendered pages: the admin app and the public preference page."""
