"""Repository-wide pytest set-up: the tests' own RabbitMQ virtual host exists before any test runs."""

from abono.testing import ensure_test_vhost


def pytest_sessionstart() -> None:
    ensure_test_vhost()
