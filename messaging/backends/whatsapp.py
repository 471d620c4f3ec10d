"""WhatsApp Business Cloud API (Meta's Graph API): POST <WHATSAPP_API_URL>/<version>/<phone-number-id>/messages.

- A one-time code (`messaging.messages.CodeMessage`) goes as the approved authentication template
  WHATSAPP_CODE_TEMPLATE in WHATSAPP_TEMPLATE_LANGUAGE, the code as the body's parameter and again as the
  copy-code button's (the request shape of Meta's "Sending Authentication Templates",
  https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates/auth-otp-template-messages).
- Any other message (an account notice) goes as text, which WhatsApp delivers only within 24 hours of
  the resident's last message to the business number; otherwise Meta refuses it (error 131047) and the
  task fails.

A refusal raises `GatewayError` with Graph's error code and message ({"error": {"code", "message",
"error_data": {"details"}}}).
"""

from django.conf import settings
from sms.message import Message

from messaging.backends.base import HttpGatewayBackend
from messaging.messages import CodeMessage


class SmsBackend(HttpGatewayBackend):
    gateway = "whatsapp"
    required = ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_CODE_TEMPLATE")

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        base = settings.WHATSAPP_API_URL.rstrip("/")
        self.url = f"{base}/{settings.WHATSAPP_API_VERSION}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}", "Accept": "application/json"}

    def endpoint(self, message: Message, recipient: str) -> tuple[str, dict]:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient.removeprefix("+"),  # Meta's samples: the country code and number, digits only
        }
        if isinstance(message, CodeMessage):
            code = [{"type": "text", "text": message.code}]
            body["type"] = "template"
            body["template"] = {
                "name": settings.WHATSAPP_CODE_TEMPLATE,
                "language": {"code": settings.WHATSAPP_TEMPLATE_LANGUAGE},
                "components": [
                    {"type": "body", "parameters": code},
                    # Created as an "otp" copy-code button, the template holds it as a URL button.
                    {"type": "button", "sub_type": "url", "index": "0", "parameters": code},
                ],
            }
        else:
            body["type"] = "text"
            body["text"] = {"preview_url": False, "body": message.body}
        return self.url, body

    def error_detail(self, response) -> str:
        try:
            error = response.json()["error"]
            detail = f"({error.get('code')}) {error.get('message', '')}"
            if details := (error.get("error_data") or {}).get("details"):
                detail += f": {details}"
            return detail
        except (ValueError, KeyError, TypeError, AttributeError):
            return response.text

    def message_id(self, response) -> str:
        try:
            return response.json()["messages"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            return ""
