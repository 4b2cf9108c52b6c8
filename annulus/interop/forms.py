from __future__ import annotations

from django import forms

from annulus.interop.actions import MAX_CLIENT_DAYS
from annulus.interop.models import SCOPE_READ, SCOPES


class ClientForm(forms.Form):
    name = forms.CharField(max_length=120, label="Who uses it", help_text="e.g. Registry sync")
    scopes = forms.MultipleChoiceField(
        choices=SCOPES, initial=[SCOPE_READ], widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        min_value=1, max_value=MAX_CLIENT_DAYS, initial=90, label="Valid for (days)"
    )
