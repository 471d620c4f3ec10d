"""factory_boy factories. Reference data (areas, categories) comes from the data migration."""

import io
import itertools

import factory
from django.utils import timezone
from PIL import Image

from aspirasi.models import Category, Kelurahan, Proposal, ProposalStatus, User, Vote

_phones = itertools.count(10_000_000)


def kelurahan(slug: str = "manggar") -> Kelurahan:
    return Kelurahan.objects.get(slug=slug)


def category(slug: str = "pendidikan") -> Category:
    return Category.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.LazyFunction(lambda: f"+62812{next(_phones):08d}")
    display_name = factory.Faker("name", locale="id_ID")
    kelurahan = factory.LazyFunction(kelurahan)
    # Residents in tests have verified their phone unless a test says otherwise (phone_verified_at=None).
    phone_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "rahasia-sekali-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Pelatihan menjahit untuk ibu rumah tangga {n}")
    description = "Warga membutuhkan pelatihan keterampilan agar bisa membuka usaha kecil di rumah."
    category = factory.LazyFunction(category)
    kelurahan = factory.LazyFunction(kelurahan)
    status = ProposalStatus.PUBLISHED
    estimated_beneficiaries = 20
    volume = 20
    unit = "peserta"


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    proposal = factory.SubFactory(ProposalFactory)
    voter = factory.SubFactory(UserFactory)


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 80, 40), **save_kwargs) -> bytes:
    """A tiny real image generated in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()
