"""The technician's photo form: files, the stage they show, a caption, internal or not."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from claimory.backoffice.forms.base import ServiceErrorsMixin

MAX_FILES_PER_POST = 20  # the no-JS form sends them all at once; the page sends one by one
KEY_CHARS = RegexValidator(r"^[A-Za-z0-9_-]{1,64}$",
                           "The upload id must be 1–64 letters, digits, '-' or '_'.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoFilesField(forms.FileField):
    """One or several files under one name (``<input type=file multiple>``)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("Choose at least one photo.", code="required")
        if len(files) > MAX_FILES_PER_POST:
            raise forms.ValidationError(
                f"At most {MAX_FILES_PER_POST} photos at a time: send the rest after these.",
                code="too_many")
        return [super(PhotoFilesField, self).clean(one, initial) for one in files]


class PhotoUploadForm(ServiceErrorsMixin, forms.Form):
    photos = PhotoFilesField(
        label="Photos", required=True,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={"empty": "This file is empty.", "invalid": "Choose a photo file."},
        help_text="Take photos with the camera or choose them from the library.")
    stage = forms.ChoiceField(label="Stage")
    caption = forms.CharField(label="Caption", required=False, max_length=300,
                              widget=forms.TextInput(attrs={"placeholder": "e.g. Rear bumper "
                                                                           "removed"}),
                              help_text="Optional. The customer sees it unless internal.")
    internal = forms.BooleanField(label="Internal only", required=False,
                                  help_text="Staff see it; the customer never does.")
    # The page gives every file its own id, so a retry never makes a second photo; the plain
    # form sends one id for the whole batch (a reload of the same post adds nothing twice).
    upload_key = forms.CharField(required=False, max_length=64, validators=[KEY_CHARS],
                                 widget=forms.HiddenInput)

    def __init__(self, *args, stages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages
        self.fields["stage"].error_messages["invalid_choice"] = (
            "Choose one of this shop's stages.")

    def file_key(self, index: int, count: int) -> str:
        """The upload id of the ``index``-th file of this post."""
        key = self.cleaned_data.get("upload_key") or ""
        if not key or count == 1:
            return key
        return f"{key[:60]}-{index}"
