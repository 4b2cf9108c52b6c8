from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from annulus.documents.actions import DocumentRefused, check_upload
from annulus.documents.content import max_upload_bytes
from annulus.documents.models import Kind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of document", choices=[("", "Choose…"), *Kind.choices])
    title = forms.CharField(
        label="Description",
        max_length=200,
        required=False,
        help_text="Optional, e.g. the sending clinic and the date on the letter.",
    )
    file = forms.FileField(
        label="File to upload",
        help_text="",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "The file is empty. Choose the file again and re-upload.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_mb = max_upload_bytes() / 1_048_576
        self.fields["file"].help_text = f"A PDF, PNG or JPEG of at most {limit_mb:.0f} MB."

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except DocumentRefused as exc:
            raise forms.ValidationError(exc.message) from None
        return upload
