--[[
  Commits one version of an alert, compare-and-set, with everything that must change with it:
    - checks that the group still points at the occurrence the caller read (unless ARGV[1] is '*')
      and that the alert is still at the version the caller read;
    - stores the new version and document;
    - moves the group pointer to this occurrence (a newly opened one), which then lives until
      this occurrence expires;
    - adds the alert to, or removes it from, the open sets of its rotation and team, and the index
      by creation time (which so holds the open alerts; the reports read resolved ones from the
      digests);
    - appends the transition's timeline events;
    - when the alert is not open (resolved): sets the retention period on the alert, its timeline,
      its Slack bookkeeping (delivery and sent-messages hashes, created if missing so that writes
      after the resolve keep the expiry) and, if this is the group's newest occurrence, the group
      pointer; and stores the alert's report digest in its creation day's hash (kept longer).
  Nothing is written when a check fails: the caller re-reads and re-applies its pure transition.

  Input:
    KEYS[1] group hash (field 'latest': the group's newest occurrence number)
    KEYS[2] alert hash (fields 'v': version, 'doc': the alert's JSON)
    KEYS[3] alert timeline list
    KEYS[4] open alerts of the alert's rotation (set)
    KEYS[5] open alerts of the alert's team (set)
    KEYS[6] open alerts by creation time (sorted set)
    KEYS[7] the alert's delivery hash (where its page is)
    KEYS[8] the alert's sent-messages hash
    KEYS[9] report digests of the alerts created on the alert's day (hash: alert id -> digest)

    ARGV[1] the occurrence the group pointed at when read ('' for none), or '*': do not check or
            move the group pointer (a transition of an existing alert)
    ARGV[2] the alert version read ('0' for an alert not stored yet)
    ARGV[3] the new version
    ARGV[4] the new document (JSON)
    ARGV[5] the alert's occurrence number (the group's new 'latest')
    ARGV[6] '1' when the alert is open, '0' when it is not
    ARGV[7] creation time, ms since the epoch
    ARGV[8] the alert id
    ARGV[9] retention of a resolved alert, seconds ('0': keep forever)
    ARGV[10] the report digest ('' for none: the alert is open, or its day is past keeping)
    ARGV[11] seconds the day's digests live from now (with ARGV[10])
    ARGV[12..n] timeline events to append (JSON each)

  Output:
    1 - committed
    0 - the group or the alert changed since it was read; nothing written
]]
local rcall = redis.call

local latest = rcall('HGET', KEYS[1], 'latest') or ''
if ARGV[1] ~= '*' and latest ~= ARGV[1] then return 0 end
local v = rcall('HGET', KEYS[2], 'v') or '0'
if v ~= ARGV[2] then return 0 end

rcall('HSET', KEYS[2], 'v', ARGV[3], 'doc', ARGV[4])
if ARGV[1] ~= '*' then
  rcall('HSET', KEYS[1], 'latest', ARGV[5])
  latest = ARGV[5]
  -- A new occurrence: the group lives as long as it does.
  rcall('PERSIST', KEYS[1])
end
if ARGV[6] == '1' then
  rcall('SADD', KEYS[4], ARGV[8])
  rcall('SADD', KEYS[5], ARGV[8])
  rcall('ZADD', KEYS[6], ARGV[7], ARGV[8])
else
  rcall('SREM', KEYS[4], ARGV[8])
  rcall('SREM', KEYS[5], ARGV[8])
  rcall('ZREM', KEYS[6], ARGV[8])
end
for i = 12, #ARGV do rcall('RPUSH', KEYS[3], ARGV[i]) end

if ARGV[6] == '0' then
  local ttl = tonumber(ARGV[9])
  if ttl > 0 then
    rcall('HSETNX', KEYS[7], 'retention', ARGV[9])
    rcall('HSETNX', KEYS[8], 'retention', ARGV[9])
    rcall('EXPIRE', KEYS[2], ttl)
    rcall('EXPIRE', KEYS[3], ttl)
    rcall('EXPIRE', KEYS[7], ttl)
    rcall('EXPIRE', KEYS[8], ttl)
    if latest == ARGV[5] then rcall('EXPIRE', KEYS[1], ttl) end
  end
  if ARGV[10] ~= '' then
    rcall('HSET', KEYS[9], ARGV[8], ARGV[10])
    rcall('EXPIRE', KEYS[9], ARGV[11])
  end
end
return 1
