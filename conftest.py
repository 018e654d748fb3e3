"""Repository-wide pytest set-up: the tests' own RabbitMQ virtual host exists before any test runs."""

# Import the real `gateway` package first: pytest's importlib mode would otherwise register the `gateway/` folder
# (which holds gateway/tests/conftest.py) as an empty namespace module of the same name.
import gateway  # noqa: F401
from abono.testing import ensure_test_vhost


def pytest_sessionstart() -> None:
    ensure_test_vhost()
