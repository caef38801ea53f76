"""Background tasks of news: publishing the scheduled items whose time has come.

`manage.py publish_news` (cron, or the development schedule loop) does the same; the task is
there for a scheduler that enqueues tasks rather than running commands.
"""

from __future__ import annotations

from django_tasks import task

from news.services import publish_due


@task()
def publish_due_news() -> int:
    """Publish the due scheduled items (news.services.publish_due); returns how many."""
    return publish_due()
