"""Where alerts find their settings: the environment, else ``tracker.toml`` beside the database.

The file holds the same keys as the environment, at its top level::

    TRACKER_SMTP_HOST = "smtp.example.org"
    TRACKER_SMTP_PORT = 587
    TRACKER_SMTP_USER = "tracker"
    TRACKER_SMTP_PASSWORD = "..."
    TRACKER_MAIL_FROM = "Procurement Bill tracker <tracker@example.org>"
    TRACKER_WEBHOOK_SECRET = "..."

An environment variable wins over the file. Credentials are read at delivery time
and never written to the database; ``tracker serve`` never serves the file.
"""
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from scrapers.errors import TrackerError

CONFIG_FILE = "tracker.toml"
SOURCE = "alerts config"
SMTP_SECURITY = ("starttls", "tls", "none")
DEFAULT_SMTP_PORT = 587
DEFAULT_SITE_URL = "http://127.0.0.1:8001"
WEBHOOK_SECRET = "TRACKER_WEBHOOK_SECRET"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Settings:
    """The alert settings: environment over ``tracker.toml``; ``path`` is the file read, if any."""

    file_values: Mapping[str, str]
    environ: Mapping[str, str]
    path: Path | None = None

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self.environ.get(key)
        if value not in (None, ""):
            return value
        value = self.file_values.get(key)
        return default if value in (None, "") else value

    def where(self) -> str:
        """Where a missing key may be set, for error messages."""
        return f"the environment or {self.path}" if self.path else f"the environment or {CONFIG_FILE} beside the database"


def load_settings(db_path, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings for the database at ``db_path``."""
    path = Path(db_path).resolve().parent / CONFIG_FILE
    values = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise TrackerError(f"cannot read: {error}", source=SOURCE, url=str(path)) from None
        except tomllib.TOMLDecodeError as error:
            raise TrackerError(f"not valid TOML: {error}", source=SOURCE, url=str(path)) from None
        values = {k: str(v) for k, v in data.items() if isinstance(v, (str, int))}
    return Settings(values, os.environ if environ is None else environ, path if path.exists() else None)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    security: str
    mail_from: str


def smtp_settings(settings: Settings) -> SmtpSettings:
    """The SMTP relay to send mail through; a one-line TrackerError when it is not configured."""
    host = settings.get("TRACKER_SMTP_HOST")
    mail_from = settings.get("TRACKER_MAIL_FROM")
    if not host or not mail_from:
        missing = "TRACKER_SMTP_HOST" if not host else "TRACKER_MAIL_FROM"
        raise TrackerError(f"{missing} is not set (in {settings.where()})", source="SMTP")
    port = settings.get("TRACKER_SMTP_PORT") or str(DEFAULT_SMTP_PORT)
    if not port.isdigit():
        raise TrackerError(f"TRACKER_SMTP_PORT is not a port number: {port}", source="SMTP")
    security = (settings.get("TRACKER_SMTP_SECURITY") or "starttls").lower()
    if security not in SMTP_SECURITY:
        raise TrackerError(f"TRACKER_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security}", source="SMTP")
    return SmtpSettings(host, int(port), settings.get("TRACKER_SMTP_USER"), settings.get("TRACKER_SMTP_PASSWORD"), security, mail_from)


def webhook_secret(settings: Settings, env_name: str | None = None) -> bytes:
    """The key webhooks are signed with: ``env_name``'s value (a watch's ``--secret-env``),
    else TRACKER_WEBHOOK_SECRET; a one-line TrackerError when it is not set."""
    name = env_name or WEBHOOK_SECRET
    value = settings.get(name)
    if not value:
        raise TrackerError(f"{name} is not set (in {settings.where()}): webhooks are never sent unsigned", source="webhook")
    return value.encode("utf-8")


def site_url(settings: Settings) -> str:
    """Where the tracker's pages are served (TRACKER_SITE_URL), for links in messages."""
    return (settings.get("TRACKER_SITE_URL") or DEFAULT_SITE_URL).rstrip("/")
