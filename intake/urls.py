from django.urls import path

import studio.converters  # noqa: F401  (registers the token converters)
from intake import views

urlpatterns = [
    path("book/hold/<uuid:public_id>/health/", views.intake_form, name="intake_form"),
    path("intake/<signed:token>/", views.phone_intake, name="phone_intake"),
    path("rescreen/<signed:token>/", views.rescreen, name="rescreen"),
    path("therapist/reviews/", views.review_queue, name="review_queue"),
    path("therapist/reviews/<uuid:public_id>/", views.review_detail, name="review_detail"),
    path("therapist/reviews/<uuid:public_id>/answers/", views.answers, name="intake_answers"),
    path("b/<token:token>/my-data.json", views.my_data, name="client_data"),
    path("b/<token:token>/erase/", views.erase, name="client_erase"),
    path("b/<token:token>/send-link/", views.send_link, name="client_send_link"),
]
