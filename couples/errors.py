"""Domain errors: what a service refuses, with a message meant for the person."""


class DomainError(Exception):
    """A refusal with a calm, clear message; views show it, sockets send it as an error event."""

    status = 400
    code = "invalid"
    headers: dict[str, str] = {}  # what the answer's headers add (a 503 says when to try again)

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    def as_dict(self) -> dict:
        """Return the error as the socket payload {"code", "message"}."""
        return {"code": self.code, "message": str(self)}


class Invalid(DomainError):
    """The request is not acceptable as it stands (bad value, wrong state)."""


class NotFound(DomainError):
    """Nothing here for this person: unknown, or belonging to someone else (never say which)."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "We couldn't find that.", code: str | None = None):
        super().__init__(message, code)


class Forbidden(DomainError):
    """The person may see this but may not do that."""

    status = 403
    code = "forbidden"


class ReadOnly(Forbidden):
    """The couple has unlinked: its shared spaces are a read-only archive."""

    code = "read_only"

    def __init__(self, message: str = "This space is now a read-only archive.", code: str | None = None):
        super().__init__(message, code)


class Conflict(DomainError):
    """Someone else got there first, or the state moved on."""

    status = 409
    code = "conflict"
