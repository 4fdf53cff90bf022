"""A URLconf with one view that fails, to prove the corpus reports a server error."""

from django.urls import path


def boom(request):
    raise RuntimeError("a view that fails")


urlpatterns = [path("boom/", boom)]
