"""Who may see and change what in the methods app: one check per object type.

The decisions are public national data: every logged-in, active member of staff may read every
method (like the drug portal). Changing what the core group understands and links (status,
conditions, dates, substances, ATC codes, area, ICD-10 codes) and adding a method by hand is
for the core group and the administrator; the drug committee reads the register. Answering
clinicians' questions (and seeing who asked) is the core group's. Hidden looks the same as
missing (``Http404``); a reader asking to write gets ``PermissionDenied``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import Method, Question
from legemiddel.methods.selectors import method_detail

EDITOR_ROLES = (Role.CORE_GROUP, Role.ADMINISTRATOR)
REGISTER_ROLES = (*EDITOR_ROLES, Role.DRUG_COMMITTEE)
CORE_ROLES = (Role.CORE_GROUP,)


def can_edit_methods(user: Any) -> bool:
    """Confirm or correct decisions, edit links and add methods by hand."""
    return bool(user.is_authenticated and user.is_active and user.has_role(*EDITOR_ROLES))


def can_answer_questions(user: Any) -> bool:
    """Answer clinicians' questions about decisions (and read who asked)."""
    return bool(user.is_authenticated and user.is_active and user.has_role(*CORE_ROLES))


def get_method_for_user(user: Any, pk: int, write: bool = False) -> Method:
    """A method (``Http404`` when there is none; ``PermissionDenied`` for a write by a reader)."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    method = method_detail(pk)
    if method is None:
        raise Http404
    if write and not can_edit_methods(user):
        raise PermissionDenied
    return method


def get_question_for_user(user: Any, pk: int, write: bool = False) -> Question:
    """Questions (with who asked) are read and answered by the core group only."""
    if not can_answer_questions(user):
        raise Http404
    question = Question.objects.select_related("method", "asked_by").filter(pk=pk).first()
    if question is None:
        raise Http404
    return question
