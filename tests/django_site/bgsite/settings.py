"""Settings of the test site: SQLite and the bgsearch index in the directory BGSEARCH_DJANGO_TMP."""

import os
from pathlib import Path

TMP = Path(os.environ["BGSEARCH_DJANGO_TMP"])

SECRET_KEY = "bgsearch-tests-only"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Europe/Sofia"
LANGUAGE_CODE = "bg"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = ["haystack", "news"]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(TMP / "db.sqlite3")}}

TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "bgsearch.contrib.haystack.BgsearchEngine",
        "PATH": str(TMP / "search_index"),
        "SILENTLY_FAIL": False,  # a test sees every error
        "DURABLE": False,  # no fsync per commit: faster tests
    },
}
