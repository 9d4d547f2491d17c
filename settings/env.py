"""Settings from the environment. Unset means the embedded default: SQLite and a file broker under ./var."""

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

# Redis redelivers an unacknowledged task after this long; no countdown may come near it.
VISIBILITY_TIMEOUT = 3600
# Alertmanager sends a whole group in one body and drops what is refused with a 4xx; a group of a
# few thousand alerts with long annotations reaches several MiB (docs/refusals.md).
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the processes read from the environment, documented in the README."""

    config_dir: Path
    database_url: str
    broker_url: str
    secret_key: str
    public_url: str
    var_dir: Path
    max_body_bytes: int = MAX_BODY_BYTES
    pagerduty_events_url: str = "https://events.pagerduty.com"
    ack_link_max_age: int = 24 * 3600  # seconds
    tick_seconds: float = 2.0  # how often beat claims due escalations and lost pages
    broker_prefix: str = ""  # keeps several installations (or test runs) apart on one Redis
    # A header naming the signed-in person (name or email), trusted only from these proxy networks.
    web_auth_header: str = ""
    web_auth_proxies: tuple = ()
    # The status page is rebuilt from the database at most this often per web process.
    status_page_max_age: float = 10.0

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS when the service is reached over HTTPS."""
        return self.public_url.startswith("https://")

    @property
    def embedded_broker(self) -> bool:
        """True when Celery uses kombu's filesystem transport (no server needed)."""
        return self.broker_url.startswith("filesystem://")

    @property
    def broker_options(self) -> dict:
        """kombu transport options: folders for the file broker, a visibility timeout for Redis."""
        if self.embedded_broker:
            folder = self.var_dir / "broker"
            return {
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                "control_folder": str(folder / "control"),
                "store_processed": False,
            }
        options = {"visibility_timeout": VISIBILITY_TIMEOUT}
        if self.broker_prefix:
            options["global_keyprefix"] = self.broker_prefix
        return options


def load(environ=None) -> Settings:
    """Read settings from `environ` (default: os.environ)."""
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("INCIDENTS_VAR", "var")).resolve()
    port = env.get("PORT", "8000")
    return Settings(
        config_dir=Path(env.get("INCIDENTS_CONFIG", "config")).resolve(),
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'incidents.db'}",
        broker_url=env.get("CELERY_BROKER_URL") or "filesystem://",
        secret_key=env.get("SECRET_KEY") or "dev-only-insecure-secret-key",
        public_url=(env.get("PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
        var_dir=var_dir,
        max_body_bytes=int(env.get("INCIDENTS_MAX_BODY_BYTES", MAX_BODY_BYTES)),
        pagerduty_events_url=(env.get("PAGERDUTY_EVENTS_URL") or "https://events.pagerduty.com").rstrip("/"),
        ack_link_max_age=int(env.get("INCIDENTS_ACK_LINK_MAX_AGE", 24 * 3600)),
        tick_seconds=float(env.get("INCIDENTS_TICK_SECONDS", 2.0)),
        broker_prefix=env.get("CELERY_BROKER_PREFIX", ""),
        web_auth_header=env.get("WEB_AUTH_HEADER", "").strip(),
        web_auth_proxies=_networks(env.get("WEB_AUTH_PROXIES", "")),
        status_page_max_age=float(env.get("STATUS_PAGE_REFRESH_SECONDS", 10.0)),
    )


def _networks(text: str) -> tuple:
    """`10.0.0.1, 10.1.0.0/16` as networks; a wrong address stops start-up with ValueError."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
