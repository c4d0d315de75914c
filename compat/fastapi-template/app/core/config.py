"""The template's `settings`, from the environment the runner (scripts/template-suite.sh) sets.

Tests read these names and patch some of them (`SMTP_HOST`, `SMTP_USER`); patching changes nothing on
the server, which has its own settings, as the template's TestClient app would not either when the
mail is sent by a mocked function.
"""
import os


class Settings:
    def __init__(self) -> None:
        self.API_V1_STR = "/api/v1"
        self.PROJECT_NAME = os.environ.get("PROJECT_NAME", "Full Stack FastAPI Project")
        self.ENVIRONMENT = os.environ.get("ENVIRONMENT", "local")
        self.FIRST_SUPERUSER = os.environ["FIRST_SUPERUSER"]
        self.FIRST_SUPERUSER_PASSWORD = os.environ["FIRST_SUPERUSER_PASSWORD"]
        self.EMAIL_TEST_USER = os.environ.get("EMAIL_TEST_USER", "test@example.com")
        self.SMTP_HOST = os.environ.get("SMTP_HOST") or None
        self.SMTP_USER = os.environ.get("SMTP_USER") or None
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
        self.EMAILS_FROM_EMAIL = os.environ.get("EMAILS_FROM_EMAIL", "info@example.com")
        self.EMAIL_RESET_TOKEN_EXPIRE_HOURS = 1
        self.FRONTEND_HOST = os.environ.get("FRONTEND_HOST", "http://localhost:5173")
        # The template signs its own reset tokens with it; a test signs one without `sub` and expects the
        # server to refuse it (ours are random, not JWTs, so any such token is refused).
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "changethis")
        # Where the server under test listens and keeps its data (set by the runner).
        self.SERVER_URL = os.environ["SIGNIN_SERVER_URL"].rstrip("/")
        self.DATA_DIR = os.environ["SIGNIN_DATA_DIR"]

    @property
    def emails_enabled(self) -> bool:
        return bool(self.SMTP_HOST and self.EMAILS_FROM_EMAIL)


settings = Settings()
