from django.shortcuts import render

from api.errors import is_api_path, json_error


class RejectNullCharactersMiddleware:
    """A NUL character can never be stored in PostgreSQL text, and no person types one:
    answer 400 with a plain message instead of letting it reach a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [request.path, *request.GET.values()]
        if request.method == "POST":
            values += request.POST.values()  # form fields only; uploaded files are not text
        if any("\x00" in value for value in values):
            if is_api_path(request.path):
                return json_error(400, "bad_request", "The request holds a NUL character")
            return render(request, "400.html", status=400)
        return self.get_response(request)
