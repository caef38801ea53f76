"""Who may do what with news.

- The portal's own stream: its administrators.
- An institution's stream: its staff (and councillors of a council), the same predicate the
  directory, consultations and monitoring use (`accounts.rules.is_staff_of`).
- An organisation's stream: its verified representatives (`is_representative_of`).
- A network's stream: its coordinators, i.e. the representatives of its coordinating
  organisation (`organisations.rules.coordinates`).
- Administrators may also manage any item (to withdraw an unlawful one, for instance).

Permissions on a publisher (`news.publish_for`, given a `news.publishers.Publisher`) decide who
may write new items for it; permissions on an item (`news.manage_item`) who may edit, schedule,
publish, withdraw it and add its images. The public sees an item once its time has come;
those who manage it see it before (a preview), and everyone sees that a withdrawn one was
withdrawn, and why.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import is_administrator, is_representative_of, is_staff_of
from news.enums import PublisherKind, State
from organisations.rules import coordinates


def _speaks_for(user: Any, publisher: Any) -> bool:
    if publisher is None or not getattr(user, "is_authenticated", False):
        return False
    if publisher.kind == PublisherKind.PORTAL:
        return bool(is_administrator(user))
    if publisher.kind == PublisherKind.INSTITUTION:
        return bool(is_staff_of(user, publisher.obj))
    if publisher.kind == PublisherKind.ORGANISATION:
        return bool(is_representative_of(user, publisher.obj))
    if publisher.kind == PublisherKind.NETWORK:
        return bool(coordinates(user, publisher.obj))
    return False


@rules.predicate
def speaks_for(user: Any, publisher: Any) -> bool:
    """Staff, representative or coordinator of this publisher (administrator for the portal)."""
    return _speaks_for(user, publisher)


@rules.predicate
def speaks_for_item(user: Any, item: Any) -> bool:
    return item is not None and _speaks_for(user, item.publisher)


@rules.predicate
def is_public(user: Any, item: Any) -> bool:
    return item is not None and bool(item.is_public())


@rules.predicate
def is_withdrawn(user: Any, item: Any) -> bool:
    return item is not None and item.state == State.WITHDRAWN


manages = speaks_for_item | is_administrator

rules.add_perm("news.publish_for", speaks_for | is_administrator)
rules.add_perm("news.manage_item", manages)
rules.add_perm("news.view_item", is_public | is_withdrawn | manages)
