"""Settings from the environment. Unset means the embedded default: SQLite and a file broker under ./var."""
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Everything the processes read from the environment, documented in the README."""

    config_dir: Path
    database_url: str
    broker_url: str
    secret_key: str
    public_url: str
    var_dir: Path
    max_body_bytes: int = 1024 * 1024

    @property
    def embedded_broker(self) -> bool:
        """True when Celery uses kombu's filesystem transport (no server needed)."""
        return self.broker_url.startswith("filesystem://")

    @property
    def broker_options(self) -> dict:
        """kombu transport options: folders for the file broker, a visibility timeout for Redis."""
        if self.embedded_broker:
            folder = self.var_dir / "broker"
            return {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                    "processed_folder": str(folder / "processed"), "control_folder": str(folder / "control"),
                    "store_processed": False}
        return {"visibility_timeout": 3600}


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
        max_body_bytes=int(env.get("INCIDENTS_MAX_BODY_BYTES", 1024 * 1024)),
    )
