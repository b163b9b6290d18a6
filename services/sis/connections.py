"""Which schools are connected to Wonde, and their connection with its token for a sync.

The token is read from the setting the connection names when a sync needs it (a Key Vault
reference in Azure, so rotating it in Key Vault needs no change here); it is never stored.
"""

from __future__ import annotations

from domain.platform.access import Principal
from domain.platform.errors import NotFound, ValidationFailed
from domain.sis.sync_state import Connection, Cursor
from services.platform.audit import AuditLog
from services.roster.ports import RosterReader
from services.sis.ports import SisConnection
from services.sis.state import SisStateStore, TokenSource


class Connections:
    def __init__(self, state: SisStateStore, tokens: TokenSource, roster: RosterReader,
                 audit: AuditLog) -> None:
        self._state, self._tokens, self._roster, self._audit = state, tokens, roster, audit

    def connect(self, actor: Principal | None, connection: Connection) -> Connection:
        """Store (or change) a school's connection; audited, without any secret."""
        self._roster.school(connection.tenant_id, connection.school_id)  # NotFound
        before = self._state.connection(connection.tenant_id, connection.school_id)
        if before != connection:
            self._state.save_connection(connection)
            self._audit.record(actor=actor, tenant_id=connection.tenant_id, school_id=connection.school_id,
                               action="sis.connection.saved", entity_type="sisconnection",
                               entity_id=connection.school_id, before=_shown(before),
                               after=_shown(connection))
        return connection

    def get(self, tenant_id: str, school_id: str) -> Connection:
        found = self._state.connection(tenant_id, school_id)
        if found is None:
            raise NotFound("this school is not connected to Wonde")
        return found

    def cursors(self, tenant_id: str, school_id: str) -> dict[str, Cursor]:
        return self._state.cursors(tenant_id, school_id)

    def all(self) -> list[Connection]:
        return self._state.connections()

    def resolve(self, tenant_id: str, school_id: str) -> SisConnection:
        """The connection a client reads with. ValidationFailed naming the setting (never its
        value) when the token is not set."""
        found = self.get(tenant_id, school_id)
        token = self._tokens.token(found.token_setting)
        if not token:
            raise ValidationFailed(f"the setting {found.token_setting} holding this school's Wonde "
                                   "token is not set", field="tokenSetting")
        return SisConnection(found.wonde_school_id, token, found.region)


def _shown(connection: Connection | None) -> dict[str, str] | None:
    if connection is None:
        return None
    return {"wondeSchoolId": connection.wonde_school_id, "region": connection.region,
            "tokenSetting": connection.token_setting}
