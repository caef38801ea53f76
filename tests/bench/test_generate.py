"""The benchmark's dataset generators run on the test database with tiny sizes."""

from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model

from bench import generate
from core.models import DataLoad
from territory.models import PortalScope

pytestmark = pytest.mark.django_db


def bench_users():
    return get_user_model().objects.filter(email__endswith="@" + generate.EMAIL_DOMAIN)


def test_every_generator_runs_and_the_dataset_is_then_reused():
    scale = generate.Scale.tiny()
    lines = []
    made = generate.generate(scale, log=lines.append)
    assert [name for name, _ in made] == [g.name for g in generate.generators()]
    assert {"portal_scope", "users"} <= {name for name, _ in made}
    assert bench_users().count() == scale.users
    assert not any(u.has_usable_password() for u in bench_users())
    assert sorted(PortalScope.current().provinces.values_list("code", flat=True)) == [
        "HKV",
        "KRZ",
        "PAZ",
        "PDV",
        "SML",
        "SZR",
    ]
    assert DataLoad.objects.get(name=generate.MARKER).checksum == generate.fingerprint(scale)
    assert generate.is_current(scale)

    assert generate.generate(scale, log=lines.append) is None  # same sizes: reused


def test_changed_sizes_rebuild_in_place():
    generate.generate(generate.Scale.tiny(), log=lambda _: None)
    bigger = replace(generate.Scale.tiny(), users=generate.Scale.tiny().users + 5)
    assert not generate.is_current(bigger)
    generate.generate(bigger, log=lambda _: None)
    assert bench_users().count() == bigger.users  # the earlier users were replaced, not added to


def test_a_registered_generator_changes_the_fingerprint_and_runs():
    scale = generate.Scale.tiny()
    before = generate.fingerprint(scale)
    calls = []

    @generate.generator("test_extra", order=999)
    def extra(ctx):
        calls.append(ctx.scale.users)
        return "nothing"

    try:
        assert generate.fingerprint(scale) != before
        made = generate.generate(scale, log=lambda _: None)
        assert made[-1] == ("test_extra", "nothing")
        assert calls == [scale.users]
    finally:
        generate._registry.pop("test_extra")
