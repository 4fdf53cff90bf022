"""The health questions and the re-screen, the therapist's review, and a client's own data.

A client's data (download, erasure, and the email that proves who they are) has its own
``my-data/<token>/`` routes, apart from the booking's ``b/<token>/`` manage link.
"""

from django.urls import path

import studio.converters  # noqa: F401  (registers the token converters)
from intake import consent_versions, notes, staff, versions, views

app_name = "intake"

urlpatterns = [
    path("book/hold/<uuid:public_id>/health/", views.intake_form, name="intake_form"),
    path("intake/<signed:token>/", views.phone_intake, name="phone_intake"),
    path("rescreen/<signed:token>/", views.rescreen, name="rescreen"),
    path("aftercare/<signed:token>/", views.aftercare, name="aftercare"),
    path("my-data/<token:token>/calma.json", views.my_data, name="client_data"),
    path("my-data/<token:token>/erase/", views.erase, name="client_erase"),
    path("my-data/<token:token>/send-link/", views.send_link, name="client_send_link"),
    path("therapist/reviews/", staff.review_queue, name="review_queue"),
    path("therapist/reviews/<uuid:public_id>/", staff.review_detail, name="review_detail"),
    path("therapist/reviews/<uuid:public_id>/answers/", staff.answers, name="intake_answers"),
    path("therapist/sessions/<uuid:public_id>/note/", notes.session_note, name="session_note"),
    path(
        "therapist/sessions/<uuid:public_id>/note/addendum/",
        notes.session_note_addendum,
        name="session_note_addendum",
    ),
    path("studio/questionnaires/", versions.versions, name="versions"),
    path("studio/questionnaires/<int:pk>/", versions.version_detail, name="version_detail"),
    path("studio/questionnaires/<int:pk>/copy/", versions.version_copy, name="version_copy"),
    path(
        "studio/questionnaires/<int:pk>/publish/", versions.version_publish, name="version_publish"
    ),
    path("studio/consent/<int:pk>/", consent_versions.consent_detail, name="consent_detail"),
    path("studio/consent/<int:pk>/copy/", consent_versions.consent_copy, name="consent_copy"),
    path(
        "studio/consent/<int:pk>/publish/", consent_versions.consent_publish, name="consent_publish"
    ),
    path("studio/questionnaires/<int:pk>/title/", versions.version_title, name="version_title"),
    path(
        "studio/questionnaires/<int:pk>/questions/new/",
        versions.question_add,
        name="question_add",
    ),
    path(
        "studio/questionnaires/<int:pk>/questions/<int:question_pk>/",
        versions.question_edit,
        name="question_edit",
    ),
    path(
        "studio/questionnaires/<int:pk>/questions/<int:question_pk>/move/",
        versions.question_move,
        name="question_move",
    ),
    path(
        "studio/questionnaires/<int:pk>/questions/<int:question_pk>/remove/",
        versions.question_remove,
        name="question_remove",
    ),
]
