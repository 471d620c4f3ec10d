"""PostgreSQL: the vote function checks the voter and the cycle's phase itself (aspirasi/services/votes.py).

The vote no longer reads its caller in a statement of its own: the function locks the voter's row, refuses a
user who is gone, inactive or not a resident, then the phase (the current cycle's id and whether its phase
allows voting arrive as scalar subqueries that aspirasi/services/cycles.py generates from the phase rules).
The rest is 0008's, unchanged. The resident role, statuses and the budget come as parameters.
"""

import importlib

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION aspirasi_vote(
    p_proposal bigint, p_voter bigint, p_cast boolean, p_cycle bigint, p_phase_allows boolean,
    p_budget integer, p_published text, p_public text[], p_tally_shard text, p_resident text,
    OUT outcome text, OUT vote_count integer, OUT open_votes integer,
    OUT author_id bigint, OUT title text
) LANGUAGE plpgsql AS $$
DECLARE
    voter record;
    proposal record;
    uses_budget integer;
BEGIN
    -- Serializes this voter's votes. Each statement below reads a snapshot taken after the lock.
    SELECT u.role, u.is_active INTO voter FROM aspirasi_user u WHERE u.id = p_voter FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'no_user';
        RETURN;
    ELSIF NOT voter.is_active THEN
        outcome := 'inactive';
        RETURN;
    ELSIF voter.role <> p_resident THEN
        outcome := 'not_resident';
        RETURN;
    ELSIF p_cycle IS NOT NULL AND NOT p_phase_allows THEN
        outcome := 'phase_closed';
        RETURN;
    END IF;
    SELECT q.status, q.is_hidden, q.author_id, q.title, q.cycle_id, q.vote_count
      INTO proposal FROM aspirasi_proposal q WHERE q.id = p_proposal;
    IF NOT FOUND OR NOT ((proposal.status = ANY (p_public) AND NOT proposal.is_hidden)
                         OR proposal.author_id = p_voter) THEN
        outcome := 'not_found';
        RETURN;
    END IF;
    author_id := proposal.author_id;
    title := proposal.title;
    vote_count := proposal.vote_count;
    SELECT count(*) INTO open_votes FROM aspirasi_vote v JOIN aspirasi_proposal q ON q.id = v.proposal_id
     WHERE v.voter_id = p_voter AND q.status = p_published AND (p_cycle IS NULL OR q.cycle_id = p_cycle);
    uses_budget := CASE WHEN p_cycle IS NULL OR proposal.cycle_id = p_cycle THEN 1 ELSE 0 END;
    IF EXISTS (SELECT 1 FROM aspirasi_vote v WHERE v.proposal_id = p_proposal AND v.voter_id = p_voter) = p_cast THEN
        outcome := 'unchanged';  -- a repeated cast, or a withdrawal with no vote
    ELSIF p_cast THEN
        IF proposal.status <> p_published OR proposal.is_hidden THEN
            outcome := 'closed';
        ELSIF open_votes >= p_budget THEN
            outcome := 'budget';
        ELSE
            -- Conditional: closed or hidden meanwhile (a moderator holding the row) counts nothing.
            UPDATE aspirasi_proposal q SET vote_count = q.vote_count + 1
             WHERE q.id = p_proposal AND q.status = p_published AND NOT q.is_hidden
             RETURNING q.vote_count INTO vote_count;
            IF NOT FOUND THEN
                outcome := 'closed';
                vote_count := proposal.vote_count;
                RETURN;
            END IF;
            INSERT INTO aspirasi_vote (proposal_id, voter_id, created_at) VALUES (p_proposal, p_voter, now())
                ON CONFLICT (proposal_id, voter_id) DO NOTHING;
            IF NOT FOUND THEN
                -- The constraint is the last word on "once" (a merge moved this voter's vote here).
                UPDATE aspirasi_proposal q SET vote_count = q.vote_count - 1 WHERE q.id = p_proposal
                 RETURNING q.vote_count INTO vote_count;
                outcome := 'unchanged';
                open_votes := open_votes + uses_budget;
                RETURN;
            END IF;
            outcome := 'cast';
            open_votes := open_votes + uses_budget;
            -- The list's tallies version (aspirasi/public_list.py), last: its row is held only until commit.
            INSERT INTO aspirasi_listversion (name, value) VALUES (p_tally_shard, 1)
                ON CONFLICT (name) DO UPDATE SET value = aspirasi_listversion.value + 1;
        END IF;
    ELSIF proposal.status <> p_published THEN
        outcome := 'closed';
    ELSE
        DELETE FROM aspirasi_vote v WHERE v.proposal_id = p_proposal AND v.voter_id = p_voter;
        IF NOT FOUND THEN  -- the voter's lock keeps their vote: only deleting the proposal takes it
            outcome := 'not_found';
            RETURN;
        END IF;
        UPDATE aspirasi_proposal q SET vote_count = q.vote_count - 1 WHERE q.id = p_proposal
         RETURNING q.vote_count INTO vote_count;
        outcome := 'withdrawn';
        open_votes := open_votes - uses_budget;
        INSERT INTO aspirasi_listversion (name, value) VALUES (p_tally_shard, 1)
            ON CONFLICT (name) DO UPDATE SET value = aspirasi_listversion.value + 1;
    END IF;
END;
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS aspirasi_vote(bigint, bigint, boolean, bigint, boolean, integer, text, text[], text, text)"
)

_0008 = importlib.import_module("aspirasi.migrations.0008_vote_function")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0008.DROP)
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(_0008.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0010_tallies_in_the_vote_transaction"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
