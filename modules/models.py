from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, LockableMixin, Page, Revision, RevisionMixin
from wagtail.search import index

from .blocks import ModuleStepBlock

# What a document's version holds when its source prints none: an invented "1.0" would tell an
# auditor that a numbered edition exists.
VERSION_NOT_STATED = "not stated"


def policy_version_label(version):
    """A document version as people read it: "v2.1", or "no version stated"."""
    return "no version stated" if version == VERSION_NOT_STATED else f"v{version}"


class PolicyDocument(
    DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """A policy that the modules teach. Quiz answers and scenario feedback cite its clauses.

    A snippet with drafts, revisions and locking, so that L&D authors can prepare a new edition
    without it showing until they publish it."""

    title = models.CharField(max_length=255)
    organisation = models.CharField(max_length=255)
    owner = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=30)
    approved_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(blank=True)
    # Parental, so that a draft edition keeps its audience in its revision until it is published.
    audience = ParentalManyToManyField(
        "people.Organisation",
        related_name="policy_documents",
        help_text="The organisations whose staff this document applies to. Learners are asked "
        "only about documents that apply to their organisation.",
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="policy_document",
        for_concrete_model=False,
    )

    search_fields = [
        index.SearchField("title"),
        index.SearchField("organisation"),
        index.AutocompleteField("title"),
    ]

    class Meta:
        ordering = ["organisation", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title", "version"], name="unique_policy_version"
            )
        ]

    def __str__(self):
        return f"{self.organisation}: {self.title} ({policy_version_label(self.version)})"


class ClauseChange(models.TextChoices):
    """How a clause version came about. Only a change of meaning sends certificates for
    recertification; a correction's citations move to it by themselves."""

    FIRST = "first", "First version"
    CORRECTION = "correction", "Correction (the meaning is unchanged)"
    CHANGE = "change", "Change of meaning"


class PolicyClause(DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model):
    """One version of one clause. Once published a version is never edited in place: any change
    is a new row with a higher version (``modules.services.policy_clause_revise``), marked as a
    correction or a change of meaning, and the old row stays, because attempts and certificates
    cite the version they rested on. Drafts that were never published may be edited freely."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="clauses")
    reference = models.CharField(max_length=30, help_text='As printed in the policy, e.g. "2.19".')
    heading = models.CharField(max_length=255)
    summary = models.TextField(
        help_text="What the clause requires, in plain words written by the author."
    )
    location = models.CharField(
        max_length=255,
        blank=True,
        help_text="Where a reader finds the clause when the document does not number it this way, "
        "e.g. “'Sharing case information', first paragraph”. Shown to learners instead of "
        "the reference, which stays the stable key that content cites.",
    )
    version = models.PositiveIntegerField(default=1)
    change = models.CharField(
        max_length=20,
        choices=ClauseChange.choices,
        default=ClauseChange.FIRST,
        help_text="How this version differs from the one before it.",
    )
    document_version = models.CharField(
        max_length=30,
        blank=True,
        help_text="The edition of the document this clause version belongs to; empty while it "
        "belongs to the document's current edition.",
    )
    not_assessed_reason = models.TextField(
        blank=True,
        help_text="Why no module step or question needs to cite this clause (e.g. it introduces "
        "the document, or it is addressed to another audience). Shown in the clause coverage "
        "report; leave empty for a rule that must be taught.",
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="policy_clause",
        for_concrete_model=False,
    )

    search_fields = [
        index.SearchField("reference"),
        index.SearchField("heading"),
        index.SearchField("summary"),
        index.AutocompleteField("heading"),
        index.FilterField("document"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["document", "reference", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reference", "version"], name="unique_clause_version"
            )
        ]

    def __str__(self):
        return f"{self.document.organisation} {self.document.title} {self.reference} (v{self.version}): {self.heading}"

    @property
    def citation(self):
        """The short form shown beside an answer: document, clause reference and version."""
        return f"{self.document.title} {policy_version_label(self.edition)}, {self.where}"

    @property
    def edition(self):
        """The document version this clause version belongs to (a raised document keeps its old
        clause versions under the edition they were published in)."""
        return self.document_version or self.document.version

    @property
    def is_published(self):
        """Published now or once: learners may have been taught or assessed on it."""
        return bool(self.pk) and (self.live or self.first_published_at is not None)

    @property
    def where(self):
        """The place a reader can find in the document: its location, or "clause 2.19"."""
        return self.location or f"clause {self.reference}"


class ModuleIndexPage(Page):
    """The catalogue of modules that staff browse."""

    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["modules.ModulePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = ModulePage.objects.child_of(self).live().specific().order_by("path")
        return context


class ModulePage(RoutablePageMixin, Page):
    """A scenario-based module: ordered steps a member of staff works through, then a quiz."""

    summary = models.TextField()
    learning_outcomes = RichTextField(blank=True, features=["ul", "bold", "italic"])
    estimated_minutes = models.PositiveIntegerField(default=20)
    validity_months = models.PositiveIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How long a certificate for this module stays valid.",
    )
    base_competence = models.BooleanField(
        default=True, help_text="Part of base competence in social media."
    )
    steps = StreamField(ModuleStepBlock(), use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_minutes"),
                FieldPanel("validity_months"),
                FieldPanel("base_competence"),
            ],
            heading="Completion",
        ),
        FieldPanel("steps"),
    ]
    parent_page_types = ["modules.ModuleIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("summary")]

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def serve_preview(self, request, mode_name):
        # The staff routes need a Person and their pinned progress; an author previewing a draft
        # needs to see the overview and every step, with every choice's feedback, on one page.
        from .views import module_preview

        return module_preview(request, page=self)

    @path("")
    def overview(self, request):
        from .views import module_overview

        return module_overview(request, page=self)

    @path("step/<int:number>/")
    def step(self, request, number):
        from .views import module_step

        return module_step(request, page=self, number=number)


class ModuleProgress(models.Model):
    """How far one person has got through one module, pinned to the revision they started on,
    so that publishing an edit never moves the ground under someone part-way through."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.PROTECT, related_name="progress")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    steps_completed = models.PositiveIntegerField(default=0)
    decisions = models.JSONField(default=dict, blank=True)
    steps_finished_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One run through a module at a time; a finished run stays as history when they recertify.
            models.UniqueConstraint(
                fields=["person", "module"],
                condition=models.Q(completed_at__isnull=True),
                name="one_open_progress_per_module",
            )
        ]
        verbose_name_plural = "module progress"

    def __str__(self):
        return f"{self.person} – {self.module}"
