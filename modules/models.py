from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    AbstractGroupApprovalTask,
    DraftStateMixin,
    LockableMixin,
    Page,
    PageViewRestriction,
    Revision,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from .blocks import ModuleStepBlock
from .forms import ModulePageForm
from .panels import ModuleChecksPanel, PublishEffectPanel
from .publishing import publish_problems

# What a document's version holds when its source prints none: an invented "1.0" would tell an
# auditor that a numbered edition exists.
VERSION_NOT_STATED = "not stated"


def policy_version_label(version):
    """A document version as people read it: "v2.1", or "no version stated"."""
    return "no version stated" if version == VERSION_NOT_STATED else f"v{version}"


class PolicyDocument(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """A policy that the modules teach. Quiz answers and scenario feedback cite its clauses.

    A snippet with drafts, revisions and locking, so that L&D authors can prepare a new edition
    without it showing until they publish it."""

    title = models.CharField(max_length=255)
    short_name = models.CharField(
        max_length=40,
        blank=True,
        help_text="What authors call the document when citing it, e.g. “Cafcass SMP”. Shown "
        "in the clause chooser; leave empty to use the title.",
    )
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
    _workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
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

    @property
    def label(self):
        """The short name, else the title: how the clause chooser names the document."""
        return self.short_name or self.title


class ClauseChange(models.TextChoices):
    """How a clause version came about. Only a change of meaning sends certificates for
    recertification; a correction's citations move to it by themselves."""

    FIRST = "first", "First version"
    CORRECTION = "correction", "Correction (the meaning is unchanged)"
    CHANGE = "change", "Change of meaning"


class PolicyClause(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model
):
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
    _workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
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


class CachedRouteMixin:
    """A page that modules.selectors.page_route_cached may hand out from the shared cache: it
    found no view restriction for the page when it cached it, and any change of one since would
    have made the cached copy stale, so Wagtail's check need not ask the database again."""

    view_restrictions_none = False

    def get_view_restrictions(self):
        if self.view_restrictions_none:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class ModuleIndexPage(CachedRouteMixin, Page):
    """The catalogue of modules that staff browse."""

    intro = RichTextField(blank=True)

    content_panels = [
        TitleFieldPanel("title", help_text="The heading of the catalogue that staff browse."),
        FieldPanel(
            "intro",
            help_text="Shown above the list of modules. The list names each module and marks "
            "those that count towards base competence: say nothing about how many there are.",
        ),
    ]
    promote_panels = [
        FieldPanel("slug", help_text="The last part of the catalogue's web address."),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["modules.ModulePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = ModulePage.objects.child_of(self).live().specific().order_by("path")
        return context


class ModulePage(CachedRouteMixin, RoutablePageMixin, Page):
    """A scenario-based module: ordered steps a member of staff works through, then a quiz."""

    summary = models.TextField()
    learning_outcomes = RichTextField(blank=True, features=["ul", "bold", "italic"])
    estimated_minutes = models.PositiveIntegerField(default=20)
    validity_months = models.PositiveIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How long a certificate for this module stays valid.",
    )
    # Off for a new module: counting towards base competence assigns it to everyone and lowers
    # the organisation's compliance until they pass, so the author must choose it.
    base_competence = models.BooleanField(
        default=False,
        help_text="Part of base competence in social media: everyone must pass it. Publishing it "
        "then needs a published quiz that passes the content checks.",
    )
    steps = StreamField(ModuleStepBlock(), use_json_field=True)

    # The organisation's words in place of Wagtail's stock help text, which speaks of "the public"
    # and search engines: modules are shown only to signed-in staff, in no menu.
    content_panels = [
        TitleFieldPanel(
            "title",
            help_text="The module's name, as staff see it in the catalogue, on their learning "
            "page and on their certificates.",
        ),
        ModuleChecksPanel(),
        FieldPanel("summary"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_minutes"),
                FieldPanel("validity_months"),
                FieldPanel("base_competence"),
                PublishEffectPanel(),
            ],
            heading="Completion",
        ),
        FieldPanel("steps"),
    ]
    promote_panels = [
        FieldPanel(
            "slug",
            help_text="The last part of the module's web address (/learn/<this>/). Changing it "
            "after publishing breaks links that people saved.",
        ),
    ]
    base_form_class = ModulePageForm
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


def _wrote_or_submitted(obj, user):
    """Whether ``user`` asked for this review or wrote any revision since the content was last
    published: four eyes means the approver has written none of what goes live."""
    state = obj.current_workflow_state
    if state is not None and state.requested_by_id == user.pk:
        return True
    revisions = Revision.objects.for_instance(obj)
    live_revision = getattr(obj, "live_revision", None)
    if live_revision is not None:
        revisions = revisions.filter(created_at__gt=live_revision.created_at)
    return revisions.filter(user=user).exists()


class IndependentReviewTask(AbstractGroupApprovalTask):
    """The L&D review: a member of the chosen groups (the L&D reviewers) approves, and only if
    they neither submitted the content nor wrote any of it since it was last published. A person
    who is both author and reviewer reviews other people's work only.

    Approving publishes (``modules.workflows``); a module that may not be published yet (its
    quiz is missing, say: ``modules.publishing``) can be sent back but not approved."""

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if not actions or _wrote_or_submitted(obj, user):
            return []
        latest = obj.get_latest_revision()
        if publish_problems(obj=latest.as_object() if latest else obj):
            return [action for action in actions if action[0] != "approve"]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        # Admin views ask get_actions first; this guards every other caller.
        obj = task_state.workflow_state.content_object
        if action_name not in [name for name, *_ in self.get_actions(obj, user)]:
            raise PermissionDenied(
                "Only an L&D reviewer who neither wrote nor submitted this content may review "
                "it, and only content that may be published can be approved."
            )
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return (
            super()
            .get_task_states_user_can_moderate(user, **kwargs)
            .exclude(workflow_state__requested_by=user)
        )

    @classmethod
    def get_description(cls):
        return "Members of the chosen groups approve content that someone else wrote and submitted"

    class Meta:
        verbose_name = "independent review task"
