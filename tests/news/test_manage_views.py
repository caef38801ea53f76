"""Writing news: who may write for which publisher, the forms with bad input, images, the
moves between states through the pages, and the rate limit."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from news import services
from news.enums import State
from news.forms import NewsImageForm, WithdrawForm
from news.models import NewsImage, NewsItem, StateChange
from tests.clients import signed_in
from tests.factories.news import NewsImageFactory, NewsItemFactory, png_bytes
from tests.news.helpers import count_queries

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
VALID = {"kind": "news", "title": "Нов парк в квартала", "lead": "Паркът отваря в събота."}


def _new_url(key: str) -> str:
    return f"{reverse('news:new')}?publisher={key}"


def _keys(ladder) -> dict[str, str]:
    return {
        "portal": "portal",
        "institution": f"institution-{ladder.institution.pk}",
        "organisation": f"organisation-{ladder.organisation.pk}",
        "network": f"network-{ladder.network.pk}",
    }


# Who may write for which publisher (GET of the form: 200 may, 403 may not, 302 to sign in).
LADDER = {
    "portal": {"anonymous": 302, "citizen": 403, "other_staff": 403, "staff": 403,
               "representative": 403, "coordinator": 403, "admin": 200},
    "institution": {"anonymous": 302, "citizen": 403, "other_staff": 403, "staff": 200,
                    "representative": 403, "coordinator": 403, "admin": 200},
    "organisation": {"anonymous": 302, "citizen": 403, "other_staff": 403, "staff": 403,
                     "representative": 200, "coordinator": 403, "admin": 200},
    "network": {"anonymous": 302, "citizen": 403, "other_staff": 403, "staff": 403,
                "representative": 403, "coordinator": 200, "admin": 200},
}  # fmt: skip


@pytest.mark.parametrize("kind", list(LADDER))
def test_who_may_write_for_each_publisher(ladder, kind):
    url = _new_url(_keys(ladder)[kind])
    for who, user in ladder.people().items():
        assert signed_in(user).get(url).status_code == LADDER[kind][who], (kind, who)


@pytest.mark.parametrize("kind", list(LADDER))
def test_writing_a_draft_for_each_publisher(ladder, kind):
    writers = {
        "portal": ladder.admin,
        "institution": ladder.staff,
        "organisation": ladder.representative,
        "network": ladder.coordinator,
    }
    writer = writers[kind]
    client = signed_in(writer)
    response = client.post(_new_url(_keys(ladder)[kind]), VALID)
    item = NewsItem.objects.get(title=VALID["title"])
    assert response.status_code == 302
    assert response["Location"] == reverse("news:manage-item", args=[item.pk])
    assert item.state == State.DRAFT and item.created_by == writer
    assert item.publisher.key == _keys(ladder)[kind]
    # Not public yet.
    assert signed_in(None).get(item.get_absolute_url()).status_code == 404


def test_posting_for_someone_else_is_refused(ladder):
    response = signed_in(ladder.other_staff).post(_new_url(_keys(ladder)["institution"]), VALID)
    assert response.status_code == 403
    assert not NewsItem.objects.exists()


def test_unknown_publisher_is_404(ladder):
    client = signed_in(ladder.admin)
    for key in ("bank-1", "institution-999999999", "institution-x", "network-" + "9" * 30):
        assert client.get(_new_url(key)).status_code == 404, key


def test_without_a_publisher_the_only_one_is_taken_or_the_list_shown(ladder):
    assert signed_in(ladder.staff).get(reverse("news:new")).status_code == 200
    # An administrator writes for the portal unless they ask for another publisher.
    assert signed_in(ladder.admin).get(reverse("news:new")).status_code == 200
    # Someone who writes for two publishers chooses on their list.
    from tests.factories.organisations import representative_of

    representative_of(ladder.organisation, ladder.staff)
    assert signed_in(ladder.staff).get(reverse("news:new")).status_code == 302
    assert signed_in(ladder.citizen).get(reverse("news:new")).status_code == 403


def test_manage_lists_the_publishers_and_their_items(ladder):
    mine = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    NewsItemFactory(title="Чужда чернова", state=State.DRAFT, publish_at=None)
    html = signed_in(ladder.staff).get(reverse("news:manage")).content.decode()
    assert mine.title in html and "Чужда чернова" not in html
    assert ladder.institution.name_bg in html
    assert signed_in(ladder.citizen).get(reverse("news:manage")).status_code == 403


def test_bad_input_is_shown_next_to_the_field_and_kept(ladder):
    client = signed_in(ladder.staff)
    data = {"kind": "news", "title": "", "lead": "", "body": "Текстът остава."}
    response = client.post(_new_url(_keys(ladder)["institution"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert _("Give the item a title.") in html
    assert "error-summary" in html
    assert "Текстът остава." in html
    # A municipality outside the chosen province.
    data = {**VALID, "province": "SFO", "municipality": "PDV22"}
    response = client.post(_new_url(_keys(ladder)["institution"]), data)
    assert response.status_code == 200
    assert _("This municipality is not in the province chosen above.") in response.content.decode()
    assert not NewsItem.objects.exists()
    # A municipality alone brings its province.
    client.post(_new_url(_keys(ladder)["institution"]), {**VALID, "municipality": "PDV22"})
    assert NewsItem.objects.get().province_id == "PDV"


# Who may manage an existing item of the institution (the page of actions).
MANAGE = {"anonymous": 302, "citizen": 404, "other_staff": 404, "staff": 200,
          "representative": 404, "coordinator": 404, "admin": 200}  # fmt: skip


def test_manage_item_ladder(ladder):
    draft = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    public = NewsItemFactory(institution=ladder.institution)
    for who, user in ladder.people().items():
        client = signed_in(user)
        assert client.get(reverse("news:manage-item", args=[draft.pk])).status_code == MANAGE[who]
        # A public item's management is refused (403), not hidden.
        expected = 403 if MANAGE[who] == 404 else MANAGE[who]
        assert client.get(reverse("news:edit", args=[public.pk])).status_code == expected, who


def test_edit(ladder):
    item = NewsItemFactory(institution=ladder.institution)
    client = signed_in(ladder.staff)
    response = client.post(reverse("news:edit", args=[item.pk]), {**VALID, "title": "Поправено"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Поправено"
    response = client.post(reverse("news:edit", args=[item.pk]), {**VALID, "lead": ""})
    assert response.status_code == 200
    assert _("Write the lead: one or two sentences on what happened.") in response.content.decode()
    # Others cannot.
    other = signed_in(ladder.other_staff)
    assert other.post(reverse("news:edit", args=[item.pk]), VALID).status_code == 403


def test_publish_now_schedule_unschedule_and_withdraw_through_the_pages(ladder, mailbox):
    item = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    client = signed_in(ladder.staff)
    # Schedule: bad input first.
    url = reverse("news:schedule", args=[item.pk])
    response = client.post(url, {"publish_at": "вчера"})
    assert response.status_code == 200
    assert _("Enter a date and time such as 22.11.2026 09:00.") in response.content.decode()
    past = (timezone.localtime() - HOUR).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"publish_at": past})
    assert response.status_code == 200
    assert past in response.content.decode()  # kept
    future = (timezone.localtime() + 3 * HOUR).replace(second=0, microsecond=0)
    response = client.post(url, {"publish_at": future.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.SCHEDULED and item.publish_at == future
    assert signed_in(None).get(item.get_absolute_url()).status_code == 404
    # Back to draft, then publish now.
    client.post(reverse("news:unschedule", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == State.DRAFT
    response = client.post(reverse("news:publish", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    item.refresh_from_db()
    assert item.state == State.PUBLISHED
    assert signed_in(None).get(item.get_absolute_url()).status_code == 200
    # Publishing again is refused with a message, nothing changes.
    client.post(reverse("news:publish", args=[item.pk]))
    assert StateChange.objects.filter(item=item, to_state=State.PUBLISHED).count() == 1
    # Withdraw: the reason is required.
    url = reverse("news:withdraw", args=[item.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert _("Say why the item is withdrawn: readers will see it.") in response.content.decode()
    client.post(url, {"reason": "Събитието е отменено."})
    item.refresh_from_db()
    assert item.state == State.WITHDRAWN and item.withdrawn_reason == "Събитието е отменено."
    assert StateChange.objects.filter(item=item).last().by == ladder.staff
    # A withdrawn item is no longer edited.
    assert client.get(reverse("news:edit", args=[item.pk])).status_code == 302
    # GET of the state-changing actions is not allowed.
    assert client.get(reverse("news:publish", args=[item.pk])).status_code == 405


def test_state_changes_by_others_are_refused(ladder):
    item = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    for user in (ladder.citizen, ladder.other_staff, ladder.representative):
        client = signed_in(user)
        assert client.post(reverse("news:publish", args=[item.pk])).status_code == 404
        assert (
            client.post(reverse("news:withdraw", args=[item.pk]), {"reason": "x"}).status_code
            == 404
        )
    item.refresh_from_db()
    assert item.state == State.DRAFT
    assert signed_in(None).post(reverse("news:publish", args=[item.pk])).status_code == 302


def test_adding_and_removing_images(ladder):
    item = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    client = signed_in(ladder.staff)
    url = reverse("news:images", args=[item.pk])
    upload = SimpleUploadedFile("Снимка от парка.PNG", png_bytes(), content_type="image/png")
    response = client.post(url, {"file": upload, "alt": "Децата в новия парк", "caption": "Събота"})
    assert response.status_code == 302
    image = NewsImage.objects.get(item=item)
    assert image.alt == "Децата в новия парк"
    assert image.file.name.startswith(f"news/{item.pk}/snimka-ot-parka")
    assert image.file.name.endswith(".png")
    assert 'alt="Децата в новия парк"' in client.get(item.get_absolute_url()).content.decode()
    response = client.post(reverse("news:image-delete", args=[item.pk, image.pk]))
    assert response.status_code == 302
    assert not NewsImage.objects.exists()
    # Someone else may not add or remove.
    other = NewsImageFactory(item=item)
    stranger = signed_in(ladder.representative)
    assert stranger.post(reverse("news:image-delete", args=[item.pk, other.pk])).status_code == 404
    assert stranger.get(url).status_code == 404


def test_image_without_alt_text_is_refused_with_a_message(ladder):
    item = NewsItemFactory(institution=ladder.institution)
    client = signed_in(ladder.staff)
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("news:images", args=[item.pk]), {"file": upload, "alt": "  ", "caption": "Надпис"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = _(
        "Describe what the image shows (alternative text): people who cannot see it rely on it."
    )
    assert message in html
    assert "Надпис" in html  # what was typed is kept
    assert not NewsImage.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("document.pdf", b"%PDF-1.4 not an image", "Upload an image: PNG, JPEG, GIF or WebP."),
        ("fake.png", b"just text pretending", "Upload an image: PNG, JPEG, GIF or WebP."),
        (
            "broken.png",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
            "The file could not be read as an image: upload a PNG, JPEG, GIF or WebP picture.",
        ),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(ladder, name, content, message):
    item = NewsItemFactory(institution=ladder.institution)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = signed_in(ladder.staff).post(
        reverse("news:images", args=[item.pk]), {"file": upload, "alt": "Снимка"}
    )
    assert response.status_code == 200
    assert _(message) in response.content.decode()
    assert not NewsImage.objects.exists()


def test_a_too_large_file_is_refused(ladder, settings):
    upload = SimpleUploadedFile("big.png", png_bytes(), content_type="image/png")
    upload.size = 11 * 1024 * 1024  # as the upload handler reports it
    form = NewsImageForm(data={"alt": "Снимка"}, files={"file": upload})
    assert not form.is_valid()
    assert form.errors.as_data()["file"][0].code == "too_large"


def test_withdraw_form_refuses_blank_reason():
    assert not WithdrawForm({"reason": ""}).is_valid()


def test_writes_are_rate_limited(ladder, settings):
    client = signed_in(ladder.staff)
    url = _new_url(_keys(ladder)["institution"])
    statuses = [client.post(url, {**VALID, "title": ""}).status_code for _i in range(125)]
    assert statuses[0] == 200
    assert statuses[-1] == 429


def test_manage_item_query_count_is_flat(ladder):
    item = NewsItemFactory(state=State.DRAFT, publish_at=None, institution=ladder.institution)
    client = signed_in(ladder.staff)
    url = reverse("news:manage-item", args=[item.pk])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    assert few <= 12
    for _i in range(10):
        NewsImageFactory(item=item)
        services.schedule(item, timezone.now() + HOUR, by=ladder.staff)  # history rows
    client.get(url)
    assert count_queries(lambda: client.get(url)) <= few


def test_manage_list_query_count_is_flat(ladder):
    from tests.factories.organisations import representative_of

    representative_of(ladder.organisation, ladder.admin)  # the portal and an organisation
    client = signed_in(ladder.admin)
    url = reverse("news:manage")
    for _i in range(3):
        NewsItemFactory()
    client.get(url)
    few = count_queries(lambda: client.get(url))
    assert few <= 14
    for i in range(27):
        NewsItemFactory(**({"organisation": ladder.organisation} if i % 2 else {}))
    client.get(url)  # the same caches warm as before
    assert count_queries(lambda: client.get(url)) <= few


def test_the_stored_name_ends_with_the_type_of_the_content(ladder):
    item = NewsItemFactory(institution=ladder.institution)
    upload = SimpleUploadedFile("photo.jpg", png_bytes(), content_type="image/jpeg")
    signed_in(ladder.staff).post(
        reverse("news:images", args=[item.pk]), {"file": upload, "alt": "Снимка"}
    )
    assert NewsImage.objects.get().file.name.endswith("/photo.png")


# Who may manage an item of an organisation, of a network, of the portal (the edit page of a
# draft: 200 may, 404 may not see it, 302 to sign in).
ITEM_LADDER = {
    "organisation": {"anonymous": 302, "citizen": 404, "other_staff": 404, "staff": 404,
                     "representative": 200, "coordinator": 404, "admin": 200},
    "network": {"anonymous": 302, "citizen": 404, "other_staff": 404, "staff": 404,
                "representative": 404, "coordinator": 200, "admin": 200},
    "portal": {"anonymous": 302, "citizen": 404, "other_staff": 404, "staff": 404,
               "representative": 404, "coordinator": 404, "admin": 200},
}  # fmt: skip


@pytest.mark.parametrize("kind", list(ITEM_LADDER))
def test_item_ladder_for_organisations_networks_and_the_portal(ladder, kind):
    publisher = {} if kind == "portal" else {kind: getattr(ladder, kind)}
    item = NewsItemFactory(state=State.DRAFT, publish_at=None, **publisher)
    for who, user in ladder.people().items():
        client = signed_in(user)
        assert (
            client.get(reverse("news:edit", args=[item.pk])).status_code == ITEM_LADDER[kind][who]
        ), (kind, who)
    # The one who may publishes it; the page is then public.
    allowed = next(
        u for w, u in ladder.people().items() if ITEM_LADDER[kind][w] == 200 and w != "admin"
    ) if kind != "portal" else ladder.admin  # fmt: skip
    assert signed_in(allowed).post(reverse("news:publish", args=[item.pk])).status_code == 302
    assert signed_in(None).get(item.get_absolute_url()).status_code == 200


def test_a_representative_who_stops_representing_loses_the_right(ladder):
    from accounts.models import RoleAssignment

    item = NewsItemFactory(state=State.DRAFT, publish_at=None, organisation=ladder.organisation)
    client = signed_in(ladder.representative)
    assert client.get(reverse("news:edit", args=[item.pk])).status_code == 200
    RoleAssignment.objects.filter(user=ladder.representative).update(revoked_at=timezone.now())
    from django.core.cache import cache

    cache.clear()  # role keys may be cached per person
    client = signed_in(ladder.representative)
    assert client.get(reverse("news:edit", args=[item.pk])).status_code == 404


def test_pages_in_english(ladder):
    item = NewsItemFactory(institution=ladder.institution)
    client = signed_in(ladder.staff)
    assert client.get("/en/news/").status_code == 200
    assert client.get(f"/en/news/{item.pk}/").status_code == 200
    assert client.get(f"/en/news/{item.pk}/manage/").status_code == 200
    assert client.get("/en/news/feed.rss").status_code == 200


def test_admin_pages(ladder):
    from tests.factories.accounts import UserFactory

    superuser = UserFactory(is_superuser=True, is_staff=True)
    item = NewsItemFactory(institution=ladder.institution)
    NewsImageFactory(item=item)
    services.withdraw(item, "Грешка.")
    client = signed_in(superuser)
    assert client.get("/admin/news/newsitem/").status_code == 200
    assert client.get(f"/admin/news/newsitem/{item.pk}/change/").status_code == 200
    assert client.get("/admin/news/statechange/").status_code == 200
