"""S-5 ideas board: clients post ideas and vote once each; the fourth vote approves an idea and tells its voters
once; staff mark it planned and shipped, and its voters are told it shipped, once."""

import uuid

from support_testkit import Served, auth, staff


async def test_s5_the_fourth_vote_approves_an_idea_and_its_voters_are_told_once(served: Served) -> None:
    author = uuid.uuid4()
    voters = [uuid.uuid4() for _ in range(5)]
    async with served.http() as http:
        posted = await http.post("/ideas", headers=auth(author), json={"title": "Backups diarios descargables"})
        assert posted.status_code == 201, posted.text
        idea = posted.json()
        assert (idea["status"], idea["votes"], idea["mine"]) == ("open", 0, True)
        assert (await http.post("/ideas", headers=staff(), json={"title": "x" * 5})).status_code == 403
        for n, voter in enumerate(voters[:3], start=1):
            voted = (await http.post(f"/ideas/{idea['id']}/vote", headers=auth(voter))).json()
            assert (voted["votes"], voted["status"], voted["voted"]) == (n, "open", True)
        again = await http.post(f"/ideas/{idea['id']}/vote", headers=auth(voters[0]))
        assert again.status_code == 409  # once per client
        assert await served.outbox("support.idea.voter_told", idea_id=idea["id"]) == []
        fourth = (await http.post(f"/ideas/{idea['id']}/vote", headers=auth(voters[3]))).json()
        assert (fourth["votes"], fourth["status"]) == (4, "approved")
        fifth = (await http.post(f"/ideas/{idea['id']}/vote", headers=auth(voters[4]))).json()
        assert (fifth["votes"], fifth["status"]) == (5, "approved")
        approved = await served.outbox("support.idea.voter_told", idea_id=idea["id"], status="approved")
        assert sorted(e["client_id"] for e in approved) == sorted(str(v) for v in voters[:4])
        # Staff plan it, then ship it: every voter (the fifth too) is told it shipped, once.
        assert (
            await http.post(f"/ideas/{idea['id']}/status", headers=auth(author), json={"status": "planned"})
        ).status_code == 403
        planned = await http.post(f"/ideas/{idea['id']}/status", headers=staff(), json={"status": "planned"})
        assert planned.json()["status"] == "planned"
        for _ in range(2):
            shipped = await http.post(f"/ideas/{idea['id']}/status", headers=staff(), json={"status": "shipped"})
            assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
        back = await http.post(f"/ideas/{idea['id']}/status", headers=staff(), json={"status": "planned"})
        assert back.status_code == 409
        listed = (await http.get("/ideas", params={"status": "shipped"}, headers=auth(voters[0]))).json()
        assert [(i["id"], i["voted"]) for i in listed if i["id"] == idea["id"]] == [(idea["id"], True)]
    shipped_told = await served.outbox("support.idea.voter_told", idea_id=idea["id"], status="shipped")
    assert sorted(e["client_id"] for e in shipped_told) == sorted(str(v) for v in voters)
    assert len(await served.outbox("support.idea.voter_told", idea_id=idea["id"])) == 4 + 5
