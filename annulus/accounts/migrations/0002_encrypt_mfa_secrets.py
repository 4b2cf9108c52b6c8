"""Encrypt existing TOTP seeds and replace existing backup codes with their keyed hashes (M3).

Needs the production ANNULUS_MFA_KEY in the environment when run. Reversing decrypts the seeds;
backup codes cannot be un-hashed, so after a reverse each user makes new ones.
"""

from django.db import migrations


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
    ]
    operations = [migrations.RunPython(forward, backward)]
