"""Link scanners: mail-security gateways and previewers that open (and sometimes submit) every
link of a message before the person does.

A GET never acts, so they can only do harm by POSTing a confirm button. Such a POST is *held*
(a second confirmation is asked for, and the attempt is on the record) when it comes from a
user agent we know scans links and arrives within a short window after the link was made: a
person rarely clicks within seconds of the mail being sent, a gateway always does.
"""

from datetime import datetime, timedelta

# Lower-case fragments of user agents that belong to scanners, previewers and HTTP libraries.
SCANNER_MARKERS = (
    "barracuda",
    "mimecast",
    "proofpoint",
    "urldefense",
    "safelinks",
    "symantec",
    "messagelabs",
    "forcepoint",
    "trendmicro",
    "trend micro",
    "sophos",
    "bitdefender",
    "fortiguard",
    "cisco",
    "ironport",
    "zscaler",
    "checkpoint",
    "googleimageproxy",
    "google-safety",
    "headlesschrome",
    "phantomjs",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "curl/",
    "wget/",
    "libwww",
    "java/",
    "okhttp",
    "bot",
    "crawler",
    "spider",
    "preview",
    "scanner",
    "facebookexternalhit",
)


def looks_like_scanner(user_agent: str | None) -> bool:
    """A user agent of a known scanner; a missing one counts too (every browser sends one)."""
    agent = (user_agent or "").strip().lower()
    return not agent or any(marker in agent for marker in SCANNER_MARKERS)


def hold(user_agent: str | None, issued_at: datetime, now: datetime, window_seconds: int) -> bool:
    """Whether a confirm-button POST is held for a second confirmation."""
    age = now - issued_at
    return looks_like_scanner(user_agent) and timedelta(0) <= age < timedelta(
        seconds=window_seconds
    )
