"""Local development: DEBUG on, a throwaway secret, any local host."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
PERSONAL_DATA_KEY = os.environ.get("PERSONAL_DATA_KEY", "dev-only-personal-data-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")  # noqa: F405

# Browser tests type "PASSED" into the captcha; only dev and test settings honour this switch.
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE")  # noqa: F405
