"""Domain refusals (one exception, shown as a form error, never a 500), and a dead link."""

from studio.errors import NotFoundPage


class BookingRefused(Exception):
    """A booking, hold, move or screening step was refused for a reason a client can read."""

    # Codes views can branch on; the message is what a person reads.
    SLOT_TAKEN = "slot_taken"
    INVALID = "invalid"
    HOLD_EXPIRED = "hold_expired"
    POLICY = "policy"
    SCREENING_STOP = "screening_stop"
    # The reminder's answer: the booking moved since it was sent, or cancelling is now late.
    MOVED = "moved"
    LATE = "late"

    def __init__(self, message, *, code: str = INVALID):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return str(self.message)


class ManageLinkGone(NotFoundPage):
    """A manage link that leads nowhere: unknown, revoked or expired (all look the same)."""

    # Says nothing of the booking, nor whether the link ever existed.
    template_name = "bookings/link_gone.html"
