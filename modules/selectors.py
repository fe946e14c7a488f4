"""Reads for modules and the policy library."""

import datetime
import json
import time

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.http import Http404

from wagtail.models import Page, Site

from people.models import Person
from people.selectors import person_organisation

from .models import (
    ClauseChange,
    ModuleIndexPage,
    ModulePage,
    ModuleProgress,
    PolicyClause,
    PolicyDocument,
)
from .quiz_gate import module_quiz_refusals

# The module pages' routes, in the shared cache: what Wagtail finds for a URL (the site, the page
# found by walking the tree, that no view restriction applies) is the same for everyone until an
# author publishes, unpublishes, moves or deletes a page, or changes a site or a page's privacy;
# each of those changes the generation (modules.services.page_routes_forget), so a cached route
# is never served after it. Nothing person-specific goes in, and no answer key: a module page is
# cached without its steps (their decisions carry the right choice), with only their count.
PAGE_ROUTE_GENERATION_KEY = "modules:page-routes:generation"
PAGE_ROUTE_KEY = "modules:page-route:{host}:{port}:{path}"
PAGE_ROUTE_SECONDS = 24 * 60 * 60
PAGE_ROUTE_TYPES = (ModuleIndexPage, ModulePage)


def page_route_cached(*, request, path):
    """Wagtail's route for ``path`` (``wagtail.url_routing.RouteResult``), with
    ``request._wagtail_site`` set, from the shared cache when a module page was found there
    before; None when Wagtail must route this request itself (a page of another type, a page with
    a view restriction, no site). One cache round trip when the route is cached."""
    host = request.get_host().lower()
    key = PAGE_ROUTE_KEY.format(host=host, port=request.get_port(), path=path)
    found = cache.get_many([PAGE_ROUTE_GENERATION_KEY, key])
    generation = found.get(PAGE_ROUTE_GENERATION_KEY)
    entry = found.get(key)
    if generation is None:  # first use, or expired: every route cached before is stale anyway
        generation = time.time_ns()
        cache.add(PAGE_ROUTE_GENERATION_KEY, generation, timeout=PAGE_ROUTE_SECONDS)
        generation = cache.get(PAGE_ROUTE_GENERATION_KEY, generation)
    if entry is None or entry["generation"] != generation:
        entry = _page_route_entry(request=request, path=path, generation=generation)
        if entry is None:
            return None
        cache.set(key, entry, timeout=PAGE_ROUTE_SECONDS)
    page = entry["page"]
    page.view_restrictions_none = True  # checked when the entry was made, for this generation
    request._wagtail_site = entry["site"]
    components = [component for component in path.split("/") if component]
    try:
        # The tree walk took one component per level below the site's root; the rest are the
        # page's own (a module's step), which it resolves without the database.
        return page.route(request, components[entry["levels"] :])
    except Http404:
        return None  # let Wagtail answer it as it would have


def _page_route_entry(*, request, path, generation):
    site = Site.find_for_request(request)
    if site is None:
        return None
    route = Page.route_for_request(request, path)
    page = route.page if route is not None else None
    if (
        page is None
        or not isinstance(page, PAGE_ROUTE_TYPES)
        or page.get_view_restrictions().exists()
    ):
        return None
    cached = type(page).objects.select_related("locale")
    if isinstance(page, ModulePage):
        cached = cached.defer("steps")
    cached = cached.get(pk=page.pk)
    if isinstance(page, ModulePage):
        cached.published_step_count = len(page.steps.raw_data)
    return {
        "generation": generation,
        "site": site,
        "page": cached,
        "levels": page.depth - site.root_page.depth,
    }


# What the module pages read of content that is the same for everyone, beyond their routes: the
# module's quiz as learners see it (whether it is live, its pass mark, whether it may be taken
# without the module), the policy clauses its steps cite, with their documents, and which
# documents apply to an organisation. One generation for all of it: every service and admin action that changes
# modules, quizzes or the policy library bumps it (modules.services.content_cache_forget), so an
# entry is never served after such a change. Only what the overview shows goes in: the quiz row
# holds its settings, never a question or an answer.
CONTENT_GENERATION_KEY = "modules:content:generation"
MODULE_QUIZ_KEY = "modules:module-quiz:{module_id}"
MODULE_PAGE_KEY = "modules:module-page:{module_id}"
POLICY_CLAUSE_KEY = "modules:policy-clause:{clause_id}"
DOCUMENTS_APPLYING_KEY = "modules:documents-applying:{organisation_id}"
CONTENT_CACHE_SECONDS = 24 * 60 * 60


def module_quiz_offered(*, module):
    """``(quiz, refusals)``: the module's quiz while it is published, else None (one not yet
    through review is not there for learners), and for a quiz the words a start refuses each
    organisation's staff with whatever they do (``quiz_gate.module_quiz_refusals``). From the
    shared cache, both in one entry: one cache round trip instead of queries."""
    key = MODULE_QUIZ_KEY.format(module_id=module.pk)
    found = cache.get_many([CONTENT_GENERATION_KEY, key])
    generation = _generation(found.get(CONTENT_GENERATION_KEY), key=CONTENT_GENERATION_KEY)
    entry = found.get(key)
    # An entry cached before refusals were kept with the quiz has none: worked out again.
    if entry is None or entry["generation"] != generation or "refusals" not in entry:
        # The quiz model lives in the layer above: reached through the relation, not imported.
        quiz_model = ModulePage._meta.get_field("quiz").related_model
        quiz = quiz_model._default_manager.filter(module_id=module.pk, live=True).first()
        refusals = module_quiz_refusals(quiz=quiz) if quiz is not None else {}
        entry = {"generation": generation, "quiz": quiz, "refusals": refusals}
        cache.set(key, entry, timeout=CONTENT_CACHE_SECONDS)
    return entry["quiz"], entry["refusals"]


def module_page_cached(*, module_id):
    """The module page as an attempt's pages show it (its title, its URL), without its steps
    (their decisions carry the right choice). From the shared cache: one round trip instead of
    joining the page's forty-odd columns (wagtailcore_page and the module's own) to the attempt.
    Not for deciding anything: a page that is no longer live is still the attempt's module."""
    key = MODULE_PAGE_KEY.format(module_id=module_id)
    found = cache.get_many([CONTENT_GENERATION_KEY, key])
    generation = _generation(found.get(CONTENT_GENERATION_KEY), key=CONTENT_GENERATION_KEY)
    entry = found.get(key)
    if entry is None or entry["generation"] != generation:
        module = ModulePage.objects.defer("steps").filter(pk=module_id).first()
        entry = {"generation": generation, "module": module}
        cache.set(key, entry, timeout=CONTENT_CACHE_SECONDS)
    return entry["module"]


def policy_clauses_cached(*, ids):
    """``{id: PolicyClause}`` for the clause versions ``ids`` (those that exist), each with its
    document: what a module step shows of a clause it cites (heading, summary, document, edition,
    version). From the shared cache, one round trip for them all; a clause version or document an
    author or a service changes makes every entry stale (modules.services.content_cache_forget).
    A clause holds what the policy says, never a question's answer."""
    ids = {int(clause_id) for clause_id in ids if clause_id is not None}
    keys = {POLICY_CLAUSE_KEY.format(clause_id=clause_id): clause_id for clause_id in ids}
    found = cache.get_many([CONTENT_GENERATION_KEY, *keys])
    generation = _generation(found.get(CONTENT_GENERATION_KEY), key=CONTENT_GENERATION_KEY)
    clauses = {
        clause_id: found[key]["clause"]
        for key, clause_id in keys.items()
        if key in found and found[key]["generation"] == generation
    }
    missing = ids - clauses.keys()
    if missing:
        fetched = PolicyClause.objects.select_related("document").in_bulk(missing)
        cache.set_many(
            {
                POLICY_CLAUSE_KEY.format(clause_id=clause_id): {
                    "generation": generation,
                    "clause": clause,
                }
                for clause_id, clause in fetched.items()
            },
            timeout=CONTENT_CACHE_SECONDS,
        )
        clauses.update(fetched)
    return clauses


def content_cached(*, key, compute):
    """``compute()``'s value, from the shared cache while no module, quiz or policy has changed
    since it was worked out (the content generation above): for what the layers above work out
    from the content alone, the same for everyone. One cache round trip when it is there."""
    found = cache.get_many([CONTENT_GENERATION_KEY, key])
    generation = _generation(found.get(CONTENT_GENERATION_KEY), key=CONTENT_GENERATION_KEY)
    entry = found.get(key)
    if entry is None or entry["generation"] != generation:
        entry = {"generation": generation, "value": compute()}
        cache.set(key, entry, timeout=CONTENT_CACHE_SECONDS)
    return entry["value"]


def content_generation():
    """The content generation now (see ``content_cached``): what is kept elsewhere from the
    content, such as a manager's dashboard as drawn, holds only while it is the same."""
    return _generation(cache.get(CONTENT_GENERATION_KEY), key=CONTENT_GENERATION_KEY)


def _generation(found, *, key):
    """The generation read from the cache, or a new one when there is none (first use, or it
    expired: every entry made before is stale anyway)."""
    if found is not None:
        return found
    generation = time.time_ns()
    cache.add(key, generation, timeout=CONTENT_CACHE_SECONDS)
    return cache.get(key, generation)


def module_step_count(*, page):
    """How many steps the published module has (a cached page carries the count, not the steps)."""
    count = getattr(page, "published_step_count", None)
    return len(page.steps) if count is None else count


def module_steps(*, progress):
    """The steps as they were in the revision this person started on: read from the revision's
    content alone (rebuilding the whole page from it would cost five queries a step)."""
    raw = progress.revision.content.get("steps")
    return list(ModulePage._meta.get_field("steps").to_python(raw))


def module_progress_current(*, person, module):
    """The person's run through the module that is under way, else their latest finished one."""
    return _progress_current(person=person, module=module).select_related("revision").first()


def _progress_current(*, person, module):
    return ModuleProgress.objects.filter(person=person, module=module).order_by(
        F("completed_at").desc(nulls_first=True), "-started_at"
    )


def person_module_progress(*, user, module):
    """``(person, progress)``: the signed-in user's person record (None for an account without
    one) and their ``module_progress_current``. Someone who has not started the module costs one
    query (their progress's id rides along with the person) instead of two; anyone else, two.

    The person's query is ours: every module page and step runs it, and the ORM took 0.55 ms to
    build and read it (a subquery in an annotation), this 0.16. Its ORDER BY is
    ``_progress_current``'s (tests/modules/test_progress.py holds the two together)."""
    quote = connection.ops.quote_name
    found = list(
        Person.objects.raw(
            f"SELECT p.*, ("  # noqa: S608  (our table names)
            f"SELECT m.id FROM {quote(ModuleProgress._meta.db_table)} m "
            "WHERE m.person_id = p.id AND m.module_id = %s "
            "ORDER BY m.completed_at DESC NULLS FIRST, m.started_at DESC LIMIT 1"
            f") AS current_progress_id FROM {quote(Person._meta.db_table)} p WHERE p.user_id = %s",
            [module.pk, user.pk],
        )
    )
    if not found:
        return None, None
    (person,) = found
    progress = None
    if person.current_progress_id is not None:
        progress = (
            ModuleProgress.objects.select_related("revision")
            .filter(pk=person.current_progress_id)
            .first()
        )
    return person, progress


def module_steps_done(*, person, module):
    """Whether the person has worked through every step of the module, in their current run (or,
    between runs, their latest finished one: someone who passed may sit the quiz again)."""
    return progress_steps_done(progress=module_progress_current(person=person, module=module))


def progress_steps_done(*, progress):
    return progress is not None and progress.steps_finished_at is not None


def modules_live():
    return ModulePage.objects.live().specific().order_by("path")


def clause_reference_order(reference):
    """A sort key that puts clause references in the order a reader expects: 2.5 before 2.13,
    "do.2" before "do.10"."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in str(reference).split(".")
    ]


def policy_clause_versions(*, clause):
    """Every version of the clause, newest first."""
    return PolicyClause.objects.filter(
        document_id=clause.document_id, reference=clause.reference
    ).order_by("-version")


def policy_clauses_with_currency(*, queryset):
    """Annotates ``is_current``: no newer published version of the same clause exists. One query
    for a whole listing."""
    newer = PolicyClause.objects.filter(
        document_id=OuterRef("document_id"),
        reference=OuterRef("reference"),
        version__gt=OuterRef("version"),
        live=True,
    )
    return queryset.annotate(is_current=~Exists(newer))


def policy_clauses_superseded():
    """Clause versions that a newer version of the same clause has replaced (a correction or a
    change). Content citing one is out of date until an author moves it on."""
    # Only a published version replaces: one proposed and waiting for review changes nothing yet.
    newer = PolicyClause.objects.filter(
        document_id=OuterRef("document_id"),
        reference=OuterRef("reference"),
        version__gt=OuterRef("version"),
        live=True,
    )
    return PolicyClause.objects.filter(Exists(newer))


def policy_clause_ids_changed_since(*, clause_ids):
    """Those of ``clause_ids`` whose meaning a newer version has changed: an assessment resting on
    one no longer attests the rule as it stands. A correction alone changes nothing."""
    changed_later = PolicyClause.objects.filter(
        document_id=OuterRef("document_id"),
        reference=OuterRef("reference"),
        version__gt=OuterRef("version"),
        change=ClauseChange.CHANGE,
        live=True,
    )
    return set(
        PolicyClause.objects.filter(Exists(changed_later), pk__in=list(clause_ids)).values_list(
            "pk", flat=True
        )
    )


def policy_document_current_clauses(*, document):
    """The newest version of each of the document's published clauses, in reference order (a
    draft never published is not carried through to a new edition: it is still being written)."""
    return list(
        policy_clauses_with_currency(
            queryset=PolicyClause.objects.filter(document=document, live=True)
        )
        .filter(is_current=True)
        .order_by("reference")
    )


def policy_clause_citations(*, clause):
    """Everything that cites this clause version: module steps (in a module's published version or
    its latest draft) and quiz questions. Authors use it to move content on to a new version."""
    return {
        "module_steps": module_step_citations(clause=clause),
        "questions": _content_citations(clause=clause),
    }


def module_step_citations(*, clause):
    """Searches the steps' raw StreamField data, so no block is rendered and no clause fetched."""
    citations = []
    pages = ModulePage.objects.select_related("live_revision", "latest_revision").order_by("path")
    for page in pages:
        versions = {}
        if page.live_revision is not None:
            versions["published"] = page.live_revision
        if page.latest_revision is not None and page.latest_revision_id != page.live_revision_id:
            versions["latest draft"] = page.latest_revision
        found = {}
        for label, revision in versions.items():
            for number, step_type, heading, places in _steps_citing(
                _raw_steps(revision.content.get("steps")), clause.pk
            ):
                entry = found.setdefault(
                    (number, heading),
                    {
                        "number": number,
                        "type": step_type,
                        "heading": heading,
                        "places": places,
                        "in": [],
                    },
                )
                entry["in"].append(label)
        if not versions:
            for number, step_type, heading, places in _steps_citing(page.steps.raw_data, clause.pk):
                found[(number, heading)] = {
                    "number": number,
                    "type": step_type,
                    "heading": heading,
                    "places": places,
                    "in": ["unpublished page"],
                }
        citations += [
            {"page": page, **entry}
            for entry in sorted(found.values(), key=lambda entry: entry["number"])
        ]
    return citations


def module_steps_by_clause():
    """``{clause id: ["<module>, step <n> (<heading>)", ...]}`` for the steps of every module as
    learners see it: its published version, or its own steps while it has never been published."""
    cited = {}
    pages = ModulePage.objects.select_related("live_revision").order_by("path")
    for page in pages:
        raw_steps = (
            _raw_steps(page.live_revision.content.get("steps"))
            if page.live_revision is not None
            else page.steps.raw_data
        )
        for number, step in enumerate(raw_steps, start=1):
            value = step.get("value") or {}
            label = f"{page.title}, step {number} ({value.get('heading') or value.get('key') or step.get('type')})"
            for clause_id in _step_clause_ids(step):
                places = cited.setdefault(int(clause_id), [])
                if label not in places:
                    places.append(label)
    return cited


def _step_clause_ids(step):
    value = step.get("value") or {}
    if step.get("type") == "policy_extract" and value.get("clause") is not None:
        yield value["clause"]
    for item in [*(value.get("choices") or []), *(value.get("rules") or [])]:
        item = item.get("value", item)  # ListBlock items are stored as {"type", "value", "id"}
        if item.get("clause") is not None:
            yield item["clause"]


def _raw_steps(value):
    if isinstance(value, str):
        return json.loads(value or "[]")
    return value or []


def _steps_citing(raw_steps, clause_id):
    """(step number, step type, heading, [where in the step]) for each step citing ``clause_id``."""
    for number, step in enumerate(raw_steps, start=1):
        value = step.get("value") or {}
        places = []
        if step.get("type") == "policy_extract" and _same_id(value.get("clause"), clause_id):
            places.append("policy extract")
        for index, choice in enumerate(value.get("choices") or [], start=1):
            choice = choice.get(
                "value", choice
            )  # ListBlock items are stored as {"type", "value", "id"}
            if _same_id(choice.get("clause"), clause_id):
                places.append(f"choice {index}")
        for index, rule in enumerate(value.get("rules") or [], start=1):
            rule = rule.get("value", rule)
            if _same_id(rule.get("clause"), clause_id):
                places.append(f"key rule {index}")
        if places:
            yield number, step.get("type"), value.get("heading") or value.get("key") or "", places


def _same_id(value, clause_id):
    return value is not None and str(value) == str(clause_id)


def _content_citations(*, clause):
    """What else cites this clause version, found through every relation that points at
    PolicyClause: this app need not know the models (quiz questions live in the layer above).

    A model whose rows are parts of something an author edits (an option of a question) names
    that owner's field in ``clause_citation_part_of``; each owner is listed once, with every
    place it cites the clause. An owner model may order its rows (``clause_citation_ordering``)
    and name relations to read with them (``clause_citation_prefetch``). A fixed number of
    queries whatever the number of citations: one per relation, then one per owner model (plus
    what the owner model's manager adds, one per question type for polymorphic questions)."""
    places_by_owner = {}
    for model, field_name in clause_citing_relations():
        citing = model._base_manager.filter(**{field_name: clause})
        part_of = getattr(model, "clause_citation_part_of", None)
        if part_of:
            owner_field = model._meta.get_field(part_of)
            owner_model = _root_model(owner_field.related_model)
            for part in citing:
                places_by_owner.setdefault(owner_model, {}).setdefault(
                    getattr(part, owner_field.attname), []
                ).append(f"{model._meta.verbose_name}: {part}")
        else:
            owner_model = _root_model(model)
            for pk in citing.values_list("pk", flat=True):
                places_by_owner.setdefault(owner_model, {}).setdefault(pk, []).append(
                    f"the {owner_model._meta.verbose_name}"
                )
    citations = []
    for owner_model, places in places_by_owner.items():
        owners = (
            owner_model._default_manager.filter(pk__in=places)
            .order_by(*getattr(owner_model, "clause_citation_ordering", ["pk"]))
            .prefetch_related(*getattr(owner_model, "clause_citation_prefetch", ()))
        )
        citations += [{"object": owner, "places": places[owner.pk]} for owner in owners]
    return citations


def clause_citing_relations():
    """``(model, field name)`` for every foreign key to PolicyClause, in whichever app it is
    (quiz options and true/false questions live in the layer above). Many-to-many relations (what a
    certificate rested on) are records, not citations, and are left out."""
    for relation in PolicyClause._meta.get_fields(include_hidden=True):
        if (
            relation.auto_created
            and not relation.concrete
            and (relation.one_to_many or relation.one_to_one)
        ):
            yield relation.related_model, relation.field.name


def clause_citation_owner(model):
    """``(owner model, field on ``model`` naming its owner or None)``: the thing an author edits."""
    part_of = getattr(model, "clause_citation_part_of", None)
    if part_of:
        return _root_model(model._meta.get_field(part_of).related_model), part_of
    return _root_model(model), None


def _root_model(model):
    """The top of a multi-table inheritance chain (a question type's Question)."""
    parents = model._meta.get_parent_list()
    return parents[-1] if parents else model


def documents_applying_to(*, person):
    """Ids of the policy documents whose audience holds the person's organisation (none without
    one). Module steps are shown to everyone as authored, since a scenario may set one
    organisation's rule beside another's; a citation of a document outside this set says that it
    does not apply to the learner (``templates/blocks/citation.html``), and quizzes never ask about
    it (``quizzes.drawing.draw_for_audience``)."""
    organisation_id = getattr(person, "organisation_id", None)
    if organisation_id is None:
        organisation = person_organisation(person=person)
        if organisation is None:
            return set()
        organisation_id = organisation.pk
    # The same for everyone in the organisation: from the shared cache, under the content
    # generation that a change to a document (its audience included) bumps.
    key = DOCUMENTS_APPLYING_KEY.format(organisation_id=organisation_id)
    found = cache.get_many([CONTENT_GENERATION_KEY, key])
    generation = _generation(found.get(CONTENT_GENERATION_KEY), key=CONTENT_GENERATION_KEY)
    entry = found.get(key)
    if entry is None or entry["generation"] != generation:
        document_ids = set(
            PolicyDocument.objects.filter(audience=organisation_id).values_list("pk", flat=True)
        )
        entry = {"generation": generation, "document_ids": document_ids}
        cache.set(key, entry, timeout=CONTENT_CACHE_SECONDS)
    return entry["document_ids"]


def policy_clauses_citable():
    """The clause versions an author may cite in new content: published, and not replaced by a
    newer published version. Content already citing a replaced version keeps showing it (and is
    listed on that version's "What cites this version" page to move on)."""
    return PolicyClause.objects.filter(live=True).exclude(pk__in=policy_clauses_superseded())


def module_steps_latest(*, module):
    """The raw steps of the version an author is editing: the latest revision, else the row."""
    revision = module.latest_revision if module.latest_revision_id else None
    if revision is not None:
        return _raw_steps(revision.content.get("steps"))
    return module.steps.raw_data


def module_cited_document_ids(*, module):
    """Ids of the policy documents whose clauses the module's steps (as being edited) cite: the
    documents that apply to the module, offered first when an author cites another clause."""
    clause_ids = {
        int(clause_id)
        for step in module_steps_latest(module=module)
        for clause_id in _step_clause_ids(step)
    }
    return set(PolicyClause.objects.filter(pk__in=clause_ids).values_list("document_id", flat=True))


def module_taught_clause_keys(*, raw_steps):
    """The clauses these raw steps cite, each as "<document label>:<reference>": what the module
    teaches, whichever version of a clause a step cites (the quiz checks compare a question's
    citations with it, ``quizzes.content_checks.untaught_problems``). One query."""
    clause_ids = {int(clause_id) for step in raw_steps for clause_id in _step_clause_ids(step)}
    return {
        f"{clause.document.label}:{clause.reference}"
        for clause in PolicyClause.objects.filter(pk__in=clause_ids).select_related("document")
    }


def module_superseded_citation_warnings(*, module):
    """Sentences naming each step of ``module`` (the version in hand: a revision being edited,
    or a form's unsaved content) that cites a replaced clause version; empty when none does.
    Learners still see such a citation as written, so it is for the author to move on (the
    clause's "What cites this version" page does it in bulk)."""
    raw_steps = list(module.steps.get_prep_value())
    cited = {int(clause_id) for step in raw_steps for clause_id in _step_clause_ids(step)}
    superseded = policy_clauses_superseded().filter(pk__in=cited).select_related("document")
    warnings = []
    for clause in superseded.order_by("document__title", "reference"):
        steps = [str(number) for number, *_ in _steps_citing(raw_steps, clause.pk)]
        warnings.append(
            f"Step{'s' if len(steps) > 1 else ''} {', '.join(steps)} cite{'' if len(steps) > 1 else 's'} "
            f"{clause.citation} in a replaced version (v{clause.version}); cite the current "
            "version instead."
        )
    return warnings


# How long before a policy's review date the admin home starts listing it.
POLICY_REVIEW_NOTICE_DAYS = 30


def policy_review_status(*, review_on, today, notice_days=POLICY_REVIEW_NOTICE_DAYS):
    """Where a policy stands against its review date: "overdue" once the date has passed, "due"
    within ``notice_days`` of it, else "" (no date, or not yet near). A policy past its review
    may no longer be the policy as it stands today, which is what the modules must teach."""
    if review_on is None:
        return ""
    if review_on < today:
        return "overdue"
    if review_on <= today + datetime.timedelta(days=notice_days):
        return "due"
    return ""


def policy_documents_review_due(*, today, notice_days=POLICY_REVIEW_NOTICE_DAYS):
    """The published policy documents whose review date has passed or is within ``notice_days``,
    the longest overdue first."""
    return PolicyDocument.objects.filter(
        live=True,
        review_on__isnull=False,
        review_on__lte=today + datetime.timedelta(days=notice_days),
    ).order_by("review_on", "title")
