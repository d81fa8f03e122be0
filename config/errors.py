"""One family of domain errors. The API turns each into `{"detail", "code"}` with its status."""


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None,
                 extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status_code = status
        self.extra = extra or {}


class NotFound(DomainError):
    """Also what a caller gets for an object it may not see: no existence leak."""

    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "permission_denied"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
