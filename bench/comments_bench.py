"""Discussion benches (issue 25), run by `make bench` (bench/__main__.py, `--only comments`):

- a page of 20 comments of a proposal with 10,000 comments, against the floor view returning as many bytes
  (target: >= 40% of the floor's rate);
- a new comment (POST) reaching 200 readers of `ws/proposals/<id>/`, against the bare fan-out floor
  (target: p99 within 2x of the floor's).
"""

import functools
import json
import subprocess

THREAD_SIZE = 10_000

SEED = r"""
import json
from django.db.models import F
from aspirasi.models import Comment, Proposal, User
proposal = Proposal.objects.get(pk=%(pk)d)
have = Comment.objects.filter(proposal=proposal).count()
authors = list(User.objects.filter(role="resident", phone_verified_at__isnull=False).values_list("id", flat=True)[:200])
missing = max(0, %(size)d - have)
Comment.objects.bulk_create(
    [
        Comment(proposal=proposal, kelurahan_id=proposal.kelurahan_id, author_id=authors[i %% len(authors)],
                body=f"Komentar warga nomor {i}: jalannya perlu diperbaiki sebelum musim hujan.", author_role="resident")
        for i in range(missing)
    ],
    batch_size=2000,
)
Proposal.objects.filter(pk=proposal.pk).update(comment_count=Comment.objects.filter(proposal=proposal, state="visible").count())
print(json.dumps({"comments": Comment.objects.filter(proposal=proposal).count()}))
"""


def seed_thread(manage, env: dict, proposal_id: int) -> int:
    out = manage(env, "shell", "-c", SEED % {"pk": proposal_id, "size": THREAD_SIZE}, capture=True)
    return json.loads(out.strip().splitlines()[-1])["comments"]


def bench_comments_page(base: str, data: dict, args, *, measured, paired, summary, record) -> None:
    pid = data["published"][0]
    url = f"{base}/api/v1/proposals/{pid}/comments/?page_size=20"
    page = subprocess.run(["curl", "-s", url], capture_output=True).stdout
    assert json.loads(page)["results"], page[:200]
    floor_url = f"{base}/bench/floor/?bytes={len(page)}"
    runs = paired(
        [("comments", functools.partial(measured, url, args))],
        functools.partial(measured, floor_url, args),
        args.pairs,
    )
    record(
        "comments",
        f"page of 20 comments of a thread of {THREAD_SIZE} (target ratio >= 0.40)",
        **summary(runs["comments"], base="floor_rps"),
    )


def comment_fanout_paths(http_base: str, ws_base: str, data: dict, *, FanoutPath, client):
    """The floor path and the thread path for bench/__main__._fanout."""
    pid = data["published"][0]

    async def post_comment(marker):
        response = await client.post(
            f"{http_base}/api/v1/proposals/{pid}/comments/",
            headers={"Authorization": f"Bearer {data['storm_tokens'][2]}"},
            json={"body": marker},
        )
        assert response.status_code == 201, response.text

    async def post_floor(marker):
        response = await client.post(f"{http_base}/bench/floor/publish/", json={"title": marker})
        assert response.status_code == 204

    def comment_match(message, marker):
        return message.get("type") == "comment.created" and message["payload"].get("body") == marker

    def floor_match(message, marker):
        return message.get("title") == marker

    floor_path = FanoutPath(f"{ws_base}/ws/bench/floor/", data["resident_token"], post_floor, floor_match)
    thread_path = FanoutPath(f"{ws_base}/ws/proposals/{pid}/", data["resident_token"], post_comment, comment_match)
    return floor_path, thread_path
