"""D-1: availability from the registrar, cached briefly (per replica) so a client typing does not hammer it."""

import time

from provisioning.domains.names import label_of
from provisioning.domains.schemas import SearchAnswer, SearchResult
from provisioning.registrars.base import Availability, Registrar, RegistrarError


class AvailabilityCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Availability]] = {}

    def get(self, name: str) -> Availability | None:
        entry = self._entries.get(name)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put(self, name: str, availability: Availability) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[name] = (time.monotonic(), availability)


def _result(name: str, availability: Availability) -> SearchResult:
    tld = name.partition(".")[2]
    return SearchResult(name=name, tld=tld,
                        available=None if availability is Availability.UNKNOWN else
                        availability is Availability.AVAILABLE)


async def search(registrar: Registrar, cache: AvailabilityCache, *, query: str, tlds: list[str],
                 suggestions: int) -> SearchAnswer:
    """Availability of the searched name under each TLD, plus available suggestions."""
    label = label_of(query)
    if not label:
        raise ValueError("type a name of letters, digits and hyphens")
    names = {tld: f"{label}.{tld}" for tld in tlds}
    found = {name: a for name in names.values() if (a := cache.get(name)) is not None}
    missing = [tld for tld, name in names.items() if name not in found]
    if missing:
        for name, availability in (await registrar.check(label, missing)).items():
            cache.put(name, availability)
            found[name] = availability
    extra: list[SearchResult] = []
    if suggestions:
        try:
            for s in await registrar.suggest(label, tlds, suggestions + len(tlds)):
                if s.name not in found:
                    extra.append(_result(s.name, s.availability))
        except RegistrarError:
            extra = []  # suggestions are a nicety: the search still answers
    return SearchAnswer(query=label, results=[_result(n, found.get(n, Availability.UNKNOWN)) for n in names.values()],
                        suggestions=extra[:suggestions])
