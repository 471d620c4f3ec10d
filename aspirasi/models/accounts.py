from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    MODERATOR = "moderator", _("Moderator")
    PLANNER = "planner", _("Planner")
    OPD = "opd", _("OPD officer")
    ADMIN = "admin", _("Admin")


class Language(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields):
        user = self.model(phone=phone, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: residents sign up with a phone number; staff use the same accounts in /admin/.

    Roles are assigned through `services.accounts.user_assign_role`, which keeps is_staff/is_superuser
    and the moderator's areas consistent.
    """

    phone = models.CharField(_("phone"), max_length=16, unique=True, help_text=_("E.164, e.g. +6281234567890"))
    display_name = models.CharField(_("display name"), max_length=80)
    email = models.EmailField(_("email"), blank=True)
    kelurahan = models.ForeignKey(
        "aspirasi.Kelurahan", on_delete=models.PROTECT, null=True, blank=True, related_name="residents"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.INDONESIAN)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.RESIDENT)
    moderated_kecamatan = models.ManyToManyField(
        "aspirasi.Kecamatan", blank=True, related_name="moderators", verbose_name=_("moderated kecamatan")
    )
    moderated_kelurahan = models.ManyToManyField(
        "aspirasi.Kelurahan", blank=True, related_name="moderators", verbose_name=_("moderated kelurahan")
    )
    # OPD officers work for one department; its head sees everything forwarded to it, officers what they hold.
    opd = models.ForeignKey(
        "aspirasi.Opd", on_delete=models.PROTECT, null=True, blank=True, related_name="officers", verbose_name=_("OPD")
    )
    is_opd_head = models.BooleanField(_("OPD head"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when a one-time code sent to `phone` came back; residents take part only once it is set.
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # An OPD officer belongs to exactly one OPD; nobody else belongs to one or heads one.
            models.CheckConstraint(
                condition=(models.Q(role="opd", opd__isnull=False) | models.Q(~models.Q(role="opd"), opd__isnull=True)),
                name="user_opd_iff_opd_role",
                violation_error_message=_("An OPD officer belongs to one OPD; other roles belong to none."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_opd_head=False) | models.Q(role="opd"),
                name="user_opd_head_is_opd_officer",
                violation_error_message=_("Only an OPD officer can head an OPD."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.phone})"

    def get_short_name(self) -> str:
        return self.display_name  # the admin greets by it, not by the phone number

    def get_full_name(self) -> str:
        return self.display_name

    @property
    def is_phone_verified(self) -> bool:
        return self.phone_verified_at is not None
