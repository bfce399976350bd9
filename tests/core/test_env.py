from django.conf import settings


def test_suite_runs_with_debug_off_over_http():
    assert settings.DEBUG is False
    assert settings.SECURE_SSL_REDIRECT is False
