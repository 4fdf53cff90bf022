"""Escaping for markup written in Python: text for text what Django's functions give."""

from django.utils import html as django_html
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from studio import escaping

TEXT = st.text(alphabet=st.sampled_from("ab<>&\"' é·\n"), max_size=12)
VALUES = st.one_of(
    TEXT,
    TEXT.map(mark_safe),
    st.integers(),
    st.none(),
    st.just(gettext_lazy("Anyone available")),
)


@given(VALUES)
def test_escape_writes_what_djangos_escape_writes(value):
    assert escaping.escape(value) == django_html.escape(value)


@given(VALUES)
def test_conditional_escape_writes_what_djangos_writes(value):
    assert escaping.conditional_escape(value) == django_html.conditional_escape(value)


def test_escape_escapes_markup_marked_safe_and_conditional_escape_keeps_it():
    marked = mark_safe("<b>kept</b>")

    assert escaping.escape(marked) == "&lt;b&gt;kept&lt;/b&gt;"
    assert escaping.conditional_escape(marked) == "<b>kept</b>"
    assert escaping.conditional_escape("<b>") == "&lt;b&gt;"


def test_lazy_text_is_escaped_in_the_active_language():
    with translation.override("es"):
        assert escaping.escape(gettext_lazy("Anyone available")) == "Cualquier terapeuta disponible"
        assert escaping.conditional_escape(gettext_lazy("Anyone available")) == (
            "Cualquier terapeuta disponible"
        )
