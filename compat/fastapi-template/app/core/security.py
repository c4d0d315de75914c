"""Password checks against the server's stored hashes (bcrypt, as the server writes them)."""
import bcrypt

# The template's JWT algorithm (its tests sign tokens with `settings.SECRET_KEY` and this).
ALGORITHM = "HS256"


class Verified(tuple):  # type: ignore[type-arg]
    """`(verified, new_hash)`, as the template's pwdlib-era `verify_password` returns, and truthy only
    when verified, as its passlib-era one (a bool) is: tests of either era read it their way."""

    def __new__(cls, ok: bool) -> "Verified":
        return super().__new__(cls, (ok, None))

    def __bool__(self) -> bool:
        return bool(self[0])


def verify_password(plain_password: str, hashed_password: str | None) -> Verified:
    if not hashed_password:
        return Verified(False)
    try:
        return Verified(bcrypt.checkpw(plain_password.encode(), hashed_password.encode()))
    except ValueError:
        return Verified(False)


def get_password_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
