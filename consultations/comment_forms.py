"""Forms of taking part: a comment (or reply), its correction, a report to the moderators and
a moderator's act. The workflows and their checks are in consultations/comments.py; the forms
check the shape of what was typed so the message appears next to the field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.enums import ModerationAction, ShownAs
from consultations.models import MAX_COMMENT_LENGTH
from organisations.models import Network, Organisation

SELF = "self"

MARKDOWN_HINT = _(
    "Up to 10,000 characters. You may use Markdown: **bold**, *italics*, lists and links."
)


class HoneypotMixin(forms.Form):
    # Hidden from people (and from screen readers); bots fill every field they find.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


class CommentForm(HoneypotMixin):
    """A comment on the draft or a unit; `allow_proposal=False` for replies."""

    voice = forms.ChoiceField(label=_("Comment as"), required=False)
    shown_as = forms.ChoiceField(
        label=_("Show my name as"),
        choices=ShownAs.choices,
        initial=ShownAs.FULL_NAME,
        widget=forms.RadioSelect,
        help_text=_("Used when you comment as yourself; it also appears so in the report."),
    )
    text = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HINT,
        error_messages={
            "required": _("Write the comment."),
            "max_length": _(
                "The comment is too long: at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    is_proposal = forms.BooleanField(
        label=_("This is a proposal with a new wording of the text"), required=False
    )
    proposed_wording = forms.CharField(
        label=_("Proposed new wording"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for a proposal: the text as you would have it."),
        error_messages={
            "max_length": _(
                "The proposed wording is too long: at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )

    field_order = ["voice", "shown_as", "text", "is_proposal", "proposed_wording", "website"]

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation] = (),  # type: ignore[assignment]
        networks: list[Network] = (),  # type: ignore[assignment]
        allow_proposal: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.networks = {str(n.pk): n for n in networks}
        choices: list[tuple[str, str]] = [(SELF, str(_("myself")))]
        choices += [(f"org:{pk}", o.display_name) for pk, o in self.organisations.items()]
        choices += [
            (f"net:{pk}", str(_("joint position of the network %(name)s")) % {"name": n.name})
            for pk, n in self.networks.items()
        ]
        cast(forms.ChoiceField, self.fields["voice"]).choices = choices
        if len(choices) == 1:
            # Nothing to choose; kept (hidden) so that a forged voice is refused, not ignored.
            self.fields["voice"].widget = forms.HiddenInput()
            self.fields["voice"].initial = SELF
        if not allow_proposal:
            del self.fields["is_proposal"]
            del self.fields["proposed_wording"]

    def clean_voice(self) -> str:
        return self.cleaned_data.get("voice") or SELF

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_proposal") and not (data.get("proposed_wording") or "").strip():
            self.add_error(
                "proposed_wording", _("Write the new wording you propose, or untick “proposal”.")
            )
        return data

    def speaker(self) -> dict[str, Any]:
        """The organisation or network the comment is for (keyword arguments of add_comment)."""
        voice = self.cleaned_data.get("voice") or SELF
        if voice.startswith("org:"):
            return {"organisation": self.organisations[voice[4:]]}
        if voice.startswith("net:"):
            return {"network": self.networks[voice[4:]]}
        return {}


class EditCommentForm(forms.Form):
    text = CommentForm.base_fields["text"]
    is_proposal = CommentForm.base_fields["is_proposal"]
    proposed_wording = CommentForm.base_fields["proposed_wording"]

    def __init__(self, *args: Any, allow_proposal: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_proposal:
            del self.fields["is_proposal"]
            del self.fields["proposed_wording"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_proposal") and not (data.get("proposed_wording") or "").strip():
            self.add_error(
                "proposed_wording", _("Write the new wording you propose, or untick “proposal”.")
            )
        return data


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the moderators look at this comment?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: insults, personal data, advertising, off topic."),
        error_messages={"required": _("Say why you report the comment.")},
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=ModerationAction.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=500,
        help_text=_("Required for hiding: it is shown instead of the comment."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == ModerationAction.HIDE and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("State the reason for hiding: it is shown instead of the comment.")
            )
        return data
