"""Who may do what in the library.

- Everyone reads published publications, their files, chapters and good-practice records.
- Library editors and portal administrators write: create publications, edit them, upload
  files, write chapters, publish and unpublish, make new editions, link where they are used.
  A draft is seen only by them.

A library editor is a person granted Django's model permission `library.change_publication`
(directly or through a group, in the admin): accounts has no role for it yet (see README).
The check goes to Django's ModelBackend directly, which caches a person's permissions on
the user object: one query per request however many times it is asked.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.backends import ModelBackend

from accounts.rules import is_administrator
from library.enums import State

EDITOR_PERMISSION = "library.change_publication"
_backend = ModelBackend()


@rules.predicate
def is_library_editor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _backend.has_perm(user, EDITOR_PERMISSION)


@rules.predicate
def is_published(user: Any, publication: Any) -> bool:
    return publication is not None and publication.state == State.PUBLISHED


edits = is_library_editor | is_administrator

rules.add_perm("library.edit", edits)
rules.add_perm("library.view_publication", is_published | edits)
rules.add_perm("library.edit_publication", edits)
