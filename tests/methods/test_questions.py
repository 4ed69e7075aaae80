"""Questions to the core group: a clinician asks on the method's page, the core group is
e-mailed and answers on its page, the asker is e-mailed the answer, and the next person who
looks the method up reads it. Bad texts are refused with a clear message and nothing stored."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legemiddel.accounts.roles import Role
from legemiddel.core.models import AuditEvent
from legemiddel.methods.models import Question
from legemiddel.methods.questions import MAX_ANSWER, MAX_QUESTION, question_answer, question_ask
from tests.methods.lookup_builders import make_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def method(db):
    return make_method("ID2019_073", "Revmatoid artritt")


@pytest.fixture
def people(users):
    users[Role.CORE_GROUP].email = "kjerne@helse-bergen.no"
    users[Role.CORE_GROUP].save()
    users[Role.PRESCRIBER].email = "lege@helse-bergen.no"
    users[Role.PRESCRIBER].save()
    return users


def ask(client, method, text):
    return client.post(reverse("methods:detail", args=[method.pk]), {"text": text})


def test_a_clinician_asks_and_the_core_group_is_emailed(client_for, people, method):
    response = ask(client_for(Role.PRESCRIBER), method, "Gjelder dette også barn?")
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.text == "Gjelder dette også barn?"
    assert question.asked_by == people[Role.PRESCRIBER]
    assert question.answered_at is None
    (message,) = mail.outbox
    assert message.to == ["kjerne@helse-bergen.no"]
    assert "ID2019_073" in message.subject
    assert "Gjelder dette også barn?" in message.body
    assert "/metoder/sporsmal/" in message.body
    event = AuditEvent.objects.get(action="method_question")
    assert event.user == people[Role.PRESCRIBER]
    assert event.target == f"metode:{method.pk}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Skriv spørsmålet"),
        ("   \n\t ", "Skriv spørsmålet"),
        ("x" * (MAX_QUESTION + 1), f"høyst {MAX_QUESTION} tegn"),
        ("Gjelder\x00 dette?", "kontrolltegn (U+0000)"),
        ("Gjelder\x1b[31m dette?", "kontrolltegn (U+001B)"),
        ("Gjelder\u2028dette?", "kontrolltegn (U+2028)"),
        ("Gjelder\x7f dette?", "kontrolltegn (U+007F)"),
    ],
)
def test_a_bad_question_is_refused_and_nothing_is_stored(client_for, people, method, text, message):
    response = ask(client_for(Role.PRESCRIBER), method, text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Question.objects.count() == 0
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="method_question").exists()


def test_line_breaks_and_a_formula_are_kept_as_text(people, method):
    question = question_ask(
        method=method, user=people[Role.PRESCRIBER], text="=HYPERLINK(1)\r\nAndre linje\tslutt"
    )
    assert question.text == "=HYPERLINK(1)\nAndre linje\tslutt"


def test_the_core_group_answers_and_the_asker_is_emailed(client_for, people, method):
    question = question_ask(method=method, user=people[Role.PRESCRIBER], text="Barn?")
    mail.outbox.clear()
    client = client_for(Role.CORE_GROUP)
    page = client.get(reverse("methods:questions"))
    assert page.status_code == 200
    assert "Barn?" in page.content.decode()
    assert "Prescriber" in page.content.decode()  # the core group sees who asked
    response = client.post(
        reverse("methods:questions"), {"question": question.pk, "answer": "Nei, bare voksne."}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "Nei, bare voksne."
    assert question.answered_by == people[Role.CORE_GROUP]
    assert question.answered_at is not None
    (message,) = mail.outbox
    assert message.to == ["lege@helse-bergen.no"]
    assert "Nei, bare voksne." in message.body
    assert AuditEvent.objects.filter(action="method_answer", user=people[Role.CORE_GROUP]).exists()


def test_the_next_person_reads_the_answer_without_the_askers_name(client_for, people, method):
    question = question_ask(method=method, user=people[Role.PRESCRIBER], text="Barn?")
    question_answer(question=question, actor=people[Role.CORE_GROUP], answer="Nei, bare voksne.")
    html = client_for(Role.PHARMACY).get(reverse("methods:detail", args=[method.pk])).content
    html = html.decode()
    assert "Barn?" in html
    assert "Nei, bare voksne." in html
    assert "Prescriber" not in html


def test_an_open_question_is_not_shown_on_the_method_page(client_for, people, method):
    question_ask(method=method, user=people[Role.PRESCRIBER], text="Hemmelig utkast?")
    html = client_for(Role.PHARMACY).get(reverse("methods:detail", args=[method.pk]))
    assert "Hemmelig utkast?" not in html.content.decode()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("", "Skriv svaret"),
        ("x" * (MAX_ANSWER + 1), f"høyst {MAX_ANSWER} tegn"),
        ("Nei\x0b takk", "kontrolltegn (U+000B)"),
    ],
)
def test_a_bad_answer_is_refused_and_the_question_stays_open(
    client_for, people, method, answer, message
):
    question = question_ask(method=method, user=people[Role.PRESCRIBER], text="Barn?")
    mail.outbox.clear()
    response = client_for(Role.CORE_GROUP).post(
        reverse("methods:questions"), {"question": question.pk, "answer": answer}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None
    assert mail.outbox == []


def test_a_question_is_answered_once(people, method):
    question = question_ask(method=method, user=people[Role.PRESCRIBER], text="Barn?")
    question_answer(question=question, actor=people[Role.CORE_GROUP], answer="Nei.")
    with pytest.raises(ValidationError, match="allerede besvart"):
        question_answer(question=question, actor=people[Role.CORE_GROUP], answer="Ja.")
    question.refresh_from_db()
    assert question.answer == "Nei."


def test_answered_questions_are_listed_apart(client_for, people, method):
    question = question_ask(method=method, user=people[Role.PRESCRIBER], text="Barn?")
    question_answer(question=question, actor=people[Role.CORE_GROUP], answer="Nei.")
    client = client_for(Role.CORE_GROUP)
    assert "Barn?" not in client.get(reverse("methods:questions")).content.decode()
    assert "Barn?" in client.get(reverse("methods:questions") + "?vis=besvart").content.decode()


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.UNIT_LEADER, Role.PROCUREMENT_ADVISER])
def test_only_the_core_group_opens_the_questions(client_for, people, method, role):
    client = client_for(role)
    assert client.get(reverse("methods:questions")).status_code == 403
    question = question_ask(method=method, user=people[Role.PRESCRIBER], text="Barn?")
    client.post(reverse("methods:questions"), {"question": question.pk, "answer": "Ja."})
    question.refresh_from_db()
    assert question.answered_at is None


def test_an_unknown_question_is_not_found(client_for, people, method):
    response = client_for(Role.CORE_GROUP).post(
        reverse("methods:questions"), {"question": 99999, "answer": "Ja."}
    )
    assert response.status_code == 404


def test_the_asker_is_not_emailed_about_their_own_question_as_core_group(people, method):
    question_ask(method=method, user=people[Role.CORE_GROUP], text="Notat til oss selv?")
    assert mail.outbox == []


@given(text=st.text(max_size=300))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_is_either_stored_clean_or_refused_with_a_message(people, method, text):
    before = Question.objects.count()
    try:
        question = question_ask(method=method, user=people[Role.PRESCRIBER], text=text)
    except ValidationError as exc:
        refused = exc.message_dict
    else:
        refused = {}
    if refused:
        assert refused["text"]
        assert Question.objects.count() == before
        return
    assert question.text == question.text.strip()
    assert question.text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", question.text)
    assert Question.objects.get(pk=question.pk).text == question.text
