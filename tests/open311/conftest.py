import pytest
from django.test import Client

from open311.models import ApiKey
from open311.services import api_key_issue


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def key(admin_user):
    """An integration's key, as issued in the admin."""
    return api_key_issue(api_key=ApiKey(name="Aplikasi DPU"), actor=admin_user)
