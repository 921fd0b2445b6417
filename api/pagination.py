from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination


class InvalidCursor(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The cursor is not valid: use the next or previous link of a page"
    default_code = "invalid_cursor"


class Cursor(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-updated_at", "-pk")

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise InvalidCursor() from None


class NameCursor(Cursor):
    ordering = ("name", "pk")


class RegisterCursor(Cursor):
    ordering = ("-summary_published_at", "-pk")


def paginated(serializer_class):
    """The schema of a page of ``serializer_class`` items (for extend_schema responses)."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        f"Paginated{name}List",
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page, if any."),
            "previous": serializers.URLField(
                allow_null=True, help_text="The previous page, if any."
            ),
            "results": serializer_class(many=True),
        },
    )
