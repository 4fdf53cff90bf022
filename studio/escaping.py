"""Escaping for markup written in Python: Django's ``escape`` and ``conditional_escape``, unwrapped.

The busiest pages write their hot loops in Python rather than in templates: the times page's
picker, its selects and its step bar, and the staff calendar. Django wraps both functions
with ``keep_lazy``, so that lazy text stays lazy: the wrapper checks every argument, and on
those pages the checks cost more than the escaping (some 400 times a day view of the staff
calendar). Here every value is made text at once, in the active language, as Django's
functions make it: what is escaped is written into the page right away. Text for text the
same as Django's (``tests/studio/test_escaping.py``).
"""

import html

from django.utils.functional import Promise


def escape(value) -> str:
    """Escape as ``django.utils.html.escape`` does: always, markup marked safe included."""
    return html.escape(str(value))


def conditional_escape(value) -> str:
    """Escape as ``django.utils.html.conditional_escape`` does: markup marked safe is kept."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
