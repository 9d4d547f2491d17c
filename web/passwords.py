"""Password hashes (scrypt, through werkzeug): what the CLI stores and the sign-in form checks."""

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
# Checked when a name has no password, so that an unknown name costs as much time as a wrong password.
_DECOY = generate_password_hash("decoy password, never matches", method="scrypt")


def hashed(password: str) -> str:
    """The hash to store for a password."""
    return generate_password_hash(password, method="scrypt")


def matches(stored: str | None, password: str) -> bool:
    """Whether the password matches the stored hash; False, after the same work, when there is none."""
    ok = check_password_hash(stored or _DECOY, password)
    return ok and stored is not None
