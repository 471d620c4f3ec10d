"""The two formats of GeoReport v2: JSON, and XML with the spec's element names.

A document is plain data: a dict (one element per key), or a list of dicts under a root whose items are
named by ITEM_NAMES. None is JSON's null and an empty XML element; True/False are "true"/"false" in XML.
"""

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A list's element name -> the name of each of its items.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry at all, even escaped (ElementTree would write them as they are).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        for child in value:
            _fill(ElementTree.SubElement(element, ITEM_NAMES[element.tag]), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def render(document, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """`document` as `fmt` ("json" or "xml"); `root` names the XML root element (JSON has none)."""
    if fmt == "xml":
        element = ElementTree.Element(root)
        _fill(element, document)
        body = ElementTree.tostring(element, encoding="UTF-8", xml_declaration=True)
    else:
        body = json.dumps(document, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def render_errors(errors: list[tuple[int, str]], *, fmt: str, status: int) -> HttpResponse:
    """The spec's error document: a list of {code, description}."""
    document = [{"code": code, "description": str(description)} for code, description in errors]
    return render(document, root="errors", fmt=fmt if fmt in FORMATS else "json", status=status)
