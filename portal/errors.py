"""The portal's error pages (handler400/403/404/500): the usual HTML pages, except under the
API's addresses, where a program expects the API's JSON error shape."""

from django.views import defaults

from api.errors import is_api_path, json_error


def bad_request(request, exception):
    if is_api_path(request.path):
        return json_error(400, "bad_request")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_path(request.path):
        return json_error(403, "permission_denied")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_path(request.path):
        return json_error(404, "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_path(request.path):
        return json_error(500, "server_error")
    return defaults.server_error(request)
