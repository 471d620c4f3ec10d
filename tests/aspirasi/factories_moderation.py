"""Factories for moderation tests: photo reports (with a tiny stored image) and flags."""

import factory
from django.core.files.base import ContentFile

from aspirasi.models import Flag, FlagReason, Report, ReportStatus
from tests.factories import UserFactory, category, image_bytes, kelurahan


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    author = factory.SubFactory(UserFactory)
    description = factory.Sequence(lambda n: f"Jalan berlubang di depan sekolah dasar nomor {n}")
    category = factory.LazyFunction(category)
    kelurahan = factory.LazyFunction(kelurahan)
    location_source = Report.LocationSource.KELURAHAN
    status = ReportStatus.NEW
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="laporan.jpg"))
    thumbnail_small = factory.LazyFunction(lambda: ContentFile(image_bytes(size=(8, 6)), name="laporan-s.jpg"))
    thumbnail_large = factory.LazyFunction(lambda: ContentFile(image_bytes(size=(16, 12)), name="laporan-l.jpg"))


class ProposalFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    flagger = factory.SubFactory(UserFactory)
    reason = FlagReason.SPAM
