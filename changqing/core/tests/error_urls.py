"""A urlconf for the error-page tests: the project's URLs plus views that fail on purpose."""
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from changqing.urls import handler400, handler403, handler404, handler500, urlpatterns as project  # noqa: F401


def boom(request):
    raise RuntimeError("secret internal detail: Traceback of the failing view")


def denied(request):
    raise PermissionDenied("您没有导出权限")


def denied_english(request):
    raise PermissionDenied("You do not have permission to perform this action.")


def missing(request):
    raise Http404("No Retiree matches the given query.")


def bad(request):
    raise BadRequest("malformed")


def suspicious(request):
    raise SuspiciousOperation("Invalid HTTP_HOST header")


@csrf_protect
def form(request):
    return HttpResponse("ok")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/denied/", denied),
    path("test-errors/denied-english/", denied_english),
    path("test-errors/missing/", missing),
    path("test-errors/bad/", bad),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/form/", form),
] + project
