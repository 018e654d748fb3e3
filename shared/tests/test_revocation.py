"""Issue 11 item 5: the revocation list a replica reloads from its service's table (what a replica that did not
consume the event, or one that starts later, knows), and its rules."""

import time
import uuid
from datetime import UTC, datetime, timedelta

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.revocation import RevocationList, record
from abono.testing import migrated_database


def test_i11_a_closed_account_refuses_every_token_a_password_change_only_older_ones():
    revocations, closed, changed, other = RevocationList(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = time.time()
    revocations.revoke(closed, float("inf"))
    revocations.revoke(changed, now)
    revocations.revoke(changed, now - 100)  # an older change never brings old tokens back
    assert revocations.refuses(closed, now + 3600) and revocations.is_closed(closed)
    assert revocations.refuses(changed, now - 0.001) and not revocations.refuses(changed, now + 0.001)
    assert not revocations.refuses(other, 0) and not revocations.is_closed(changed)


async def test_i11_another_replica_learns_revocations_from_the_table():
    url = await migrated_database("affiliate-svc", "abono_test_revocation")
    engine = make_engine(url, pool_size=1)
    try:
        closed, changed = uuid.uuid4(), uuid.uuid4()
        ended = datetime.now(UTC)
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await record(session, closed, closed=True, tokens_before=None)
            await record(session, changed, closed=False, tokens_before=ended)
            # Replayed or out of order: closed stays closed, the instant only moves forward.
            await record(session, closed, closed=False, tokens_before=ended)
            await record(session, changed, closed=False, tokens_before=ended - timedelta(hours=1))
        starting = RevocationList()
        await starting.reload(engine)
        assert starting.is_closed(closed)
        assert starting.refuses(changed, ended.timestamp() - 1) and not starting.refuses(changed, ended.timestamp() + 1)

        later = uuid.uuid4()
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await record(session, later, closed=True, tokens_before=None)
        await starting.reload(engine)  # only what changed since the last reload, still found
        assert starting.is_closed(later)
    finally:
        await engine.dispose()
