"""django-sms backends for real gateways: WhatsApp Business Cloud API and a JSON SMS gateway over HTTP."""
