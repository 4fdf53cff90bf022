from django.urls import path

from intake import views

urlpatterns = [
    path("book/hold/<uuid:public_id>/health/", views.intake_form, name="intake_form"),
    path("intake/<str:token>/", views.phone_intake, name="phone_intake"),
    path("rescreen/<str:token>/", views.rescreen, name="rescreen"),
    path("therapist/reviews/", views.review_queue, name="review_queue"),
    path("therapist/reviews/<uuid:public_id>/", views.review_detail, name="review_detail"),
    path("therapist/reviews/<uuid:public_id>/answers/", views.answers, name="intake_answers"),
    path("b/<str:token>/my-data.json", views.my_data, name="client_data"),
    path("b/<str:token>/erase/", views.erase, name="client_erase"),
    path("b/<str:token>/send-link/", views.send_link, name="client_send_link"),
]
