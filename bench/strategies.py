"""Learners who know nothing, against the shipped quizzes: how often does a strategy pass?

Each simulated learner is a real account that takes the real quizzes through Django's test client,
exactly as a person's browser would: it starts an attempt, reads the quiz page, answers, saves as
it goes (the autosave endpoint), submits, reads its result page and downloads its personal data.
What it answers comes only from what those responses showed it, never from the database. The
harness (not the learner) sets up the accounts, walks them through the module's steps with the
module services (a quiz starts only after them), reads the outcome of each attempt from the
database, and lets time pass when a cooldown blocks a retry.

Strategies:
- ``random answers``: any valid answer to every question, at random.
- ``always the first option``: the first option shown (the first judgement, the order shown).
- ``retry using only what the learner was shown``: remembers every question it met; reuses an
  answer it was told was right, never repeats one it was told was wrong, and uses any answer key
  a page, autosave response or download let slip (during the attempt as well as after it).
- ``the longest option``: the test-wise guess that the careful, qualified answer is the longest:
  the longest option of a single choice, the longer half of a multiple response; where length
  cannot tell (true or false, a judgement, an order) it guesses at random.
- ``the odd one out``: the test-wise guess that three wrong options are variations of one idea:
  the option of a single choice least like the others in its words, and the less typical half of
  a multiple response; a random guess elsewhere.
- ``knows every keyed answer`` (the yardstick): answers from the key, to prove that the harness
  can pass at all; it reads the key from the attempt in the database, as no learner can.

Each new learner works for the next of the organisations whose staff can take the quiz (those a
fair draw can be made for, as the quiz's start allows), in turn: a learner is asked only the
questions on their own employer's policies, so each organisation's share of a bank is a quiz of
its own, with its own cues. Every figure breaks its attempts down by organisation.

Everything runs inside one transaction that is rolled back, so the bench database is unchanged."""

import contextlib
import datetime
import io
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from unittest import mock

from bs4 import BeautifulSoup

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.content_checks import option_similarities

from .data import module_steps_walk
from .stats import Figure

SEED = 20261202
STRATEGIES = (
    "random answers",
    "always the first option",
    "retry using only what the learner was shown",
    # Last, so that the strategies before it draw the same random numbers as they did without it.
    "the longest option",
    "the odd one out",
)
ORACLE = "knows every keyed answer"
GOALS = {
    "random answers": 0.001,
    "always the first option": 0.001,
    "retry using only what the learner was shown": 0.01,
    "the longest option": 0.001,
    "the odd one out": 0.001,
}
# Fields a response could use to mark an option as keyed (any of them in a download is a leak).
KEY_FIELDS = ("correct", "appropriate", "position")
WRONG_WORDS = re.compile(r"\b(not right|partly right|wrong|incorrect|not correct)\b", re.IGNORECASE)
RIGHT_WORDS = re.compile(r"\b(right|correct)\b", re.IGNORECASE)
ANSWER_FIELD = re.compile(r"^q-(?P<question>[^.]+)(?:\.(?P<item>.+))?$")
ITEM = "."


class _RolledBack(Exception):
    pass


# --- what a page shows ---------------------------------------------------------------------


@dataclass
class ShownQuestion:
    """One question as the quiz form shows it: its words and the answer fields a browser sends."""

    text: str
    radios: dict = field(default_factory=dict)  # field name -> values, pick one each
    checkboxes: dict = field(default_factory=dict)  # field name -> values, pick any
    selects: dict = field(default_factory=dict)  # field name -> values (ordering positions)
    labels: dict = field(default_factory=dict)  # (field name, value) -> label text

    @property
    def question_id(self):
        name = next(iter({**self.radios, **self.checkboxes, **self.selects}), "")
        match = ANSWER_FIELD.match(name)
        return match["question"] if match else None


@dataclass
class ShownForm:
    form_token: str
    questions: list


def _text(element):
    return " ".join(element.get_text(" ", strip=True).split())


def form_parse(html):
    """The quiz form as a browser sees it, or None when the page holds no quiz form."""
    soup = BeautifulSoup(html, "html.parser")
    token = soup.find("input", attrs={"name": "form_token"})
    if token is None:
        return None
    form = token.find_parent("form")
    questions = []
    for fieldset in form.find_all("fieldset", recursive=True):
        if fieldset.find_parent("fieldset") is not None:
            continue  # an inner fieldset (one action of a judgement question)
        legend = fieldset.find("legend")
        caption = legend.find(class_="govuk-caption-m") if legend else None
        if caption:
            caption.extract()
        question = ShownQuestion(text=_text(legend) if legend else "")
        for control in fieldset.find_all(["input", "select"]):
            name = control.get("name", "")
            if not ANSWER_FIELD.match(name):
                continue
            if control.name == "select":
                values = [
                    option.get("value")
                    for option in control.find_all("option")
                    if option.get("value")
                ]
                question.selects[name] = values
                label = soup.find("label", attrs={"for": control.get("id")})
                question.labels[(name, None)] = _text(label) if label else ""
                continue
            group = question.radios if control.get("type") == "radio" else question.checkboxes
            group.setdefault(name, []).append(control.get("value"))
            label = soup.find("label", attrs={"for": control.get("id")})
            question.labels[(name, control.get("value"))] = _text(label) if label else ""
            inner = control.find_parent("fieldset")
            if inner is not fieldset and inner is not None:
                question.labels[(name, None)] = _text(inner.find("legend"))
        questions.append(question)
    return ShownForm(form_token=token.get("value", ""), questions=questions)


NUMBERED_MARK = re.compile(
    r"Question (?P<number>\d+)\b[^:]{0,40}:\s*(?P<mark>partly right|not right|right|wrong|incorrect|not correct|correct)",
    re.IGNORECASE,
)


def result_marks(html, *, questions):
    """Question text -> True (shown as right) / False (shown as wrong), for the questions whose
    result the page states, read as a person reads it: "Question 3: not right" against the
    third question they were shown, else the words in the smallest block around the question."""
    soup = BeautifulSoup(html, "html.parser")
    marks = {}
    for match in NUMBERED_MARK.finditer(_text(soup)):
        number = int(match["number"])
        if 1 <= number <= len(questions):
            marks[questions[number - 1].text] = match["mark"].lower() in ("right", "correct")
    for question in questions:
        if question.text in marks:
            continue
        node = soup.find(
            string=lambda string, text=question.text: string and " ".join(string.split()) == text
        )
        element = node.parent if node is not None else None
        while element is not None and element.name != "body":
            words = _text(element)
            if len(words) > len(question.text) + 2:
                outside = words.replace(question.text, " ")
                if WRONG_WORDS.search(outside):
                    marks[question.text] = False
                elif RIGHT_WORDS.search(outside):
                    marks[question.text] = True
                break
            element = element.parent
    return marks


def keys_from_data(data):
    """Question text -> the keyed answer in words (see ``semantic``), from any JSON a learner was
    given that marks options as keyed (the personal-data download, an autosave response, ...)."""
    found = {}
    for question in _dicts_with_options(data):
        options = [option for option in question.get("options") or [] if isinstance(option, dict)]
        if not question.get("text") or not any(
            set(KEY_FIELDS) & option.keys() for option in options
        ):
            continue
        kind = question.get("type")
        if kind == "ordering":
            found[question["text"]] = (
                "items",
                frozenset((option["text"], str(option["position"])) for option in options),
            )
        elif kind == "scenario_judgement":
            found[question["text"]] = (
                "items",
                frozenset(
                    (
                        option["text"],
                        "appropriate" if option.get("appropriate") else "not_appropriate",
                    )
                    for option in options
                ),
            )
        elif kind == "multiple_response":
            found[question["text"]] = (
                "many",
                frozenset(option["text"] for option in options if option.get("correct")),
            )
        else:
            found[question["text"]] = (
                "one",
                next((option["text"] for option in options if option.get("correct")), None),
            )
    return found


def _dicts_with_options(value):
    if isinstance(value, dict):
        if "options" in value and "text" in value:
            yield value
        for item in value.values():
            yield from _dicts_with_options(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts_with_options(item)


def keys_from_result_page(html, *, questions):
    """Question text -> keyed answer in words, where the page states which option the policy expects."""
    page = _text(BeautifulSoup(html, "html.parser"))
    found = {}
    for question in questions:
        for (_name, value), label in question.labels.items():
            if (
                value is not None
                and label
                and re.search(r"expects?:?\s*[“\"]" + re.escape(label) + '[”"]', page)
            ):
                found[question.text] = (
                    ("many", frozenset([label])) if question.checkboxes else ("one", label)
                )
    return found


def keys_from_zip(content):
    found = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith(".json"):
                try:
                    found.update(keys_from_data(json.loads(archive.read(name))))
                except ValueError:
                    continue
    return found


def semantic(question, answers):
    """An answer in the words a person remembers: option ids change from attempt to attempt."""
    if question.selects or (question.radios and any(ITEM in name for name in question.radios)):
        return (
            "items",
            frozenset(
                (question.labels.get((name, None), name), values[0])
                for name, values in answers.items()
            ),
        )
    if question.checkboxes:
        name = next(iter(question.checkboxes))
        return (
            "many",
            frozenset(question.labels.get((name, value), value) for value in answers.get(name, [])),
        )
    name = next(iter(question.radios))
    return ("one", question.labels.get((name, answers[name][0]), answers[name][0]))


def concrete(question, remembered):
    """The fields to send for an answer remembered in words, or None if this form cannot carry it
    (the options are not the ones remembered)."""
    kind, value = remembered
    by_label = {
        (name, label): option
        for (name, option), label in question.labels.items()
        if option is not None
    }
    if kind == "items":
        fields = {name: text for (name, option), text in question.labels.items() if option is None}
        wanted = dict(value)
        answers = {name: [wanted[text]] for name, text in fields.items() if text in wanted}
        return answers if len(answers) == len(fields) else None
    if kind == "many":
        name = next(iter(question.checkboxes), None)
        picked = [by_label[(name, text)] for text in value if (name, text) in by_label]
        return {name: picked} if name and picked and len(picked) == len(value) else None
    name = next(iter(question.radios), None)
    option = by_label.get((name, value))
    return {name: [option]} if option else None


# --- how each strategy answers -----------------------------------------------------------


def answers_random(question, rng):
    answers = {name: [rng.choice(values)] for name, values in question.radios.items()}
    for name, values in question.checkboxes.items():
        chosen = [value for value in values if rng.random() < 0.5] or [rng.choice(values)]
        answers[name] = chosen
    if question.selects:
        names = list(question.selects)
        positions = [str(position) for position in range(1, len(names) + 1)]
        rng.shuffle(positions)
        answers.update({name: [position] for name, position in zip(names, positions, strict=True)})
    return answers


def answers_first(question, rng):
    answers = {name: [values[0]] for name, values in question.radios.items()}
    answers.update({name: [values[0]] for name, values in question.checkboxes.items()})
    answers.update(
        {name: [str(position)] for position, name in enumerate(question.selects, start=1)}
    )
    return answers


def _answers_by_score(question, rng, score):
    """The option scoring highest of each choice of three or more options (ties broken at
    random), the options scoring at least the median of a multiple response; a random answer
    elsewhere. ``score(labels)`` gives each label of one question's field a number."""
    answers = answers_random(question, rng)
    for name, values in question.radios.items():
        if len(values) < 3:
            continue  # true or false, or one judgement: their labels say nothing of the key
        scores = _scores(question, name, values, score)
        best = max(scores.values())
        answers[name] = [rng.choice([value for value in values if scores[value] == best])]
    for name, values in question.checkboxes.items():
        scores = _scores(question, name, values, score)
        median = sorted(scores.values())[len(values) // 2]
        answers[name] = [value for value in values if scores[value] >= median]
    return answers


def _scores(question, name, values, score):
    labels = [question.labels.get((name, value), "") for value in values]
    return dict(zip(values, score(labels), strict=True))


def answers_longest(question, rng):
    return _answers_by_score(question, rng, lambda labels: [len(label) for label in labels])


def answers_odd_one_out(question, rng):
    return _answers_by_score(
        question, rng, lambda labels: [-similarity for similarity in option_similarities(labels)]
    )


@dataclass
class Memory:
    """What one learner has been shown, by question, in words."""

    right: dict = field(default_factory=dict)  # question text -> answer shown as right
    wrong: dict = field(default_factory=dict)  # question text -> answers shown as wrong
    keys: dict = field(default_factory=dict)  # question text -> answer a response let slip

    def answer(self, question, rng):
        for known in (self.keys.get(question.text), self.right.get(question.text)):
            answers = concrete(question, known) if known else None
            if answers:
                return answers
        tried = self.wrong.get(question.text, [])
        guess = answers_random(question, rng)
        for _ in range(50):
            if semantic(question, guess) not in tried:
                break
            guess = answers_random(question, rng)
        return guess


def _post_data(form, answers, *, action):
    data = {"form_token": form.form_token, "action": action}
    for question in form.questions:
        data.update(answers[question.text])
    return data


# --- the simulation ------------------------------------------------------------------------


@dataclass
class Tally:
    attempts: int = 0
    passed: int = 0
    refused_starts: int = 0
    leaks: int = 0
    # Each attempt's score as a share of its maximum, summed: a strategy's edge over chance shows
    # here long before it reaches the pass mark.
    score_shares: float = 0.0

    @property
    def rate(self):
        return self.passed / self.attempts if self.attempts else 0.0

    @property
    def mean_score(self):
        return self.score_shares / self.attempts if self.attempts else 0.0

    by_organisation: dict = field(default_factory=dict)  # organisation code -> Tally

    def outcome_record(self, *, organisation, passed, share):
        for tally in (self, self.by_organisation.setdefault(organisation, Tally())):
            tally.attempts += 1
            tally.passed += passed
            tally.score_shares += share

    def organisations_summary(self):
        return {
            code: {
                "attempts": tally.attempts,
                "passed": tally.passed,
                "mean_score": round(tally.mean_score, 4),
                "by_organisation": tally.organisations_summary(),
            }
            for code, tally in sorted(self.by_organisation.items())
        }


class Learner:
    def __init__(self, *, person, strategy, rng):
        self.person = person
        self.strategy = strategy
        self.rng = rng
        self.memory = Memory()
        self.late = Tally()  # what the pages after the latest attempt let slip
        self.attempts = 0
        self.refusal = ""
        self.client = Client()
        self.client.force_login(person.user)

    def attempt(self, quiz, tally):
        """One attempt through the pages; returns the attempt id, or None if the start was refused."""
        response = self.client.post(reverse("quizzes:start", args=[quiz.pk]))
        location = response.headers.get("Location", "")
        match = re.search(r"/quizzes/attempts/(\d+)/", location)
        if response.status_code != 302 or not match:
            tally.refused_starts += 1
            self.refusal = f"{response.status_code} {location}"
            return None
        attempt_url = location
        page = self.client.get(attempt_url)
        form = form_parse(page.content.decode())
        if form is None:
            raise RuntimeError(f"{attempt_url} showed no quiz form ({page.status_code})")
        learns = self.strategy == "retry using only what the learner was shown"
        if learns:
            self._learn_keys(keys_from_data(_json_in(page.content.decode())), tally)
        answers = {question.text: self._answer(question) for question in form.questions}
        if learns:
            saved = self.client.post(
                attempt_url,
                _post_data(form, answers, action="save"),
                headers={"accept": "application/json"},
            )
            body = (
                saved.json()
                if saved.headers.get("Content-Type", "").startswith("application/json")
                else {}
            )
            self._learn_keys(keys_from_data(body), tally)
            form.form_token = body.get("form_token", form.form_token)
            self._learn_keys(self._personal_data_keys(), tally)
            answers = {question.text: self._answer(question) for question in form.questions}
        submitted = self.client.post(attempt_url, _post_data(form, answers, action="submit"))
        if submitted.status_code != 302:
            raise RuntimeError(
                f"submitting {attempt_url} answered {submitted.status_code}: {_error_text(submitted)}"
            )
        if learns:
            result = self.client.get(attempt_url).content.decode()
            by_text = {question.text: question for question in form.questions}
            for text, right in result_marks(result, questions=form.questions).items():
                remembered = semantic(by_text[text], answers[text])
                if right:
                    self.memory.right[text] = remembered
                else:
                    self.memory.wrong.setdefault(text, []).append(remembered)
            # Keys shown after this attempt count as a leak only if it did not pass: once a quiz is
            # passed, its key is the learner's to read.
            self.late = Tally()
            self._learn_keys(keys_from_result_page(result, questions=form.questions), self.late)
            self._learn_keys(self._personal_data_keys(), self.late)
        return int(match[1])

    def _answer(self, question):
        if self.strategy == "random answers":
            return answers_random(question, self.rng)
        if self.strategy == "always the first option":
            return answers_first(question, self.rng)
        if self.strategy == "the longest option":
            return answers_longest(question, self.rng)
        if self.strategy == "the odd one out":
            return answers_odd_one_out(question, self.rng)
        return self.memory.answer(question, self.rng)

    def _personal_data_keys(self):
        response = self.client.get(reverse("my_data_download"))
        if response.status_code != 200:
            return {}
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return keys_from_zip(content)

    def _learn_keys(self, keys, tally):
        new = {text: answer for text, answer in keys.items() if text not in self.memory.keys}
        tally.leaks += len(new)
        self.memory.keys.update(new)


def _json_in(html):
    """JSON a page embeds (e.g. in a script element) is as readable to a learner as the page."""
    found = []
    for match in re.finditer(
        r"<script[^>]*type=\"application/json\"[^>]*>(.*?)</script>", html, re.DOTALL
    ):
        try:
            found.append(json.loads(match[1]))
        except ValueError:
            continue
    return found


def quiz_audiences(quiz):
    """The organisations whose staff can take the quiz: those for which a fair draw can be
    made from the questions on their policies (the others are refused a start), by code."""
    from people.models import Organisation
    from quizzes.selectors import quiz_organisation_draws

    draws = quiz_organisation_draws(quiz=quiz, organisations=Organisation.objects.order_by("code"))
    return [organisation for organisation, draw in draws if not draw.problems]


def _learner_create(*, index, strategy, organisation):
    from django.utils.crypto import get_random_string

    from people.services import person_create

    index = f"{index}-{get_random_string(6).lower()}"  # unique across runs in one database

    slug = re.sub(r"[^a-z]+", "-", strategy.lower()).strip("-")[:20]
    return person_create(
        username=f"bench-strategy-{slug}-{index}",
        first_name="Simulated",
        last_name=f"Learner {index}",
        email=f"bench-strategy-{slug}-{index}@example.invalid",
        organisation=organisation,
    )


class _Clock:
    """The bench's clock: the real time plus however long the learners have been made to wait.

    Waiting out a cooldown moves this clock on rather than moving the learner's attempts back:
    a submitted attempt is evidence, and the database refuses to change it."""

    def __init__(self):
        self.offset = datetime.timedelta(0)
        self.real_now = timezone.now

    def now(self):
        return self.real_now() + self.offset

    @contextlib.contextmanager
    def running(self):
        with mock.patch("django.utils.timezone.now", self.now):
            yield self


def _time_passes(*, clock, quiz):
    """The cooldown runs out: the clock moves on by the cooldown and an hour."""
    clock.offset += datetime.timedelta(hours=quiz.cooldown_hours + 1)


def _outcome(attempt_id):
    """(passed?, score as a share of the maximum) of a submitted attempt."""
    from quizzes.models import Attempt

    passed, score, max_score = Attempt.objects.values_list("passed", "score", "max_score").get(
        pk=attempt_id
    )
    return bool(passed), float(score / max_score) if score is not None and max_score else 0.0


def strategy_run(*, strategy, quizzes, attempts, cooldowns, rng, log=print):
    """At least ``attempts`` attempts, spread evenly over the quizzes. A learner takes a quiz until
    they pass, have waited out ``cooldowns`` cooldowns (None: as many as it takes), or have used
    every attempt the quiz allows in total; then a new learner starts. A learner who remembers nothing gains nothing from a fresh start,
    so those strategies keep one learner per quiz (fewer set-ups, the same figure)."""
    with _Clock().running() as clock:
        return _strategy_run_on(
            clock=clock,
            strategy=strategy,
            quizzes=quizzes,
            attempts=attempts,
            cooldowns=cooldowns,
            rng=rng,
            log=log,
        )


def _strategy_run_on(*, clock, strategy, quizzes, attempts, cooldowns, rng, log):
    tally = Tally()
    quota = -(-attempts // len(quizzes))
    index = 0
    for quiz in quizzes:
        audiences = quiz_audiences(quiz)
        if not audiences:
            raise RuntimeError(f"no organisation's staff can take {quiz}")
        taken = learners = 0
        while taken < quota:
            index += 1
            organisation = audiences[learners % len(audiences)]
            learners += 1
            person = _learner_create(index=index, strategy=strategy, organisation=organisation)
            module_steps_walk(person=person, module=quiz.module.specific)
            learner = Learner(person=person, strategy=strategy, rng=rng)
            waits, waited = 0, False
            while taken < quota:
                attempt_id = learner.attempt(quiz, tally)
                if attempt_id is None:
                    if waited and not learner.attempts:
                        raise RuntimeError(f"a new learner cannot start {quiz}: {learner.refusal}")
                    # Refused again straight after a wait: out of attempts (only L&D can allow more).
                    if waited or (cooldowns is not None and waits >= cooldowns):
                        break
                    _time_passes(clock=clock, quiz=quiz)
                    waits, waited = waits + 1, True
                    continue
                waited = False
                learner.attempts += 1
                taken += 1
                passed, share = _outcome(attempt_id)
                tally.outcome_record(organisation=organisation.code, passed=passed, share=share)
                tally.leaks += 0 if passed else learner.late.leaks
                if passed:
                    break
        log(
            f"  {strategy}: {quiz.title}: {tally.attempts} attempts so far, {tally.passed} passed, "
            f"mean score {tally.mean_score:.1%}"
        )
    by_organisation = ", ".join(
        f"{code} {summary['passed']}/{summary['attempts']} ({summary['mean_score']:.1%})"
        for code, summary in tally.organisations_summary().items()
    )
    log(f"  {strategy}: passed/attempts (mean score) by organisation: {by_organisation}")
    return tally


def oracle_run(*, quizzes, learners):
    """The yardstick: learners who answer from the key (read from the attempt in the database)."""
    from quizzes.models import Attempt

    tally = Tally()
    for index, quiz in enumerate(quizzes * learners):
        audiences = quiz_audiences(quiz)
        person = _learner_create(
            index=index, strategy=ORACLE, organisation=audiences[index % len(audiences)]
        )
        module_steps_walk(person=person, module=quiz.module.specific)
        client = Client()
        client.force_login(person.user)
        response = client.post(reverse("quizzes:start", args=[quiz.pk]))
        attempt_url = response.headers["Location"]
        form = form_parse(client.get(attempt_url).content.decode())
        attempt = Attempt.objects.filter(person=person, quiz=quiz).latest("started_at")
        keyed = keys_from_data(attempt.questions)
        data = {"form_token": form.form_token, "action": "submit"}
        for question in form.questions:
            data.update(concrete(question, keyed[question.text]))
        client.post(attempt_url, data)
        tally.attempts += 1
        tally.passed += Attempt.objects.get(pk=attempt.pk).passed is True
    return tally


def strategies_measure(*, attempts, cooldowns, log=print, seed=SEED):
    """Figures ``quiz strategy: <strategy>: pass rate``, each against the oracle's pass rate."""
    from quizzes.models import Quiz

    rng = random.Random(seed)
    quizzes = list(
        Quiz.objects.select_related("module").filter(module__live=True).order_by("module__path")
    )
    if not quizzes:
        raise RuntimeError("no live quiz: load the shipped content first")
    results = {}
    try:
        with transaction.atomic():
            oracle = oracle_run(quizzes=quizzes, learners=2)
            log(f"  {ORACLE}: {oracle.attempts} attempts, {oracle.passed} passed")
            for strategy in STRATEGIES:
                learns = strategy == "retry using only what the learner was shown"
                results[strategy] = strategy_run(
                    strategy=strategy,
                    quizzes=quizzes,
                    attempts=attempts,
                    cooldowns=cooldowns if learns else None,
                    rng=rng,
                    log=log,
                )
            raise _RolledBack
    except _RolledBack:
        pass
    figures = []
    for strategy, tally in results.items():
        figure = Figure(
            name=f"quiz strategy: {strategy}: pass rate",
            unit="share of attempts",
            rounds=[tally.rate],
            yardstick=f"pass rate of a learner who {ORACLE}",
            yardstick_rounds=[oracle.rate],
            goal=f"<= {GOALS[strategy]}",
            extra={
                "attempts": tally.attempts,
                "passed": tally.passed,
                "refused_starts": tally.refused_starts,
                "keys_leaked": tally.leaks,
                "mean_score": round(tally.mean_score, 4),
                "by_organisation": tally.organisations_summary(),
                "quizzes": len(quizzes),
                "seed": seed,
                "cooldowns_a_remembering_learner_waits_out": cooldowns,
            },
        )
        figure.passed = tally.rate <= GOALS[strategy]
        figures.append(figure)
    return figures


def _error_text(response):
    soup = BeautifulSoup(response.content.decode(errors="replace"), "html.parser")
    summary = soup.find(class_="govuk-error-summary") or soup.find(class_="govuk-error-message")
    return _text(summary) if summary else response.content[:300]
