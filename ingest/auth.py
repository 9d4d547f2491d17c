"""Which services a request's credentials open. Every comparison is constant-time."""

import base64
import hashlib
import hmac

from incidents.services import Catalog


class Unauthenticated(Exception):
    """No credentials, malformed ones, or ones that no service accepts (401)."""

    def __init__(self, message: str, challenge: str = 'Bearer realm="incidents", Basic realm="incidents"'):
        super().__init__(message)
        self.challenge = challenge


GRAFANA_SIGNATURE = "X-Grafana-Alerting-Signature"


def services_for_webhook(catalog: Catalog, headers, body: bytes) -> set[str]:
    """Names of the services a webhook's credentials open: its `Authorization` header, and Grafana's
    HMAC signature of the raw body (docs/contracts.md, "Grafana webhook (v1)") for services that have its secret."""
    authorization, signature = headers.get("Authorization"), headers.get(GRAFANA_SIGNATURE)
    if not authorization and not signature:
        raise Unauthenticated(f"missing Authorization header (Bearer token or basic auth) or {GRAFANA_SIGNATURE}")
    names = _services_for_authorization(catalog, authorization) if authorization else set()
    if signature:
        names |= {s.name for s in catalog.services if _signed(s.credentials, signature.strip().lower(), headers, body)}
    if not names:
        raise Unauthenticated("credentials not accepted")
    return names


def _signed(credentials, signature: str, headers, body: bytes) -> bool:
    """Whether `signature` is the hex HMAC-SHA256 of the body (`timestamp:body` with a timestamp header)."""
    if not credentials.grafana_hmac_secrets:
        return False
    if credentials.grafana_timestamp_header:
        timestamp = headers.get(credentials.grafana_timestamp_header)
        if not timestamp:
            return False
        body = timestamp.encode("utf-8", "surrogateescape") + b":" + body
    secrets = credentials.grafana_hmac_secrets
    return _any_equal(signature, [hmac.new(secret.encode(), body, hashlib.sha256).hexdigest() for secret in secrets])


def _services_for_authorization(catalog: Catalog, authorization: str) -> set[str]:
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        names = {s.name for s in catalog.services if _any_equal(value.strip(), s.credentials.bearer_tokens)}
    elif scheme.lower() == "basic":
        user, password = _basic(value.strip())
        names = {
            s.name
            for s in catalog.services
            if any(_equal(user, u) & _equal(password, p) for u, p in s.credentials.basic_auth)
        }
    else:
        raise Unauthenticated("unsupported Authorization scheme (use Bearer or Basic)")
    return names


API_CHALLENGE = 'Bearer realm="incidents API"'


def api_caller(catalog: Catalog, authorization: str | None) -> str:
    """The name of the API token presented as `Authorization: Bearer <token>`; Unauthenticated otherwise."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("an API token is required: Authorization: Bearer <token>", API_CHALLENGE)
    found = None
    for known, name in catalog.api_tokens.items():
        if _equal(token.strip(), known) and found is None:
            found = name
    if found is None:
        raise Unauthenticated("API token not accepted", API_CHALLENGE)
    return found


def service_for_routing_key(catalog: Catalog, routing_key: str) -> str | None:
    """The service whose integration keys include `routing_key`, if any."""
    found = None
    for service in catalog.services:
        if _any_equal(routing_key, service.credentials.integration_keys) and found is None:
            found = service.name
    return found


def _basic(value: str) -> tuple[str, str]:
    try:
        user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII input
        raise Unauthenticated("malformed basic auth") from None
    if not sep:
        raise Unauthenticated("malformed basic auth")
    return user, password


def _any_equal(given: str, secrets) -> bool:
    # Compare against every secret, without stopping early, so timing tells nothing.
    result = False
    for secret in secrets:
        result |= _equal(given, secret)
    return result


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape"))
