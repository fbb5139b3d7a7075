"""URL converters: ids are positive and fit the database's integer columns."""

from werkzeug.routing import IntegerConverter

from .forms import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:case_id>`: 1 … 2³¹−1; anything else is a plain 404 before a query is made."""

    def __init__(self, map, **kwargs):
        super().__init__(map, min=1, max=MAX_ID, **kwargs)
