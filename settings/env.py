"""Settings from the environment. Unset means the embedded default: SQLite and a file broker under ./var."""

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from incidents import urls
from incidents.timings import Timings

# Redis redelivers an unacknowledged task after this long; no countdown may come near it.
VISIBILITY_TIMEOUT = 3600
# Signs acknowledgement links when SECRET_KEY is unset: good for `make run` on one machine only.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key"
# Alertmanager sends a whole group in one body and drops what is refused with a 4xx; a group of a
# few thousand alerts with long annotations reaches several MiB (docs/refusals.md).
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Smtp:
    """Where on-call notices are mailed (SMTP_*); `tls` is starttls, ssl or none."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    tls: str = "starttls"


SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


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
    timings: Timings = field(default_factory=Timings)  # policy timings and batch sizes
    # A header naming the signed-in person (name or email), trusted only from these proxy networks.
    web_auth_header: str = ""
    web_auth_proxies: tuple = ()
    # The status page is rebuilt from the database at most this often per web process.
    status_page_max_age: float = 10.0
    # On-call notices: mailed through this server; None keeps them in the built-in mailbox (/mail).
    smtp: Smtp | None = None
    notice_seconds: float = 60.0  # how often beat looks at the schedules for notices to send

    @property
    def local_pagerduty(self) -> bool:
        """True when pages go to the built-in local sink (api/local_pagerduty.py), not to PagerDuty."""
        return self.pagerduty_events_url == urls.local_pagerduty_url(self.public_url)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS when the service is reached over HTTPS."""
        return self.public_url.startswith("https://")

    @property
    def embedded_database(self) -> bool:
        """True when DATABASE_URL is unset: the SQLite file under INCIDENTS_VAR."""
        return self.database_url == embedded_database_url(self.var_dir)

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
    public_url = (env.get("PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    return Settings(
        config_dir=Path(env.get("INCIDENTS_CONFIG", "config")).resolve(),
        database_url=env.get("DATABASE_URL") or embedded_database_url(var_dir),
        broker_url=env.get("CELERY_BROKER_URL") or "filesystem://",
        secret_key=env.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY,
        public_url=public_url,
        var_dir=var_dir,
        max_body_bytes=int(env.get("INCIDENTS_MAX_BODY_BYTES", MAX_BODY_BYTES)),
        pagerduty_events_url=_events_url(env, public_url),
        ack_link_max_age=int(env.get("INCIDENTS_ACK_LINK_MAX_AGE", 24 * 3600)),
        tick_seconds=float(env.get("INCIDENTS_TICK_SECONDS", 2.0)),
        broker_prefix=env.get("CELERY_BROKER_PREFIX", ""),
        timings=Timings(
            sweep_grace=timedelta(seconds=float(env.get("INCIDENTS_SWEEP_GRACE_SECONDS", 10))),
            page_retry_base=float(env.get("INCIDENTS_PAGE_RETRY_BASE_SECONDS", 1.0)),
            page_retry_cap=float(env.get("INCIDENTS_PAGE_RETRY_CAP_SECONDS", 300.0)),
        ),
        web_auth_header=env.get("WEB_AUTH_HEADER", "").strip(),
        web_auth_proxies=_networks(env.get("WEB_AUTH_PROXIES", "")),
        status_page_max_age=float(env.get("STATUS_PAGE_REFRESH_SECONDS", 10.0)),
        smtp=_smtp(env, public_url),
        notice_seconds=float(env.get("INCIDENTS_NOTICE_SECONDS", 60.0)),
    )


def _smtp(env, public_url: str) -> Smtp | None:
    """SMTP_HOST and its companions; unset, None. A wrong SMTP_TLS stops start-up with ValueError."""
    if not env.get("SMTP_HOST"):
        return None
    tls = env.get("SMTP_TLS", "starttls").strip().lower()
    if tls not in SMTP_PORTS:
        raise ValueError(f"SMTP_TLS must be one of {', '.join(SMTP_PORTS)}, not {tls!r}")
    host = urlsplit(public_url).hostname or "localhost"
    return Smtp(
        host=env["SMTP_HOST"],
        port=int(env.get("SMTP_PORT") or SMTP_PORTS[tls]),
        sender=env.get("SMTP_FROM") or f"incidents@{host}",
        user=env.get("SMTP_USER", ""),
        password=env.get("SMTP_PASSWORD", ""),
        tls=tls,
    )


def _networks(text: str) -> tuple:
    """`10.0.0.1, 10.1.0.0/16` as networks; a wrong address stops start-up with ValueError."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _events_url(env, public_url: str) -> str:
    """PAGERDUTY_EVENTS_URL; unset, the built-in local sink on the embedded set-up (a first run pages
    somewhere visible), else PagerDuty's host."""
    if env.get("PAGERDUTY_EVENTS_URL"):
        return env["PAGERDUTY_EVENTS_URL"].rstrip("/")
    return urls.local_pagerduty_url(public_url) if not env.get("DATABASE_URL") else "https://events.pagerduty.com"


def embedded_database_url(var_dir: Path) -> str:
    """The SQLite file `make run` uses when DATABASE_URL is unset."""
    return f"sqlite:///{var_dir / 'incidents.db'}"
