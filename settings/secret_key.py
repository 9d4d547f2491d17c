"""The development SECRET_KEY is for the embedded set-up only: anyone who reads the source can sign links."""

from settings.env import DEVELOPMENT_SECRET_KEY, Settings


class InsecureSecretKey(Exception):
    """The development SECRET_KEY with a real database: acknowledgement links could be forged."""


def secret_key_warning(settings: Settings) -> str | None:
    """A warning for the development key on the embedded database; raises InsecureSecretKey elsewhere."""
    if settings.secret_key != DEVELOPMENT_SECRET_KEY:
        return None
    if not settings.embedded_database:
        raise InsecureSecretKey(
            "SECRET_KEY is not set: the development key signs acknowledgement links that anyone can forge. "
            "Set SECRET_KEY to a long random value before running on DATABASE_URL, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    return (
        "warning: SECRET_KEY is not set; the development key signs acknowledgement links. "
        "Fine on the embedded database of `make run`; set SECRET_KEY for anything else."
    )
