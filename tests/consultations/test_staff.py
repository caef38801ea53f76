"""The owning institution's staff prepare and run a consultation: create and edit the
package (permissions, the legal period, optimistic locking), the draft's text, attachments,
moves between states, hearings, the dashboard."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from consultations import periods
from consultations.enums import AttachmentKind, Kind, State, VersionKind
from consultations.models import Attachment, Consultation, DraftVersion, Hearing, StateChange
from core.legal_calendar import SOFIA
from tests.clients import signed_in
from tests.factories.accounts import RoleAssignmentFactory, UserFactory
from tests.factories.consultations import ORDINANCE, ConsultationFactory
from tests.factories.directory import generated, staff_of
from tests.factories.organisations import OrganisationFactory, representative_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters; user ids repeat between tests


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plovdiv():
    return generated("ma:PDV22")


@pytest.fixture
def staff(plovdiv):
    user = UserFactory(first_name="Мария", last_name="Георгиева")
    staff_of(plovdiv, user)
    return user


def people(institution) -> dict[str, object]:
    """Everyone on the ladder except the anonymous visitor."""
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    own = UserFactory()
    staff_of(institution, own)
    rep = UserFactory()
    representative_of(OrganisationFactory(), rep)
    return {
        "citizen": UserFactory(),
        "representative": rep,
        "staff of another institution": other,
        "moderator": RoleAssignmentFactory(role=Role.MODERATOR).user,
        "staff": own,
        "administrator": RoleAssignmentFactory(role=Role.ADMINISTRATOR).user,
    }


ALLOWED = {"staff", "administrator"}


def sofia_today() -> datetime.date:
    return timezone.now().astimezone(SOFIA).date()


def tomorrow_9() -> datetime.datetime:
    day = sofia_today() + datetime.timedelta(days=1)
    return datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SOFIA)


def package(institution, **changes) -> dict[str, object]:
    """A valid package for the form: an ordinance opening tomorrow at 9:00 for 30 days."""
    opens = tomorrow_9()
    data: dict[str, object] = {
        "institution": str(institution.pk),
        "kind": Kind.ORDINANCE,
        "title": "Проект на Наредба за изменение на Наредбата за обществения ред",
        "summary": "Промени в часовете за **тишина**.",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_on": (opens.date() + datetime.timedelta(days=30)).isoformat(),
        "short_period_reason": "",
        "motives": "Причини: честите оплаквания от шум.",
        "impact_assessment": "",
        "contact_name": "Мария Георгиева",
        "contact_email": "m.georgieva@plovdiv.example.org",
        "contact_phone": "032 656 711",
        "province": "",
        "municipality": "",
    }
    data.update(changes)
    return data


def field_block(html: str, name: str) -> str:
    """The `.field` block of the input named `name` (where its error message must be)."""
    match = re.search(
        r'<div class="field[^"]*">(?:(?!<div class="field).)*?name="' + re.escape(name) + '"',
        html,
        re.S,
    )
    assert match, f"no field {name}"
    return match.group(0)


def draft_consultation(**kwargs) -> Consultation:
    kwargs.setdefault("with_draft", True)
    return ConsultationFactory(
        state=State.DRAFT,
        opens_at=tomorrow_9(),
        closes_on=tomorrow_9().date() + datetime.timedelta(days=30),
        **kwargs,
    )


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the permission ladder -------------------------------------------------------------------


STAFF_PAGES = ["consultations:staff", "consultations:edit", "consultations:draft",
               "consultations:attachments", "consultations:hearing-add"]  # fmt: skip


@pytest.mark.parametrize(
    ("pages", "published"), [(STAFF_PAGES, False), (["consultations:withdraw"], True)]
)
def test_permission_ladder_on_the_staff_pages(plovdiv, pages, published) -> None:
    # Only a published consultation can be withdrawn; the others are edited before opening.
    c = ConsultationFactory(with_draft=False) if published else draft_consultation()
    ladder = people(plovdiv)
    for name in pages:
        url = reverse(name, args=[c.pk])
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        for role, user in ladder.items():
            response = signed_in(user).get(url)
            expected = 200 if role in ALLOWED else 403
            assert response.status_code == expected, (name, role)


def test_permission_ladder_on_creating(plovdiv) -> None:
    url = reverse("consultations:create") + f"?institution={plovdiv.pk}"
    assert Client().get(url).status_code == 302
    for role, user in people(plovdiv).items():
        expected = 200 if role in ALLOWED else 403
        assert signed_in(user).get(url).status_code == expected, role
        response = signed_in(user).post(url, package(plovdiv))
        assert response.status_code == (302 if role in ALLOWED else 403), role
    assert Consultation.objects.filter(institution=plovdiv).count() == 2


def test_the_dashboard_is_for_staff_and_administrators(plovdiv) -> None:
    url = reverse("consultations:manage")
    assert Client().get(url).status_code == 302
    for role, user in people(plovdiv).items():
        expected = 200 if role in {*ALLOWED, "staff of another institution"} else 403
        assert signed_in(user).get(url).status_code == expected, role


def test_staff_of_another_institution_cannot_act_on_it(plovdiv) -> None:
    c = draft_consultation()
    other = UserFactory()
    staff_of(generated("ma:PDV01"), other)
    client = signed_in(other)
    assert client.post(reverse("consultations:move", args=[c.pk, "publish"])).status_code == 403
    response = client.post(reverse("consultations:withdraw", args=[c.pk]), {"reason": "x"})
    assert response.status_code == 403
    # Nor create one for it, by address or by posting its id.
    url = reverse("consultations:create") + f"?institution={plovdiv.pk}"
    assert client.get(url).status_code == 403
    response = client.post(reverse("consultations:create"), package(plovdiv))
    assert response.status_code == 200  # the form for their own institution, refused
    assert "institution" in response.context["form"].errors
    c.refresh_from_db()
    assert c.state == State.DRAFT
    assert not Consultation.objects.exclude(pk=c.pk).filter(institution=plovdiv).exists()


# --- creating --------------------------------------------------------------------------------


def test_staff_create_a_consultation(staff, plovdiv) -> None:
    client = signed_in(staff)
    # With one institution the form comes directly, for it.
    response = client.get(reverse("consultations:create"))
    assert response.status_code == 200
    assert response.context["form"]["institution"].value() == plovdiv.pk
    response = client.post(reverse("consultations:create"), package(plovdiv, closes_on=""))
    c = Consultation.objects.get(institution=plovdiv, title__startswith="Проект на Наредба за изм")
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:draft", args=[c.pk])
    assert c.state == State.DRAFT
    assert c.created_by == staff
    assert c.opens_at == tomorrow_9()
    # The last day left empty: the law's standard period, moved to a working day.
    assert c.closes_on == periods.default_last_day(Kind.ORDINANCE, tomorrow_9().date())
    # The territory: the institution's own.
    assert (c.province_id, c.municipality_id) == ("PDV", "PDV22")
    assert not StateChange.objects.filter(consultation=c).exists()


def test_a_person_with_several_institutions_chooses(staff, plovdiv) -> None:
    council = generated("mc:PDV22")
    staff_of(council, staff)
    client = signed_in(staff)
    response = client.get(reverse("consultations:create"))
    assert response.status_code == 200
    assert "consultations/staff/choose_institution.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert f"?institution={plovdiv.pk}" in html and f"?institution={council.pk}" in html
    response = client.get(reverse("consultations:create") + f"?institution={council.pk}")
    assert response.context["form"]["institution"].value() == council.pk


def test_an_administrator_creates_for_any_institution(plovdiv) -> None:
    admin = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    client = signed_in(admin)
    sliven = generated("ma:SLV20")
    url = reverse("consultations:create") + f"?institution={sliven.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, package(sliven))
    assert response.status_code == 302
    c = Consultation.objects.get(institution=sliven)
    assert c.municipality_id == "SLV20"


def test_unknown_institution_is_404(staff) -> None:
    client = signed_in(staff)
    assert client.get(reverse("consultations:create") + "?institution=99999999").status_code in (
        403,
        404,
    )
    assert client.get(reverse("consultations:create") + "?institution=abc").status_code == 404
    assert client.get(reverse("consultations:create") + f"?institution={2**63}").status_code == 404


def test_a_short_period_without_reason_is_refused_next_to_the_reason(staff, plovdiv) -> None:
    client = signed_in(staff)
    opens = tomorrow_9()
    last = opens.date() + datetime.timedelta(days=20)
    data = package(plovdiv, closes_on=last.isoformat())
    response = client.post(reverse("consultations:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    block = field_block(html, "short_period_reason")
    assert "ЗНА чл. 26, ал. 4" in block
    assert "error-message" in block
    assert "error-message" not in field_block(html, "closes_on")
    assert "error-summary" in html
    # What was typed is kept.
    assert data["title"] in html and data["motives"] in html
    assert not Consultation.objects.filter(institution=plovdiv).exists()
    # With the reason, it is accepted and the reason is kept for publication.
    data["short_period_reason"] = "Спешно привеждане в съответствие с изменения закон."
    assert client.post(reverse("consultations:create"), data).status_code == 302
    c = Consultation.objects.get(institution=plovdiv)
    assert c.period_days == 20 and c.short_period_reason


def test_a_period_below_the_minimum_is_refused_next_to_the_last_day(staff, plovdiv) -> None:
    client = signed_in(staff)
    last = tomorrow_9().date() + datetime.timedelta(days=10)
    data = package(plovdiv, closes_on=last.isoformat(), short_period_reason="Спешно.")
    response = client.post(reverse("consultations:create"), data)
    block = field_block(response.content.decode(), "closes_on")
    assert "ЗНА чл. 26, ал. 4" in block and "14" in block
    assert not Consultation.objects.filter(institution=plovdiv).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Н" * 501}, "title"),
        ({"title": ""}, "title"),
        ({"kind": "law"}, "kind"),
        ({"contact_email": "не-е-адрес"}, "contact_email"),
        ({"contact_phone": "1" * 101}, "contact_phone"),
        ({"opens_at": "31.02.2026 10:00"}, "opens_at"),
        ({"opens_at": "", "closes_on": "2026-12-31"}, "opens_at"),
        ({"closes_on": "вчера"}, "closes_on"),
        ({"municipality": "XXX99"}, "municipality"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(staff, plovdiv, changes, field) -> None:
    response = signed_in(staff).post(reverse("consultations:create"), package(plovdiv, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "error-message" in field_block(response.content.decode(), field)
    assert not Consultation.objects.filter(institution=plovdiv).exists()


# --- editing ---------------------------------------------------------------------------------


def form_values(response) -> dict[str, object]:
    form = response.context["form"]
    data: dict[str, object] = {}
    for bound in form:
        value = bound.value()
        if bound.name == "topics":
            data[bound.name] = [str(v) for v in value or []]
            continue
        formatted = bound.field.widget.format_value(value)
        if isinstance(formatted, list):  # a select's value
            formatted = formatted[0] if formatted else ""
        data[bound.html_name] = "" if formatted is None else str(formatted)
    return data


def test_edit_saves_and_raises_the_version(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:edit", args=[c.pk])
    data = form_values(client.get(url))
    assert data["version"] == "1"
    data["title"] = "Нов заглавен текст"
    response = client.post(url, data)
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.title, c.version) == ("Нов заглавен текст", 2)
    # Posting it unchanged saves nothing.
    response = client.post(url, form_values(client.get(url)))
    c.refresh_from_db()
    assert c.version == 2


def test_a_stale_form_is_refused_showing_the_difference(staff, plovdiv) -> None:
    c = draft_consultation(with_draft=False)
    colleague = UserFactory()
    staff_of(plovdiv, colleague)
    mine, theirs = signed_in(staff), signed_in(colleague)
    url = reverse("consultations:edit", args=[c.pk])
    my_form = form_values(mine.get(url))
    their_form = form_values(theirs.get(url))
    their_form["title"] = "Заглавие на колегата"
    assert theirs.post(url, their_form).status_code == 302
    my_form["title"] = "Моето заглавие"
    response = mine.post(url, my_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Заглавие на колегата" in html and "Моето заглавие" in html
    assert response.context["conflict"].rows[0][1:] == ("Заглавие на колегата", "Моето заглавие")
    c.refresh_from_db()
    assert (c.title, c.version) == ("Заглавие на колегата", 2)  # nothing overwritten
    # The form now carries the current version: saving again is a deliberate choice.
    again = form_values(response)
    assert again["version"] == "2" and again["title"] == "Моето заглавие"
    assert mine.post(url, again).status_code == 302
    c.refresh_from_db()
    assert (c.title, c.version) == ("Моето заглавие", 3)


def test_the_package_cannot_change_once_open(staff) -> None:
    c = ConsultationFactory(with_draft=False)  # open
    client = signed_in(staff)
    url = reverse("consultations:edit", args=[c.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:staff", args=[c.pk])
    client.post(url, {"title": "Друго", "version": "1"})
    c.refresh_from_db()
    assert c.title != "Друго"
    assert client.get(reverse("consultations:draft", args=[c.pk])).status_code == 403
    assert client.get(reverse("consultations:attachments", args=[c.pk])).status_code == 403


def test_a_scheduled_one_keeps_a_future_date(staff) -> None:
    c = draft_consultation(with_draft=False)
    Consultation.objects.filter(pk=c.pk).update(state=State.SCHEDULED)
    client = signed_in(staff)
    url = reverse("consultations:edit", args=[c.pk])
    data = form_values(client.get(url))
    data["opens_at"] = (
        (timezone.now() - datetime.timedelta(hours=1)).astimezone(SOFIA).strftime("%Y-%m-%dT%H:%M")
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "opens_at" in response.context["form"].errors


# --- the draft's text ------------------------------------------------------------------------


def test_typed_text_is_previewed_then_saved_as_versions(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:draft", args=[c.pk])
    response = client.post(url, {"text": ORDINANCE, "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Чл. 3" in html and "Глава втора" in html
    assert not DraftVersion.objects.filter(consultation=c).exists()
    assert ORDINANCE.splitlines()[4] in html  # the typed text is kept in the form
    response = client.post(url, {"text": ORDINANCE, "save": "1"})
    assert response.status_code == 302
    version = DraftVersion.objects.get(consultation=c)
    assert (version.number, version.kind, version.created_by) == (1, VersionKind.CONSULTED, staff)
    assert version.articles.filter(label="Чл. 4, ал. 2").exists()
    # A revision is a new version, not an overwrite.
    client.post(url, {"text": ORDINANCE.replace("23:00", "22:00")})
    assert list(c.versions.values_list("number", flat=True)) == [1, 2]
    page = client.get(url).content.decode()
    assert "Чл. 4" in page


def test_warnings_of_the_reader_are_shown(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    text = "Чл. 1. Първи.\n\nЧл. 3. Трети."
    response = client.post(
        reverse("consultations:draft", args=[c.pk]), {"text": text, "preview": "1"}
    )
    assert response.context["preview"].warnings
    assert response.context["preview"].warnings[0].message in response.content.decode()
    client.post(reverse("consultations:draft", args=[c.pk]), {"text": text})
    page = client.get(reverse("consultations:draft", args=[c.pk])).content.decode()
    assert "draft-warnings" in page


def test_a_docx_and_a_markdown_file_are_read(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:draft", args=[c.pk])
    data = docx_bytes(
        [
            "Наредба за паркирането",
            "Чл. 1. Общината определя зони.",
            "Чл. 2. (1) Синя зона.",
            "(2) Зелена зона.",
        ]
    )
    upload = SimpleUploadedFile(
        "Наредба паркиране.docx", data, content_type="application/octet-stream"
    )
    assert client.post(url, {"file": upload}).status_code == 302
    version = c.versions.get()
    assert version.source_name == "Наредба паркиране.docx"
    assert version.articles.filter(label="Чл. 2, ал. 2").exists()
    md = SimpleUploadedFile("draft.md", ORDINANCE.encode(), content_type="text/markdown")
    assert client.post(url, {"file": md}).status_code == 302
    assert c.versions.count() == 2
    cp1251 = SimpleUploadedFile("draft.txt", "Чл. 1. Текст на кирилица.".encode("cp1251"))
    assert client.post(url, {"file": cp1251}).status_code == 302
    assert (
        c.versions.order_by("-number").first().articles.get(label="Чл. 1").text.startswith("Текст")
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("draft.docx", PNG),  # an image named .docx
        ("draft.docx", b"PK\x03\x04not really a zip"),
        ("draft.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("draft.txt", PDF),
        ("draft.txt", b"text\x00with nul"),
        ("draft.exe", b"MZ\x90\x00"),
    ],
)
def test_a_wrong_upload_is_refused(staff, name, content) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    response = client.post(
        reverse("consultations:draft", args=[c.pk]), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert "error-message" in field_block(response.content.decode(), "file")
    assert not c.versions.exists()


def test_an_oversized_upload_is_refused(staff) -> None:
    c = draft_consultation(with_draft=False)
    big = SimpleUploadedFile("draft.txt", b"a" * (10 * 1024 * 1024 + 1))
    response = signed_in(staff).post(reverse("consultations:draft", args=[c.pk]), {"file": big})
    assert "file" in response.context["form"].errors
    assert not c.versions.exists()


def test_empty_or_overlong_text_is_refused(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:draft", args=[c.pk])
    assert "text" in client.post(url, {"text": "   "}).context["form"].errors
    assert "text" in client.post(url, {"text": "а" * 500_001}).context["form"].errors
    assert not c.versions.exists()


# --- attachments -----------------------------------------------------------------------------


def test_attachments_are_added_and_removed_before_opening(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:attachments", args=[c.pk])
    pdf = SimpleUploadedFile("Мотиви към проекта.PDF", PDF)
    response = client.post(url, {"kind": AttachmentKind.MOTIVES, "title": "Мотиви", "file": pdf})
    assert response.status_code == 302
    docx = SimpleUploadedFile("оценка.docx", docx_bytes(["Оценка на въздействието"]))
    client.post(url, {"kind": AttachmentKind.IMPACT, "title": "Оценка", "file": docx})
    rows = list(c.attachments.order_by("pk"))
    assert [a.kind for a in rows] == [AttachmentKind.MOTIVES, AttachmentKind.IMPACT]
    assert rows[0].file.name == f"consultations/{c.pk}/motivi-kam-proekta.pdf", rows[0].file.name
    assert rows[0].uploaded_by == staff
    response = client.post(reverse("consultations:attachment-delete", args=[rows[0].pk]))
    assert response.status_code == 302
    assert list(c.attachments.values_list("kind", flat=True)) == [AttachmentKind.IMPACT]


@pytest.mark.parametrize(
    ("name", "content"),
    [("image.pdf", PNG), ("notes.pdf", b"just text"), ("zip.docx", b"PK\x03\x04xx")],
)
def test_a_wrong_attachment_type_is_refused(staff, name, content) -> None:
    c = draft_consultation(with_draft=False)
    response = signed_in(staff).post(
        reverse("consultations:attachments", args=[c.pk]),
        {
            "kind": AttachmentKind.OTHER,
            "title": "Документ",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    html = response.content.decode()
    assert "PDF" in field_block(html, "file")
    assert 'value="Документ"' in html
    assert not Attachment.objects.filter(consultation=c).exists()


def test_attachments_cannot_be_removed_after_opening(staff) -> None:
    c = ConsultationFactory(with_draft=False)
    a = Attachment.objects.create(
        consultation=c, kind=AttachmentKind.DRAFT, title="Проект", file="x.pdf"
    )
    response = signed_in(staff).post(reverse("consultations:attachment-delete", args=[a.pk]))
    assert response.status_code == 403
    assert Attachment.objects.filter(pk=a.pk).exists()


# --- moves between states --------------------------------------------------------------------


def test_publishing_needs_the_text(staff) -> None:
    c = draft_consultation(with_draft=False)
    response = signed_in(staff).post(reverse("consultations:move", args=[c.pk, "publish"]))
    assert response.status_code == 200
    assert any("text" in m or "текст" in m for _link, m in response.context["problems"])
    c.refresh_from_db()
    assert c.state == State.DRAFT


def test_an_ordinance_without_motives_is_not_discussed(staff) -> None:
    c = draft_consultation(motives="")
    client = signed_in(staff)
    response = client.post(reverse("consultations:move", args=[c.pk, "publish"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ЗНА чл. 28" in html
    c.refresh_from_db()
    assert c.state == State.DRAFT
    # Motives as an attachment are enough.
    Attachment.objects.create(
        consultation=c, kind=AttachmentKind.MOTIVES, title="Мотиви", file="m.pdf"
    )
    response = client.post(reverse("consultations:move", args=[c.pk, "publish"]))
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == State.OPEN


def test_a_strategy_needs_no_motives(staff) -> None:
    c = draft_consultation(motives="", kind=Kind.STRATEGY)
    signed_in(staff).post(reverse("consultations:move", args=[c.pk, "publish"]))
    c.refresh_from_db()
    assert c.state == State.OPEN


def test_publish_now_counts_the_period_from_today(staff) -> None:
    c = draft_consultation()
    # 30 days from tomorrow are 31 from today: fine.
    response = signed_in(staff).post(reverse("consultations:move", args=[c.pk, "publish"]))
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == State.OPEN
    assert abs((timezone.now() - c.opens_at).total_seconds()) < 60
    change = c.state_changes.get()
    assert (change.from_state, change.to_state, change.by) == (State.DRAFT, State.OPEN, staff)


def test_publish_now_refuses_a_period_that_became_too_short(staff) -> None:
    c = draft_consultation()
    Consultation.objects.filter(pk=c.pk).update(
        closes_on=sofia_today() + datetime.timedelta(days=20)
    )
    response = signed_in(staff).post(reverse("consultations:move", args=[c.pk, "publish"]))
    assert response.status_code == 200
    assert "ЗНА чл. 26, ал. 4" in response.content.decode()
    c.refresh_from_db()
    assert c.state == State.DRAFT


def test_schedule_and_back_to_draft(staff) -> None:
    c = draft_consultation()
    client = signed_in(staff)
    assert client.post(reverse("consultations:move", args=[c.pk, "schedule"])).status_code == 302
    c.refresh_from_db()
    assert c.state == State.SCHEDULED
    # Still editable while scheduled.
    assert client.get(reverse("consultations:edit", args=[c.pk])).status_code == 200
    assert client.post(reverse("consultations:move", args=[c.pk, "unschedule"])).status_code == 302
    c.refresh_from_db()
    assert c.state == State.DRAFT
    assert [(s.from_state, s.to_state) for s in c.state_changes.all()] == [
        (State.DRAFT, State.SCHEDULED),
        (State.SCHEDULED, State.DRAFT),
    ]


def test_scheduling_needs_a_future_date(staff) -> None:
    c = draft_consultation()
    Consultation.objects.filter(pk=c.pk).update(
        opens_at=timezone.now() - datetime.timedelta(hours=1)
    )
    response = signed_in(staff).post(reverse("consultations:move", args=[c.pk, "schedule"]))
    assert response.status_code == 200 and response.context["problems"]
    c.refresh_from_db()
    assert c.state == State.DRAFT


def test_a_move_not_possible_in_the_state_is_refused(staff) -> None:
    c = ConsultationFactory(with_draft=False)  # open
    client = signed_in(staff)
    for action in ("publish", "schedule", "unschedule", "nonsense"):
        response = client.post(reverse("consultations:move", args=[c.pk, action]))
        assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == State.OPEN
    assert not c.state_changes.exists()
    assert client.get(reverse("consultations:move", args=[c.pk, "publish"])).status_code == 405


def test_withdrawal_needs_a_reason(staff) -> None:
    c = ConsultationFactory(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:withdraw", args=[c.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert "error-message" in field_block(response.content.decode(), "reason")
    c.refresh_from_db()
    assert c.state == State.OPEN
    assert (
        client.post(url, {"reason": "Промяна в закона прави проекта ненужен."}).status_code == 302
    )
    c.refresh_from_db()
    assert c.state == State.WITHDRAWN
    assert c.withdrawn_reason == "Промяна в закона прави проекта ненужен."
    assert c.state_changes.get().note == c.withdrawn_reason
    assert client.get(url).status_code == 403  # nothing more to withdraw


def test_adoption_after_the_report(staff) -> None:
    c = ConsultationFactory(with_draft=False, state=State.CLOSED)
    client = signed_in(staff)
    url = reverse("consultations:adopt", args=[c.pk])
    assert client.get(url).status_code == 403  # the report comes first
    Consultation.objects.filter(pk=c.pk).update(state=State.REPORT_PUBLISHED)
    future = (sofia_today() + datetime.timedelta(days=2)).isoformat()
    response = client.post(url, {"adopted_on": future, "adoption_reference": "Решение № 5"})
    assert "adopted_on" in response.context["form"].errors
    response = client.post(url, {"adopted_on": sofia_today().isoformat(), "adoption_reference": ""})
    assert "adoption_reference" in response.context["form"].errors
    data = {"adopted_on": sofia_today().isoformat(), "adoption_reference": "Решение № 123 на ОбС"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:adopted-text", args=[c.pk])
    c.refresh_from_db()
    assert (c.state, c.adopted_on, c.adoption_reference) == (
        State.ADOPTED,
        sofia_today(),
        "Решение № 123 на ОбС",
    )
    assert c.state_changes.get().to_state == State.ADOPTED


# --- hearings --------------------------------------------------------------------------------


def test_hearings_and_their_minutes(staff) -> None:
    c = ConsultationFactory(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:hearing-add", args=[c.pk])
    response = client.post(url, {"starts_at": "2026-12-01T17:30", "place": "", "online_url": ""})
    assert "place" in response.context["form"].errors
    response = client.post(
        url, {"starts_at": "2026-12-01T17:30", "online_url": "javascript:alert(1)"}
    )
    assert "online_url" in response.context["form"].errors
    assert not Hearing.objects.exists()
    response = client.post(url, {"starts_at": "2026-12-01T17:30", "place": "Зала „Съединение“"})
    assert response.status_code == 302
    hearing = Hearing.objects.get(consultation=c)
    assert hearing.starts_at == datetime.datetime(2026, 12, 1, 17, 30, tzinfo=SOFIA)
    edit = reverse("consultations:hearing-edit", args=[hearing.pk])
    minutes = "Присъстваха 40 души.\n\n<script>alert(1)</script>"
    data = {"starts_at": "2026-12-01T17:30", "place": "Зала „Съединение“", "minutes": minutes}
    assert client.post(edit, data).status_code == 302
    page = client.get(reverse("consultations:staff", args=[c.pk])).content.decode()
    assert "Присъстваха 40 души." in page and "<script>alert(1)" not in page
    assert "01.12.2026" in page


def test_hearing_ladder(plovdiv) -> None:
    c = ConsultationFactory(with_draft=False)
    hearing = Hearing.objects.create(consultation=c, starts_at=timezone.now(), place="Зала")
    for role, user in people(plovdiv).items():
        response = signed_in(user).post(
            reverse("consultations:hearing-edit", args=[hearing.pk]),
            {"starts_at": "2026-12-01T17:30", "place": f"Зала {role}"},
        )
        assert response.status_code == (302 if role in ALLOWED else 403), role
    hearing.refresh_from_db()
    assert hearing.place == "Зала administrator"


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_lists_by_state_with_the_next_step(staff, plovdiv) -> None:
    draft = draft_consultation(with_draft=False)
    open_one = ConsultationFactory(with_draft=False)
    other = ConsultationFactory(with_draft=False, institution=generated("ma:PDV01"))
    response = signed_in(staff).get(reverse("consultations:manage"))
    html = response.content.decode()
    assert draft.title in html and open_one.title in html
    assert other.title not in html
    assert open_one.closes_on.strftime("%d.%m.%Y") in html
    assert reverse("consultations:create") + f"?institution={plovdiv.pk}" in html


def test_the_dashboard_query_count_stays_flat(staff, plovdiv) -> None:
    client = signed_in(staff)
    url = reverse("consultations:manage")

    def count(n: int) -> int:
        for _ in range(n):
            ConsultationFactory(with_draft=False)
        client.get(url)  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count(3)
    many = count(27)
    assert many == few


def test_the_staff_page_query_count_stays_flat(staff) -> None:
    c = ConsultationFactory(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:staff", args=[c.pk])

    def count(n: int) -> int:
        for i in range(n):
            Hearing.objects.create(consultation=c, starts_at=timezone.now(), place=f"Зала {i}")
            Attachment.objects.create(
                consultation=c, kind=AttachmentKind.OTHER, title=f"Д {i}", file=f"{i}.pdf"
            )
            StateChange.objects.create(
                consultation=c, from_state=State.DRAFT, to_state=State.OPEN, by=staff
            )
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(27)


def test_writes_are_rate_limited(staff) -> None:
    c = draft_consultation(with_draft=False)
    client = signed_in(staff)
    url = reverse("consultations:withdraw", args=[c.pk])
    key = f"ratelimit:consultations-staff:user:{staff.pk}"
    cache.set(key, 120, timeout=3600)
    response = client.post(url, {"reason": "Причина"})
    assert response.status_code == 429
    c.refresh_from_db()
    assert c.state == State.DRAFT


def test_previewing_a_file_saves_nothing(staff) -> None:
    c = draft_consultation(with_draft=False)
    data = docx_bytes(["Чл. 1. Общината определя зони.", "Чл. 2. Синя зона."])
    upload = SimpleUploadedFile("zoni.docx", data)
    response = signed_in(staff).post(
        reverse("consultations:draft", args=[c.pk]), {"file": upload, "preview": "1"}
    )
    assert response.status_code == 200
    assert [n.label for n in response.context["preview_nodes"]] == ["Чл. 1", "Чл. 2"]
    assert "zoni.docx" in response.content.decode()
    assert not c.versions.exists()


def test_the_draft_page_query_count_stays_flat(staff) -> None:
    client = signed_in(staff)

    def count(articles: int) -> int:
        text = "\n\n".join(f"Чл. {i}. (1) Текст {i}.\n(2) Още {i}." for i in range(1, articles + 1))
        c = draft_consultation(with_draft=text)
        url = reverse("consultations:draft", args=[c.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)
