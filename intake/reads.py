"""Log each read of health answers or reasons that a response showed, as the design asks.

A read is a GET that succeeded: a refused or failed request showed nothing.
"""

from intake import selectors


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor(request, client=None) -> str:
    """Name who reads, for the access log: the account, or the client without one."""
    if request.user.is_authenticated:
        return request.user.get_username()
    return f"client:{client.pk}" if client is not None else "anonymous"


def log_read(request, response, *, submissions, action: str, client=None):
    """Log one read if this response showed answers or reasons: a GET that succeeded."""
    if request.method == "GET" and response.status_code == 200:
        selectors.answers_read(
            submissions=list(submissions),
            user=request.user,
            actor=actor(request, client),
            ip=client_ip(request),
            action=action,
        )
    return response


def log_shown(request, *, submissions, action: str, client=None) -> None:
    """Log one read for a page being rendered now, if it is a GET that shows any submission.

    For what a template draws on its own (the therapist's day), where there is no response
    to look at yet: the page is rendered for a GET that succeeded.
    """
    if request.method == "GET":
        selectors.answers_read(
            submissions=list(submissions),
            user=request.user,
            actor=actor(request, client),
            ip=client_ip(request),
            action=action,
        )
