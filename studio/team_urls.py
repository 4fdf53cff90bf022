from django.urls import path

from studio import team

app_name = "team"

urlpatterns = [
    path("", team.team, name="team"),
    path("<slug:slug>/", team.therapist_edit, name="therapist_edit"),
]
