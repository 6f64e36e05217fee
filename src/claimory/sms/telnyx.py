"""The Telnyx adapter: send texts (Messages API v2) and find and order phone numbers.

Every failure becomes a ``SendError`` (sends) or ``TelnyxError`` (numbers) that says whether
trying again can help; backoff between tries is the outbox's business (core/durable.retry),
so nothing here sleeps. Tests point ``TELNYX_API_BASE`` at tests/sms/fake_telnyx.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from claimory.sms.providers import Accepted, OutgoingText, SendError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
OPTED_OUT_CODE = "40300"  # "Blocked due to STOP message"


class TelnyxError(Exception):
    """A numbers call failed. ``retryable``: a 429/5xx/network error, worth trying later."""

    def __init__(self, detail: str, *, code: str = "", retryable: bool = False,
                 retry_after: float | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str  # E.164
    locality: str = ""
    region: str = ""
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class Order:
    id: str
    status: str  # pending | success | failure
    phone_number: str = ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: let the outbox's backoff decide
        return None


def _first_error(response: httpx.Response) -> tuple[str, str]:
    """(code, "title — detail") of a Telnyx error body, or ("", status line)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        error = errors[0]
        text = " — ".join(str(error[k]) for k in ("title", "detail") if error.get(k))
        return str(error.get("code") or ""), text or f"HTTP {response.status_code}"
    return "", f"Telnyx answered HTTP {response.status_code}"


def _data(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "data" not in body:
        raise TelnyxError("Telnyx answered without a `data` object.", retryable=True)
    return body["data"]


@dataclass
class TelnyxClient:
    """The few Telnyx endpoints Claimory uses, over one short-timeout httpx client."""

    api_key: str
    base: str = "https://api.telnyx.com"
    transport: httpx.BaseTransport | None = None

    @classmethod
    def from_settings(cls) -> TelnyxClient:
        return cls(api_key=settings.TELNYX_API_KEY,
                   base=(settings.TELNYX_API_BASE or "https://api.telnyx.com").rstrip("/"))

    def _request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                 **kwargs: Any) -> httpx.Response:
        with httpx.Client(base_url=self.base, timeout=TIMEOUT, transport=self.transport,
                          headers={"Authorization": f"Bearer {self.api_key}",
                                   "Accept": "application/json", **(headers or {})}) as client:
            return client.request(method, path, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """A numbers call: the `data` of a 2xx answer, else TelnyxError."""
        try:
            response = self._request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise TelnyxError(f"Telnyx could not be reached: {type(exc).__name__}",
                              retryable=True) from exc
        if response.is_success:
            return _data(response)
        code, detail = _first_error(response)
        retryable = response.status_code == 429 or response.status_code >= 500
        raise TelnyxError(detail, code=code, retryable=retryable,
                          retry_after=_retry_after(response))

    # Messages

    def message_send(self, text: OutgoingText) -> Accepted:
        body: dict[str, Any] = {"from": text.sender, "to": text.to, "text": text.text}
        if text.media_urls:
            body["media_urls"] = list(text.media_urls)
        if text.messaging_profile_id:
            body["messaging_profile_id"] = text.messaging_profile_id
        if text.webhook_url:
            body["webhook_url"] = text.webhook_url
        try:
            response = self._request("POST", "/v2/messages", json=body,
                                     headers={"Idempotency-Key": text.idempotency_key})
        except httpx.HTTPError as exc:
            # Timed out after the request left: Telnyx may have it. The retry carries the
            # same Idempotency-Key, so it cannot become a second text.
            raise SendError(f"Telnyx could not be reached: {type(exc).__name__}",
                            retryable=True) from exc
        if response.is_success:
            try:
                data = _data(response)
            except TelnyxError as exc:
                raise SendError(exc.detail, retryable=True) from exc
            provider_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(provider_id, str) or not provider_id:
                raise SendError("Telnyx accepted the text but gave no message id.",
                                retryable=True)
            return Accepted(provider_id=provider_id)
        code, detail = _first_error(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise SendError(detail, code=code or str(response.status_code), retryable=True,
                            retry_after=_retry_after(response))
        if code == OPTED_OUT_CODE:
            raise SendError(detail or "Blocked due to STOP message", code=code, opted_out=True)
        raise SendError(detail, code=code or str(response.status_code), retryable=False)

    # Numbers

    def available_numbers(self, *, area_code: str | None = None, locality: str | None = None,
                          region: str | None = None, limit: int = 10) -> list[AvailableNumber]:
        params: list[tuple[str, str]] = [("filter[country_code]", "US"),
                                         ("filter[features][]", "sms"),
                                         ("filter[limit]", str(limit))]
        if area_code:
            params.append(("filter[national_destination_code]", area_code))
        if locality:
            params.append(("filter[locality]", locality))
        if region:
            params.append(("filter[administrative_area]", region))
        data = self._call("GET", "/v2/available_phone_numbers", params=params)
        numbers = []
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("phone_number"), str):
                continue
            regions = {r.get("region_type"): r.get("region_name")
                       for r in item.get("region_information") or [] if isinstance(r, dict)}
            features = tuple(f.get("name", "") for f in item.get("features") or []
                             if isinstance(f, dict))
            numbers.append(AvailableNumber(
                phone_number=item["phone_number"], locality=regions.get("location") or "",
                region=regions.get("state") or "", features=features))
        return numbers

    def number_order_create(self, phone_number: str, messaging_profile_id: str = "") -> Order:
        body: dict[str, Any] = {"phone_numbers": [{"phone_number": phone_number}]}
        if messaging_profile_id:
            body["messaging_profile_id"] = messaging_profile_id
        return _order(self._call("POST", "/v2/number_orders", json=body))

    def number_order_get(self, order_id: str) -> Order:
        return _order(self._call("GET", f"/v2/number_orders/{order_id}"))


def _order(data: Any) -> Order:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise TelnyxError("Telnyx answered a number order without an id.", retryable=True)
    numbers = data.get("phone_numbers") or []
    first = numbers[0] if numbers and isinstance(numbers[0], dict) else {}
    return Order(id=data["id"], status=str(data.get("status") or "pending"),
                 phone_number=str(first.get("phone_number") or ""))


@dataclass
class TelnyxProvider:
    """The outbox's provider when ``TELNYX_API_KEY`` is set (sms/providers.py)."""

    client: TelnyxClient
    name: str = "telnyx"

    @classmethod
    def from_settings(cls) -> TelnyxProvider:
        return cls(client=TelnyxClient.from_settings())

    def send(self, text: OutgoingText) -> Accepted:
        return self.client.message_send(text)
