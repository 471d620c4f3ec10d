"""A JSON SMS gateway over HTTP: POST SMS_HTTP_URL with the recipient, the text and the sender, a key in
a header; any 2xx is sent.

The defaults are 8x8's Send SMS API (https://developer.8x8.com/connect/reference/send-sms-api-reference;
Indonesia region: SMS_HTTP_URL=https://sms.8x8.id/api/v1/subaccounts/<subaccount>/messages): body
{"destination", "text", "source"}, `Authorization: Bearer <key>`. Another gateway of the same kind takes
its own field names (SMS_HTTP_TO_FIELD, SMS_HTTP_TEXT_FIELD, SMS_HTTP_FROM_FIELD, empty to send no
sender) and header (SMS_HTTP_AUTH_HEADER, SMS_HTTP_AUTH_SCHEME, empty for the bare key). A code goes as
its text: SMS has no template.
"""

from django.conf import settings
from sms.message import Message

from messaging.backends.base import HttpGatewayBackend


class SmsBackend(HttpGatewayBackend):
    gateway = "sms-http"
    required = ("SMS_HTTP_URL", "SMS_HTTP_TOKEN")

    def headers(self) -> dict[str, str]:
        scheme, token = settings.SMS_HTTP_AUTH_SCHEME, settings.SMS_HTTP_TOKEN
        return {settings.SMS_HTTP_AUTH_HEADER: f"{scheme} {token}" if scheme else token, "Accept": "application/json"}

    def endpoint(self, message: Message, recipient: str) -> tuple[str, dict]:
        body = {settings.SMS_HTTP_TO_FIELD: recipient, settings.SMS_HTTP_TEXT_FIELD: message.body}
        if settings.SMS_HTTP_FROM_FIELD and message.originator:
            body[settings.SMS_HTTP_FROM_FIELD] = message.originator
        return settings.SMS_HTTP_URL, body
