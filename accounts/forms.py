from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.enums import Frequency
from accounts.models import User
from accounts.notifications import news_kinds

_EMAIL_LIKE = re.compile(r"\S+@\S+\.\S+")
_URL_LIKE = re.compile(r"(https?://|www\.)", re.IGNORECASE)


class NameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "display_name"]
        help_texts = {
            "display_name": _(
                "Shown next to what you publish. Leave empty to use your first and last name."
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("first_name", "last_name", "display_name"):
            value = (data.get(name) or "").strip()
            data[name] = value
            if _EMAIL_LIKE.search(value):
                self.add_error(name, _("A name must not contain an e-mail address."))
            elif _URL_LIKE.search(value):
                self.add_error(name, _("A name must not contain a web address."))
            elif any(ch in value for ch in "<>{}"):
                self.add_error(name, _("A name must not contain the characters < > { }."))
        return data


class PreferencesForm(forms.Form):
    """The language of the e-mail, and one choice per registered kind of news."""

    language = forms.ChoiceField(
        label=_("Language of the e-mail"),
        help_text=_("Notifications and digests are written in this language."),
        choices=settings.LANGUAGES,
        # Not required: a form sent without it (an older page) keeps the language chosen.
        required=False,
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )

    def __init__(
        self,
        *args: Any,
        initial_frequencies: dict[str, str],
        initial_language: str = settings.LANGUAGE_CODE,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = initial_language
        for kind in news_kinds():
            self.fields[f"kind_{kind.key}"] = forms.ChoiceField(
                label=str(kind.label),
                choices=Frequency.choices,
                initial=initial_frequencies.get(kind.key, Frequency.WEEKLY),
            )

    def frequencies(self) -> dict[str, str]:
        return {
            name.removeprefix("kind_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("kind_")
        }


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("To confirm that it is you, enter the password you sign in with."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class FollowForm(forms.Form):
    content_type = forms.CharField(max_length=100)
    object_id = forms.CharField(max_length=64)
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])
    next = forms.CharField(required=False, max_length=1000)
