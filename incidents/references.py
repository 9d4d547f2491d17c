"""How people and machines name an incident: `INC-123` or `123`."""

import re

# ASCII digits only: str.isdigit takes "¹", which int() then refuses (schemathesis found it).
INCIDENT_REF = re.compile(r"(?:INC-)?([0-9]{1,9})", re.IGNORECASE)


def incident_number(incident_ref: str) -> int | None:
    """123 for `INC-123`, `inc-123` or `123`; None for anything else."""
    found = INCIDENT_REF.fullmatch(incident_ref)
    return int(found.group(1)) if found else None


# The largest row id (BIGINT): a URL naming a larger one names nothing (404), it must not reach the database.
MAX_ID = 2**63 - 1
