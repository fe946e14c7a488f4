from django.conf import settings
from django.db import models

from lms.names import user_display_name


class Team(models.Model):
    """A unit of the organisation; teams nest so that assignments to a team reach its sub-teams."""

    name = models.CharField(max_length=150, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_teams"
    )

    class Meta:
        db_table = "lms_team"  # created when teams lived in lms; kept so no data moves
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """An organisation whose staff learn here. Policy documents name the organisations they apply
    to (``modules.PolicyDocument.audience``), and a person is asked only about those that apply to
    their own organisation."""

    code = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Stable short name used by content files and HR files.",
    )
    name = models.CharField(max_length=150, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    """Someone who learns on the platform, and where they sit in the reporting line.

    The account (``user``) says who may log in; the person says who they are at work.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    employee_number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        help_text="Whose policies apply to this person. Without one, no quiz can be drawn for them.",
    )
    job_title = models.CharField(max_length=150, blank=True)
    start_date = models.DateField(null=True, blank=True)
    left_on = models.DateField(
        null=True, blank=True, help_text="Set when the person leaves; records are kept."
    )
    anonymised_on = models.DateField(
        null=True,
        blank=True,
        help_text="Set by the retention policy when personal details were removed.",
    )

    class Meta:
        db_table = "lms_person"  # created when people lived in lms; kept so no data moves
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "people"
        permissions = [
            ("import_people", "Can import people from an HR file"),
            ("view_compliance_reports", "Can view compliance reports"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(line_manager=models.F("id")), name="person_not_own_manager"
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return user_display_name(self.user)


class ReportingLink(models.Model):
    """One person below one manager, at any depth: the reporting line stored, one row for each
    manager above each person (``depth`` 1 is the direct line manager).

    Database triggers on the person table keep it (people migration 0003), whatever writes a
    line manager: the HR import, the API, a shell or a test's factory. A manager's whole line is
    then one index range instead of a walk down the tree, and the triggers refuse a change that
    would make someone report to a person below them. People who have left stay in it, as they
    stay in the tree, so that their reports are still found below the managers above them.
    ``manage.py reporting_links --check`` compares it with the tree."""

    # The triggers delete a person's links with the person: the database, not Django's collector.
    # Indexed by the unique constraint, which starts with it; the person's own index finds the
    # managers above someone.
    manager = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, related_name="+")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manager", "person"], name="reporting_link_once"),
        ]

    def __str__(self):
        return f"{self.person_id} below {self.manager_id} ({self.depth})"
