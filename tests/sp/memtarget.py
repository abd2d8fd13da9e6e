"""An in-memory SP target for plan/apply tests: scripted failures, no network."""

from __future__ import annotations

from ssoctl.errors import ApiRefusedError, NetworkError
from ssoctl.sp.contract import Current, SsoSettings


class MemTarget:
    """Holds settings; ``script`` maps call number (1-based, per method) to a behaviour."""

    name = "sipgate"
    endpoint = "https://sp.example.test/v2/sso/settings"
    supports_enabled = True

    def __init__(self, settings: SsoSettings, *, etag: bool = True) -> None:
        self.settings = settings
        self.version = 1
        self.use_etag = etag
        self.reads = 0
        self.writes: list[SsoSettings] = []
        self.write_script: dict[int, str] = {}
        self.read_script: dict[int, str] = {}
        self.closed = False

    def read(self) -> Current:
        self.reads += 1
        action = self.read_script.get(self.reads)
        if action == "fail":
            raise NetworkError("timed out talking to sp.example.test", code="HTTP_TIMEOUT")
        return Current(self.settings, etag=f'"v{self.version}"' if self.use_etag else None)

    def write(self, settings: SsoSettings, *, etag: str | None = None) -> None:
        self.writes.append(settings)
        action = self.write_script.get(len(self.writes), "ok")
        if action in ("ok", "500-applied", "drop", "mangle"):
            if action != "drop":
                self.settings = settings
                self.version += 1
            if action == "mangle":
                self.settings = SsoSettings("https://evil.example.test", settings.idp_entity_id,
                                            settings.certificate, settings.enabled)
            if action == "500-applied":
                raise NetworkError("HTTP 500", code="HTTP_SERVER_ERROR")
            return
        if action == "500":
            raise NetworkError("HTTP 500", code="HTTP_SERVER_ERROR")
        if action == "412":
            raise ApiRefusedError("changed", code="HTTP_CONFLICT", status=412)
        raise AssertionError(action)

    def close(self) -> None:
        self.closed = True
