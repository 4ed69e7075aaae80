"""Clinicians ask the core group to clarify a decision; the core group answers.

The core group is e-mailed when a question comes in, the person who asked when it is answered;
the answer is then shown on the method's page to the next person who looks it up. Every step
is in the audit trail. The texts are checked here, so the web form and any other caller get the
same rules: not empty, not too long, no control characters but line breaks and tabs.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.core.audit import audit_record
from legemiddel.core.mail import Outgoing, absolute_url, mail_send_many
from legemiddel.methods.models import Method, Question

MAIL_KIND = "methods_question"
MAX_QUESTION = 2000
MAX_ANSWER = 4000
AUDIT_ASKED = "method_question"
AUDIT_ANSWERED = "method_answer"
# Control characters other than tab, line feed and carriage return; DEL, C1, and the Unicode
# line and paragraph separators (they break a line where the reader sees none).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _clean_text(text: str, *, field: str, limit: int, empty: str) -> str:
    """The text with line endings made ``\\n`` and outer space trimmed, or a clear error."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError({field: [empty]})
    if len(text) > limit:
        raise ValidationError(
            {field: [f"Teksten er {len(text)} tegn lang; høyst {limit} tegn er tillatt."]}
        )
    bad = _CONTROL.search(text)
    if bad:
        raise ValidationError(
            {
                field: [
                    f"Teksten inneholder et kontrolltegn (U+{ord(bad.group()):04X}) ved tegn "
                    f"{bad.start() + 1}; skriv den inn på nytt uten det."
                ]
            }
        )
    return text


def _core_group(excluding: User | None = None) -> list[User]:
    users = User.objects.filter(is_active=True, groups__name=Role.CORE_GROUP.value).exclude(
        email=""
    )
    if excluding is not None:
        users = users.exclude(pk=excluding.pk)
    return list(users.order_by("last_name", "first_name", "username").distinct())


@transaction.atomic
def question_ask(*, method: Method, user: User, text: str) -> Question:
    """Store a clinician's question about a decision and e-mail the core group."""
    if not user.is_active:
        raise ValidationError(["Brukeren er deaktivert."])
    text = _clean_text(
        text, field="text", limit=MAX_QUESTION, empty="Skriv spørsmålet til kjernegruppen."
    )
    question = Question.objects.create(method=method, text=text, asked_by=user)
    audit_record(
        action=AUDIT_ASKED,
        user=user,
        detail=f"spørsmål {question.pk} om {method.method_id}",
        target=f"metode:{method.pk}",
    )
    queue_url = absolute_url(reverse("methods:questions"))
    method_url = absolute_url(reverse("methods:detail", args=[method.pk]))
    mail_send_many(
        messages=[
            Outgoing(
                to=member.email,
                name=member.display_name,
                subject=f"Spørsmål om Nye metoder {method.method_id}: {method.substance_text}",
                template="methods/email/question_new",
                context={
                    "question": question,
                    "method": method,
                    "asker": user.display_name,
                    "queue_url": queue_url,
                    "method_url": method_url,
                },
                kind=MAIL_KIND,
                ref=f"question:{question.pk}",
            )
            for member in _core_group(excluding=user)
        ]
    )
    return question


@transaction.atomic
def question_answer(*, question: Question, actor: User, answer: str) -> Question:
    """Answer an open question; the person who asked is e-mailed and the answer is shown on
    the method's page from now on."""
    # Locked alone: PostgreSQL locks no row on the nullable side of a join (asked_by).
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.answered_at is not None:
        raise ValidationError(["Spørsmålet er allerede besvart."])
    question.answer = _clean_text(
        answer, field="answer", limit=MAX_ANSWER, empty="Skriv svaret til den som spurte."
    )
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    method = question.method
    audit_record(
        action=AUDIT_ANSWERED,
        user=actor,
        detail=f"svar på spørsmål {question.pk} om {method.method_id}",
        target=f"metode:{method.pk}",
    )
    asker = question.asked_by
    if asker is not None and asker.is_active and asker.email:
        mail_send_many(
            messages=[
                Outgoing(
                    to=asker.email,
                    name=asker.display_name,
                    subject=f"Svar på spørsmålet om Nye metoder {method.method_id}",
                    template="methods/email/question_answered",
                    context={
                        "question": question,
                        "method": method,
                        "method_url": absolute_url(reverse("methods:detail", args=[method.pk])),
                    },
                    kind=MAIL_KIND,
                    ref=f"question:{question.pk}",
                )
            ]
        )
    return question
