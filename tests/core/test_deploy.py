"""Production settings: with DEBUG off and a real secret, `manage.py check --deploy` reports nothing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_debug_off():
    env = {k: v for k, v in os.environ.items() if k not in (
        "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "STATICFILES_STORAGE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )}
    env.update({"DEBUG": "0", "SECRET_KEY": "k3y-" + "x7Q!pZ" * 10, "ALLOWED_HOSTS": "partner.example.com",
                "DJANGO_SETTINGS_MODULE": "partnercenter.settings"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
