"""DRF's content negotiation, its choice kept per kind of request.

DRF parses the Accept header and matches it against each renderer on every request: 5-8% of the CPU of a
cached proposals page (in-process, against a negotiation that takes the first renderer). The choice depends
only on the header, the format asked for and the view's renderer classes, and clients send a handful of
distinct headers, so it is kept; DRF's own code still makes every choice the first time.
"""

from rest_framework.negotiation import DefaultContentNegotiation

_KEPT_HEADER_LENGTH = 256  # longer (unusual) headers are negotiated every time, not kept
_KEPT_CHOICES = 512


class ContentNegotiation(DefaultContentNegotiation):
    """DefaultContentNegotiation's answers, kept per (Accept, format, renderer classes). A refusal (406, an
    unknown format's 404) is not kept: DRF's code raises it again each time."""

    _choices: dict[tuple, tuple[int, str]] = {}

    def select_renderer(self, request, renderers, format_suffix=None):
        header = request.headers.get("accept", "*/*")
        if len(header) > _KEPT_HEADER_LENGTH:
            return super().select_renderer(request, renderers, format_suffix)
        format_asked = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (header, format_asked, tuple(type(renderer) for renderer in renderers))
        kept = self._choices.get(key)
        if kept is None:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)
            kept = (renderers.index(renderer), media_type)
            if len(self._choices) >= _KEPT_CHOICES:
                self._choices.clear()  # bounded: a client cycling through headers cannot grow it
            self._choices[key] = kept
        index, media_type = kept
        return renderers[index], media_type
