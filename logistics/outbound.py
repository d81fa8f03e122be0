"""Outbound HTTP to tracking sources: one requests session, timeouts, retries, quotas.

Never called inside a database transaction (HOUSE_STYLE.md). Quotas live in the cache
(Redis in production) so every worker shares them:
- a per-number re-query lock (kuaidi100 locks a number queried more than once per 30 min);
- a per-second request budget (17TRACK allows about 3 requests/s).
`settings.LOGISTICS_URL_OVERRIDES` ({source: "http://127.0.0.1:8123"}) sends a source's
requests to another scheme+host — the tests' local fake server; never set in production.
"""

import time
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.cache import cache
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from logistics.adapters import HttpRequest

_session: requests.Session | None = None


class SourceHttpError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def session() -> requests.Session:
    global _session
    if _session is None:
        s = requests.Session()
        # Queries are read-only, so POSTs are retried too; 429/5xx back off 0.2 s, 0.4 s.
        retry = Retry(total=2, connect=2, read=1, status=2, backoff_factor=0.2,
                      status_forcelist=(429, 500, 502, 503, 504), allowed_methods=None,
                      raise_on_status=False, respect_retry_after_header=False)
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        s.trust_env = False  # no proxies from the environment
        _session = s
    return _session


def target_url(source: str, url: str) -> str:
    override = getattr(settings, "LOGISTICS_URL_OVERRIDES", {}).get(source)
    if not override:
        return url
    parts, base = urlsplit(url), urlsplit(override)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


def send(source: str, request: HttpRequest) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body); SourceHttpError on network failure or a non-2xx answer."""
    try:
        response = session().request(request.method, target_url(source, request.url),
                                     headers=request.headers, data=request.body or None,
                                     timeout=(3.05, settings.LOGISTICS_HTTP_TIMEOUT))
    except requests.RequestException as exc:
        raise SourceHttpError(f"{source}: {exc.__class__.__name__}: {exc}") from None
    if response.status_code >= 300:
        raise SourceHttpError(f"{source}: HTTP {response.status_code}",
                              status=response.status_code)
    return response.status_code, dict(response.headers), response.content


def acquire_requery(source: str, number: str, minutes: int) -> bool:
    """False when `number` was queried at `source` less than `minutes` ago."""
    if minutes <= 0:
        return True
    return cache.add(f"logistics:requery:{source}:{number}", 1, timeout=minutes * 60)


def release_requery(source: str, number: str) -> None:
    cache.delete(f"logistics:requery:{source}:{number}")


def acquire_rate(source: str, per_second: float) -> bool:
    """A fixed one-second window shared through the cache; False when the budget is spent."""
    if per_second <= 0:
        return True
    key = f"logistics:rate:{source}:{int(time.time())}"
    cache.add(key, 0, timeout=5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=5)
        used = 1
    return used <= max(int(per_second), 1)
