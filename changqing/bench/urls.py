"""The product's URLs plus the floor view, so both are served through the same stack."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from changqing.urls import urlpatterns as product_urlpatterns


@login_required
def floor_view(request):
    """The cheapest authenticated page: session, user and middleware, no query of our own."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("__bench__/floor/", floor_view, name="bench-floor"), *product_urlpatterns]
