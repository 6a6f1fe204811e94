"""The error tree every vendor client raises.

Callers decide by class, not by parsing messages: a ``RetryableError`` may succeed later
(rate limited, vendor unavailable, timed out, connection dropped, answer unreadable, circuit open); a
``PermanentError`` will fail the same way until someone changes the data or the config.
Each error carries the vendor, HTTP status, endpoint and the vendor's own message.
"""

from __future__ import annotations

from typing import TypedDict


class ErrorDetails(TypedDict, total=False):
    """Where an error came from, as keyword arguments for any error in the tree."""

    vendor: str | None
    status: int | None
    endpoint: str | None
    vendor_message: str | None


class ConnectorError(Exception):
    """Root of everything the connector raises about a vendor call or a record."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
        vendor_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.vendor = vendor
        self.status = status
        self.endpoint = endpoint
        self.vendor_message = vendor_message
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [self.message]
        where = " ".join(p for p in (self.vendor, self.endpoint) if p)
        if where:
            parts.append(f"[{where}]")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.vendor_message and self.vendor_message not in self.message:
            parts.append(f"vendor says: {self.vendor_message}")
        return " ".join(parts)


class RetryableError(ConnectorError):
    """The same call may succeed later without anyone changing anything."""

    retryable = True
    # The request never reached the vendor (no connection), so even a write may safely be sent again.
    never_sent: bool = False


class RateLimited(RetryableError):
    """HTTP 429: the vendor asks us to slow down (``retry_after`` holds its wish)."""


class VendorUnavailable(RetryableError):
    """HTTP 5xx: the vendor failed to answer the call properly."""


class VendorTimeout(RetryableError):
    """No answer within the client's timeout."""


class ConnectionLost(RetryableError):
    """The connection failed or was dropped before a complete answer arrived."""


class UnreadableAnswer(RetryableError):
    """A 2xx answer whose body is not JSON at all: cut off on the way, or a proxy's HTML page. The call
    may well have done its work (a write landed), so it is asked again, or the object read back."""


class CircuitOpen(RetryableError):
    """Too many consecutive failed calls: calls are paused to protect the vendor and our access. The
    message says until when and the last real cause; ``retry_after`` holds the seconds left."""


class PermanentError(ConnectorError):
    """Retrying the same call will fail the same way; a person or a data change is needed."""


class AuthenticationFailed(PermanentError):
    """Bad or refused credentials (Starweb ``invalid_client``, Ongoing 401)."""


class GoodsOwnerNotAccessible(AuthenticationFailed):
    """The Ongoing API user's credentials work, but the configured goods owner id is wrong or not
    open to that user: a configuration problem, not a password problem."""


class NotFound(PermanentError):
    """HTTP 404: the resource does not exist at the vendor."""


class RefusedByVendor(PermanentError):
    """Any other 4xx: the vendor refused the request (validation, business rule, locked record)."""


class UnexpectedResponse(PermanentError):
    """A 2xx answer whose body does not match the vendor's published model."""


class MappingError(PermanentError):
    """A record cannot be translated for the other system (unknown SKU, unmapped method, too long)."""
