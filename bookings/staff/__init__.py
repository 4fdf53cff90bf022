"""The staff's side of bookings: the front desk's calendar and tools (``desk``), the
therapist's own day (``day``), what they share (``common``), their forms, and the layout of
the calendar grid (``grid``, pure)."""
