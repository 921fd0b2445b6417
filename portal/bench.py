"""What the benchmark (make bench) needs from the portal, switched on by PORTAL_BENCH=1 only:
a count of the SQL queries each request made, and a floor page to compare the others with."""

from django.contrib.auth.decorators import login_required
from django.db import connections
from django.shortcuts import render

from accounts.models import Organisation

QUERY_COUNT_HEADER = "X-Query-Count"


class QueryCountMiddleware:
    """Counts the queries a request makes on every database connection, and says how
    many in the X-Query-Count response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[QUERY_COUNT_HEADER] = str(count)
        return response


@login_required
def floor(request):
    """The least a page can do: the base layout for someone signed in, and one row read."""
    organisation = Organisation.objects.order_by("pk").first()
    return render(request, "bench_floor.html", {"organisation": organisation})
