--[[
  Decides, atomically, whether a channel's new alert gets a page of its own or folds into the
  channel's storm (features/storm/rules.ts `admission`), and records the answer, so a retried sync
  gets the same answer and a storm's counters always match its members. Every key of a channel's
  storms shares the hash tag {storm:<channel>} (one Cluster slot).

  Input:
    KEYS[1] the channel's storm hash: open (the open storm's seq, "" for none), seq (the last one's)
    KEYS[2] the channel's recent new alerts (sorted set, score: ms admitted)
    KEYS[3] the channel's admitted alerts (hash: alert id -> storm seq, or "page")
    KEYS[4] the candidate storm's hash (the open storm's, else the next seq's): counters and fields
    KEYS[5] the candidate storm's alerts (hash: alert id -> firing | acknowledged | resolved)

    ARGV[1] alert id
    ARGV[2] now (ms)
    ARGV[3] the rate window (ms)
    ARGV[4] the threshold: more new alerts than this within the window open a storm
    ARGV[5] the candidate seq KEYS[4] and KEYS[5] were built for
    ARGV[6] the alert's digest state (firing | acknowledged | resolved)
    ARGV[7] opened-at (ISO) of a storm this alert opens
    ARGV[8] the on-call user of a storm this alert opens ("" for none)
    ARGV[9] TTL (s) of the admitted-alerts hash

  Output:
    {kind, seq, opened}:
    "page", "", 0 - the alert gets its own page (now or, for a known alert, before)
    "fold", seq, opened - the alert is in storm seq; opened 1 when this alert opened it
    "retry", seq, 0 - the candidate changed since read: build the keys for seq and call again
]]
local alert = ARGV[1]
local known = redis.call('HGET', KEYS[3], alert)
if known then
  if known == 'page' then return {'page', '', 0} end
  return {'fold', known, 0}
end

local open = redis.call('HGET', KEYS[1], 'open') or ''
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local candidate = open
if candidate == '' then candidate = tostring(seq + 1) end
if candidate ~= ARGV[5] then return {'retry', candidate, 0} end

local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('ZADD', KEYS[2], now, alert)
redis.call('PEXPIRE', KEYS[2], window * 2)
local recent = redis.call('ZCARD', KEYS[2])

local opened = 0
if open == '' then
  if recent <= tonumber(ARGV[4]) then
    redis.call('HSET', KEYS[3], alert, 'page')
    redis.call('EXPIRE', KEYS[3], tonumber(ARGV[9]))
    return {'page', '', 0}
  end
  redis.call('HSET', KEYS[1], 'open', candidate, 'seq', candidate)
  redis.call('HSET', KEYS[4], 'seq', candidate, 'openedAt', ARGV[7], 'oncall', ARGV[8],
    'alerts', 0, 'firing', 0, 'acknowledged', 0, 'resolved', 0, 'closed', 0)
  opened = 1
end

local state = ARGV[6]
redis.call('HSET', KEYS[3], alert, candidate)
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[9]))
redis.call('HSET', KEYS[5], alert, state)
redis.call('HINCRBY', KEYS[4], 'alerts', 1)
redis.call('HINCRBY', KEYS[4], state, 1)
return {'fold', candidate, opened}
