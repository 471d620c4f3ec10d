"""The real gateways against a real HTTP server on 127.0.0.1: what goes on the wire, retries, timeouts,
refusals, and logs that never hold a code, a text or a token."""

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sms
from django.core.exceptions import ImproperlyConfigured

from messaging.backends.base import GatewayError, mask_phone
from messaging.checks import sms_backend_delivers
from messaging.messages import CodeMessage, send_code

PHONE = "+6281234567890"
CODE = "482913"
TOKEN = "EAAG-test-token-not-real"
WHATSAPP = "messaging.backends.whatsapp.SmsBackend"
HTTP = "messaging.backends.http.SmsBackend"
GRAPH_ERROR = {
    "error": {
        "message": "(#131047) Re-engagement message",
        "type": "OAuthException",
        "code": 131047,
        "error_data": {"details": "More than 24 hours have passed since the customer last replied."},
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
    }
}


@dataclass
class Answer:
    status: int = 200
    body: dict = field(default_factory=lambda: {"messages": [{"id": "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYIDND"}]})
    delay: float = 0
    headers: dict = field(default_factory=dict)


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: dict


class Gateway:
    """A gateway on a real socket: records each request, answers with the next scripted Answer (200 after)."""

    def __init__(self):
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(Received("POST", self.path, dict(self.headers), json.loads(raw)))
                answer = gateway.answers.pop(0) if gateway.answers else Answer()
                time.sleep(answer.delay)
                payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def gateway(settings):
    server = Gateway()
    thread = threading.Thread(target=server.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    settings.SMS_CONNECT_TIMEOUT = 0.5
    settings.SMS_READ_TIMEOUT = 0.3
    settings.SMS_RETRIES = 2
    settings.SMS_RETRY_BACKOFF = 0.01
    settings.SMS_RETRY_MAX_WAIT = 0
    settings.WHATSAPP_API_URL = server.url
    settings.WHATSAPP_API_VERSION = "v23.0"
    settings.WHATSAPP_TOKEN = TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_CODE_TEMPLATE = "aspirasi_kode"
    settings.WHATSAPP_TEMPLATE_LANGUAGE = "id"
    settings.SMS_HTTP_URL = f"{server.url}/api/v1/subaccounts/aspirasi/messages"
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_BACKEND = WHATSAPP
    yield server
    server.server.shutdown()
    server.server.server_close()


def body_with_code() -> str:
    return f"Kode Aspirasi Anda: {CODE}. Jangan berikan kode ini kepada siapa pun."


def assert_log_is_safe(caplog):
    for record in caplog.records:
        text = record.getMessage()
        assert CODE not in text
        assert TOKEN not in text
        assert PHONE not in text and PHONE.removeprefix("+") not in text


# --- WhatsApp ------------------------------------------------------------------------------------------


def test_a_code_goes_as_the_authentication_template_with_the_code_twice(gateway):
    assert send_code(recipient=PHONE, code=CODE, body=body_with_code()) == 1

    (request,) = gateway.received
    assert request.method == "POST"
    assert request.path == "/v23.0/106540352242922/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "template",
        "template": {
            "name": "aspirasi_kode",
            "language": {"code": "id"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": CODE}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": CODE}]},
            ],
        },
    }


def test_a_notice_goes_as_text(gateway):
    assert sms.send_sms("Usulan Anda diterbitkan.", recipients=[PHONE]) == 1

    (request,) = gateway.received
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"preview_url": False, "body": "Usulan Anda diterbitkan."},
    }


def test_a_server_error_is_retried_and_the_message_delivered_once(gateway):
    gateway.answers = [Answer(500, {"error": {"message": "Service temporarily unavailable", "code": 2}}), Answer()]

    assert send_code(recipient=PHONE, code=CODE, body=body_with_code()) == 1

    assert len(gateway.received) == 2
    assert gateway.received[0].body == gateway.received[1].body


def test_too_many_requests_is_retried_without_waiting_past_the_cap(gateway):
    limited = {"error": {"message": "Rate limit hit", "code": 130429}}
    gateway.answers = [Answer(429, limited, headers={"Retry-After": "120"})]

    started = time.monotonic()
    assert send_code(recipient=PHONE, code=CODE, body=body_with_code()) == 1

    assert time.monotonic() - started < 5
    assert len(gateway.received) == 2


def test_a_gateway_that_keeps_failing_raises_after_the_retries(gateway):
    gateway.answers = [Answer(503, {"error": {"message": "Service unavailable", "code": 2}}) for _ in range(3)]

    with pytest.raises(GatewayError) as raised:
        send_code(recipient=PHONE, code=CODE, body=body_with_code())

    assert raised.value.status == 503
    assert len(gateway.received) == 3  # the first try and SMS_RETRIES=2


def test_a_refusal_is_not_retried_and_raises_with_metas_error(gateway, caplog):
    gateway.answers = [Answer(400, GRAPH_ERROR)]

    with caplog.at_level(logging.DEBUG), pytest.raises(GatewayError) as raised:
        sms.send_sms("Usulan Anda diterbitkan.", recipients=[PHONE])

    assert len(gateway.received) == 1
    assert raised.value.status == 400
    assert "(131047) (#131047) Re-engagement message" in str(raised.value)
    assert "24 hours" in str(raised.value)
    assert "+62*********90" in str(raised.value)
    assert any("131047" in record.getMessage() for record in caplog.records)
    assert not any("Usulan Anda" in record.getMessage() for record in caplog.records)
    assert_log_is_safe(caplog)


def test_a_gateway_too_slow_to_answer_raises_once_within_the_read_timeout(gateway):
    gateway.answers = [Answer(delay=2)]

    started = time.monotonic()
    with pytest.raises(GatewayError) as raised:
        send_code(recipient=PHONE, code=CODE, body=body_with_code())

    assert time.monotonic() - started < 1.5
    assert raised.value.status is None
    assert "ReadTimeout" in str(raised.value)
    assert len(gateway.received) == 1  # it may have sent: never a second code


def test_a_gateway_that_is_down_raises(gateway, settings):
    gateway.server.shutdown()
    gateway.server.server_close()

    started = time.monotonic()
    with pytest.raises(GatewayError) as raised:
        send_code(recipient=PHONE, code=CODE, body=body_with_code())

    assert time.monotonic() - started < 3
    assert "ConnectionError" in str(raised.value)


def test_fail_silently_returns_zero(gateway):
    gateway.answers = [Answer(400, GRAPH_ERROR)]

    assert send_code(recipient=PHONE, code=CODE, body=body_with_code(), fail_silently=True) == 0


def test_the_log_of_a_sent_code_names_the_recipient_masked_and_nothing_secret(gateway, caplog):
    with caplog.at_level(logging.DEBUG):
        send_code(recipient=PHONE, code=CODE, body=body_with_code())

    sent = [record.getMessage() for record in caplog.records if record.name == "messaging.backends.base"]
    assert sent == ["whatsapp: sent to +62*********90 wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYIDND"]
    assert_log_is_safe(caplog)


def test_the_backend_refuses_to_send_without_its_credentials(gateway, settings):
    settings.WHATSAPP_CODE_TEMPLATE = ""

    with pytest.raises(ImproperlyConfigured, match="WHATSAPP_CODE_TEMPLATE"):
        send_code(recipient=PHONE, code=CODE, body=body_with_code())
    assert gateway.received == []


# --- the SMS HTTP gateway ------------------------------------------------------------------------------


def test_sms_gateway_gets_recipient_text_and_sender_in_8x8s_shape(gateway, settings):
    settings.SMS_BACKEND = HTTP

    assert send_code(recipient=PHONE, code=CODE, body=body_with_code()) == 1

    (request,) = gateway.received
    assert request.path == "/api/v1/subaccounts/aspirasi/messages"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.body == {"destination": PHONE, "text": body_with_code(), "source": "Aspirasi"}


def test_sms_gateway_field_names_and_key_header_are_configurable(gateway, settings):
    settings.SMS_BACKEND = HTTP
    settings.SMS_HTTP_AUTH_HEADER = "X-Api-Key"
    settings.SMS_HTTP_AUTH_SCHEME = ""
    settings.SMS_HTTP_TO_FIELD, settings.SMS_HTTP_TEXT_FIELD, settings.SMS_HTTP_FROM_FIELD = "to", "message", ""

    assert sms.send_sms("Akun Anda dinonaktifkan.", recipients=[PHONE]) == 1

    (request,) = gateway.received
    assert request.headers["X-Api-Key"] == TOKEN
    assert "Authorization" not in request.headers
    assert request.body == {"to": PHONE, "message": "Akun Anda dinonaktifkan."}


def test_sms_gateway_retries_a_server_error(gateway, settings):
    settings.SMS_BACKEND = HTTP
    gateway.answers = [Answer(502, {"error": "bad gateway"}), Answer(202, {"umid": "a1"})]

    assert send_code(recipient=PHONE, code=CODE, body=body_with_code()) == 1
    assert len(gateway.received) == 2


def test_sms_gateway_refusal_raises_with_its_error_and_never_the_code_it_echoes(gateway, settings, caplog):
    settings.SMS_BACKEND = HTTP
    echo = {"code": 1002, "message": "Invalid sender", "request": {"text": body_with_code()}}
    gateway.answers = [Answer(400, echo)]

    with caplog.at_level(logging.DEBUG), pytest.raises(GatewayError) as raised:
        send_code(recipient=PHONE, code=CODE, body=body_with_code())

    assert len(gateway.received) == 1
    assert "Invalid sender" in str(raised.value)
    assert CODE not in str(raised.value)
    assert_log_is_safe(caplog)


# --- the contract and the checks -----------------------------------------------------------------------


def test_a_code_message_reaches_text_backends_with_its_body_and_code():
    send_code(recipient=PHONE, code=CODE, body=body_with_code())

    (message,) = sms.outbox
    assert isinstance(message, CodeMessage)
    assert (message.body, message.code, message.recipients) == (body_with_code(), CODE, [PHONE])


@pytest.mark.parametrize(
    ("code", "body"), [("", "Kode: "), ("1234567890123456", "Kode: 1234567890123456"), ("4829", "Kode")]
)
def test_a_code_message_needs_a_short_code_inside_its_body(code, body):
    with pytest.raises(ValueError):
        CodeMessage(body, code=code, recipients=[PHONE])


def test_masked_numbers_keep_the_country_code_and_the_last_two_digits():
    assert mask_phone("+6281234567890") == "+62*********90"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("debug", "backend", "warned"),
    [
        (False, "sms.backends.console.SmsBackend", True),
        (True, "sms.backends.console.SmsBackend", False),
        (False, WHATSAPP, False),
    ],
)
def test_production_with_the_console_backend_is_warned(settings, debug, backend, warned):
    settings.DEBUG, settings.SMS_BACKEND = debug, backend

    assert [warning.id for warning in sms_backend_delivers(None)] == (["messaging.W001"] if warned else [])
