"""Domain errors: exception classes that carry data and a stable code, never UI text."""


class DomainError(Exception):
    """Base of every rule violation; the web edge maps `code` to a translated message."""

    code = "domain_error"

    def __init__(self, **data):
        self.data = data
        super().__init__(f"{self.code}: {data}")

    def __getattr__(self, name):
        try:
            return self.__dict__["data"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


class NotAllowed(DomainError):
    """The actor's role or scope does not permit the action."""

    code = "not_allowed"


class Conflict(DomainError):
    """The object changed or is taken; the client should reload and retry."""

    code = "conflict"
