"""The shim's own line to the server under test: a synchronous client signed in as the first
superuser, which signs in again when its token stops working (a test that changes the superuser's
password revokes the superuser's other tokens, this one included)."""
import httpx

from app.core.config import settings


class ServerClient:
    def __init__(self) -> None:
        self._http = httpx.Client(base_url=settings.SERVER_URL, timeout=60)
        self._token: str | None = None

    def _sign_in(self) -> None:
        r = self._http.post(
            f"{settings.API_V1_STR}/login/access-token",
            data={"username": settings.FIRST_SUPERUSER, "password": settings.FIRST_SUPERUSER_PASSWORD},
        )
        r.raise_for_status()
        self._token = r.json()["access_token"]

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
        """A call as the superuser."""
        for attempt in range(2):
            if self._token is None:
                self._sign_in()
            r = self._http.request(
                method, f"{settings.API_V1_STR}{path}", headers={"Authorization": f"Bearer {self._token}"}, **kwargs
            )
            if r.status_code != 401 or attempt:
                return r
            self._token = None
        return r

    def anonymous(self, method: str, path: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
        return self._http.request(method, f"{settings.API_V1_STR}{path}", **kwargs)


server = ServerClient()
