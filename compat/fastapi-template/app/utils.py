"""The template's `utils`. Its reset tokens are JWTs it signs itself; the server's are random,
single-use and stored hashed, so `generate_password_reset_token` asks the server for a recovery mail
and reads the link from it: the recovery mail to that address that lands in the server's outbox
($DATA_DIR/outbox/*.eml, where mail goes when no SMTP_HOST is set) after the request. Only that mail:
an account a superuser created also gets an invitation whose link goes to the same page, and it may
land later than its creation's answer; the recovery request makes that link void."""
import email
import email.policy
import os
import re
import time
from typing import Any
from urllib.parse import quote

from app.core.config import settings
from app.server import server

OUTBOX = os.path.join(settings.DATA_DIR, "outbox")
RESET_LINK = re.compile(r"/reset-password\?token=([A-Za-z0-9_-]+)")


def send_email(*, email_to: str, subject: str = "", html_content: str = "") -> None:
    """Present so tests can patch it; the server sends its own mail."""


def _outbox() -> set[str]:
    return set(os.listdir(OUTBOX)) if os.path.isdir(OUTBOX) else set()


def _reset_token_in(path: str, address: str) -> str | None:
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    if address.lower() not in str(message.get("To", "")).lower():
        return None
    if "Password recovery for" not in str(message.get("Subject", "")):
        return None
    body = message.get_body(preferencelist=("plain", "html"))
    match = RESET_LINK.search(body.get_content() if body else "")
    return match.group(1) if match else None


def generate_password_reset_token(email: str) -> str:  # noqa: A002 (the template's parameter name)
    before = _outbox()
    r = server.anonymous("POST", f"/password-recovery/{quote(email)}")
    r.raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name in sorted(_outbox() - before):
            if name.endswith(".eml"):
                token = _reset_token_in(os.path.join(OUTBOX, name), email)
                if token:
                    return token
        time.sleep(0.1)
    raise TimeoutError(f"no password reset mail to {email} reached {OUTBOX} within 60 s")


def verify_password_reset_token(token: str) -> str | None:
    """The server checks its tokens itself; the template's tests never call this."""
    return None


def generate_test_email(email_to: str) -> Any:
    raise NotImplementedError("the server renders its own mail")
