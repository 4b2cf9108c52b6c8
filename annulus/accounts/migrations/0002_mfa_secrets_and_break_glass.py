"""Encrypt TOTP seeds and hash backup codes (M3); the break-glass grants table (G8).

Needs the production ANNULUS_MFA_KEY in the environment when run. Reversing decrypts the seeds;
backup codes cannot be un-hashed, so after a reverse each user makes new ones.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def forward(apps, schema_editor):
    from annulus.accounts.mfa_secrets import encrypt_seed, hash_code, is_encrypted, is_hashed

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for pk, key in TOTPDevice.objects.values_list("pk", "key"):
        if key and not is_encrypted(key):
            TOTPDevice.objects.filter(pk=pk).update(key=encrypt_seed(key))
    for pk, token in StaticToken.objects.values_list("pk", "token"):
        if token and not is_hashed(token):
            StaticToken.objects.filter(pk=pk).update(token=hash_code(token))


def backward(apps, schema_editor):
    from annulus.accounts.mfa_secrets import decrypt_seed, is_encrypted

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for pk, key in TOTPDevice.objects.values_list("pk", "key"):
        if key and is_encrypted(key):
            TOTPDevice.objects.filter(pk=pk).update(key=decrypt_seed(key).hex())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.RunPython(forward, backward),
        migrations.CreateModel(
            name='BreakGlass',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('patient_id', models.BigIntegerField(db_index=True)),
                ('reason', models.TextField()),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('review_note', models.TextField(blank=True)),
                ('clinic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.clinic')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-opened_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('opened_at'))), name='breakglass_expires_after_opening')],
            },
        ),
    ]
