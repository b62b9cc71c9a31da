-- Schema version 1 of a `wpe fleet` mirror. Never edit it once shipped:
-- a change is a new migration (store.rs, MIGRATIONS).

-- One row per sync that was written whole.
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    -- When the sync started reading and when it was written (RFC 3339, UTC).
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    -- The API it read.
    api_url TEXT NOT NULL,
    -- The account IDs it covered (a JSON list), or NULL for every account.
    accounts TEXT CHECK (accounts IS NULL OR json_valid(accounts)),
    -- The lists it could not read (a JSON list of {kind, account_id,
    -- install_id, reason}); their records were kept as they were.
    unread TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(unread)),
    -- How many requests its reads took, and the wpe that wrote it.
    requests INTEGER NOT NULL DEFAULT 0,
    wpe_version TEXT NOT NULL
);

-- One row per version of a record: current from `appeared` until
-- `disappeared` (NULL while current).
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    account_id TEXT,
    install_id TEXT,
    -- The API's JSON of the record, keys sorted.
    body TEXT NOT NULL CHECK (json_valid(body)),
    appeared INTEGER NOT NULL REFERENCES snapshots (id),
    disappeared INTEGER REFERENCES snapshots (id),
    CHECK (disappeared IS NULL OR disappeared > appeared)
);

-- At most one current version of a record.
CREATE UNIQUE INDEX records_current ON records (kind, key) WHERE disappeared IS NULL;
-- The versions of a record, and what a snapshot changed.
CREATE INDEX records_key ON records (kind, key, appeared);
CREATE INDEX records_appeared ON records (appeared);
CREATE INDEX records_disappeared ON records (disappeared) WHERE disappeared IS NOT NULL;
CREATE INDEX records_install ON records (install_id, kind) WHERE disappeared IS NULL;

-- Every version with the times of the snapshots it appeared and
-- disappeared in: the fleet as it was at time T is every row with
-- appeared_at <= T and (disappeared_at IS NULL or disappeared_at > T).
CREATE VIEW versions AS
SELECT r.id, r.kind, r.key, r.account_id, r.install_id, r.body,
       r.appeared, a.finished_at AS appeared_at,
       r.disappeared, d.finished_at AS disappeared_at
  FROM records r
  JOIN snapshots a ON a.id = r.appeared
  LEFT JOIN snapshots d ON d.id = r.disappeared;

-- The current version of every record.
CREATE VIEW current_records AS
SELECT id, kind, key, account_id, install_id, body, appeared
  FROM records WHERE disappeared IS NULL;

CREATE VIEW accounts AS
SELECT key AS id,
       body ->> '$.name' AS name,
       body ->> '$.nickname' AS nickname,
       body
  FROM current_records WHERE kind = 'account';

CREATE VIEW account_users AS
SELECT account_id,
       body ->> '$.user_id' AS user_id,
       body ->> '$.email' AS email,
       body ->> '$.first_name' AS first_name,
       body ->> '$.last_name' AS last_name,
       body ->> '$.roles' AS roles,
       body ->> '$.mfa_enabled' AS mfa_enabled,
       body ->> '$.invite_accepted' AS invite_accepted,
       body -> '$.installs' AS installs,
       body
  FROM current_records WHERE kind = 'account_user';

CREATE VIEW sites AS
SELECT key AS id,
       body ->> '$.name' AS name,
       account_id,
       body ->> '$.group_name' AS group_name,
       body ->> '$.sandbox' AS sandbox,
       body
  FROM current_records WHERE kind = 'site';

CREATE VIEW installs AS
SELECT key AS id,
       body ->> '$.name' AS name,
       account_id,
       body ->> '$.site.id' AS site_id,
       body ->> '$.environment' AS environment,
       body ->> '$.status' AS status,
       body ->> '$.php_version' AS php_version,
       body ->> '$.primary_domain' AS primary_domain,
       body ->> '$.cname' AS cname,
       body ->> '$.is_multisite' AS is_multisite,
       body
  FROM current_records WHERE kind = 'install';

-- The live API names a domain's redirect `redirect_to` (an object), the
-- document `redirects_to` (a list): `redirect_to_id` reads either.
CREATE VIEW domains AS
SELECT body ->> '$.id' AS id,
       install_id,
       account_id,
       body ->> '$.name' AS name,
       body ->> '$.primary' AS "primary",
       body ->> '$.duplicate' AS duplicate,
       coalesce(body ->> '$.redirect_to.id', body ->> '$.redirects_to[0].id') AS redirect_to_id,
       coalesce(body ->> '$.redirect_to.name', body ->> '$.redirects_to[0].name') AS redirect_to,
       body ->> '$.ownership_status' AS ownership_status,
       body ->> '$.network_type' AS network_type,
       body ->> '$.network_details.network_info.status' AS network_status,
       body ->> '$.network_details.network_info.ssl.status' AS ssl_status,
       body -> '$.network_details.dns_config_info' AS dns,
       body
  FROM current_records WHERE kind = 'domain';

CREATE VIEW certificates AS
SELECT body ->> '$.id' AS id,
       install_id,
       account_id,
       body ->> '$.common_name' AS common_name,
       body ->> '$.status' AS status,
       body ->> '$.expires_time' AS expires_time,
       body ->> '$.auto_renew' AS auto_renew,
       body ->> '$.wildcard' AS wildcard,
       body -> '$.domains' AS domains,
       body
  FROM current_records WHERE kind = 'certificate';

CREATE VIEW backups AS
SELECT body ->> '$.id' AS id,
       install_id,
       account_id,
       body ->> '$.status' AS status,
       body ->> '$.description' AS description,
       body ->> '$.create_time' AS create_time,
       body ->> '$.complete_time' AS complete_time,
       body
  FROM current_records WHERE kind = 'backup';

CREATE VIEW ssh_keys AS
SELECT key AS uuid,
       body ->> '$.fingerprint' AS fingerprint,
       body ->> '$.comment' AS comment,
       body ->> '$.created_at' AS created_at,
       body
  FROM current_records WHERE kind = 'ssh_key';

CREATE VIEW sftp_users AS
SELECT install_id,
       account_id,
       body ->> '$.name' AS name,
       body ->> '$.path' AS path,
       body
  FROM current_records WHERE kind = 'sftp_user';

CREATE VIEW cache_exclusions AS
SELECT install_id, account_id, body
  FROM current_records WHERE kind = 'cache_exclusions';

CREATE VIEW offload_settings AS
SELECT install_id, account_id, body
  FROM current_records WHERE kind = 'offload_settings';

CREATE VIEW usage_summaries AS
SELECT account_id,
       substr(key, length(account_id) + 2) AS month,
       body
  FROM current_records WHERE kind = 'usage_summary';

-- Who and what can reach each install: the users of its account (a
-- `partial` user, whichever of its roles says so, only the installs the
-- user lists), the API user's SSH keys (every install), and the install's
-- SFTP users.
CREATE VIEW access AS
SELECT i.account_id, i.id AS install_id, i.name AS install,
       'account_user' AS via, u.email AS who, u.roles AS role,
       u.account_id || '/' || u.user_id AS subject
  FROM installs i
  JOIN account_users u ON u.account_id = i.account_id
 WHERE instr(',' || replace(coalesce(u.roles, ''), ' ', '') || ',', ',partial,') = 0
    OR EXISTS (SELECT 1 FROM json_each(u.installs) j WHERE j.value ->> '$.id' = i.id)
UNION ALL
SELECT i.account_id, i.id, i.name,
       'ssh_key', coalesce(k.comment, k.fingerprint), 'ssh key ' || coalesce(k.fingerprint, ''),
       k.uuid
  FROM installs i CROSS JOIN ssh_keys k
UNION ALL
SELECT s.account_id, s.install_id, i.name,
       'sftp_user', s.name, 'sftp ' || coalesce(s.path, '/'),
       s.install_id || '/' || s.name
  FROM sftp_users s JOIN installs i ON i.id = s.install_id;
