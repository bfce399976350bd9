"""Production settings: with DEBUG off and a real secret, `manage.py check --deploy` reports nothing;
the sandbox payment provider left on with DEBUG off is a warning of ours."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in (
        "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "STATICFILES_STORAGE",
        "DJANGO_ALLOW_ASYNC_UNSAFE", "PAYMENT_SANDBOX", "PAYMENT_PROVIDER",
    )}
    env.update({"DEBUG": "0", "SECRET_KEY": "k3y-" + "x7Q!pZ" * 10, "ALLOWED_HOSTS": "partner.example.com",
                "DJANGO_SETTINGS_MODULE": "partnercenter.settings", **overrides})
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_with_debug_off():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_payment_sandbox_with_debug_off_is_a_warning():
    result = check_deploy(PAYMENT_SANDBOX="1")
    assert result.returncode != 0
    assert "partnercenter.W001" in result.stdout + result.stderr
