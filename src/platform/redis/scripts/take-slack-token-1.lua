--[[
  Takes one token from a Slack pacing bucket (a token bucket shared by every replica), or says how
  long to wait for one. Time is Redis' own clock, so replicas with skewed clocks share one pace.

  A bucket refills continuously at ARGV[2] tokens per second up to ARGV[1]. A call of lower priority
  leaves ARGV[3] tokens behind for more urgent ones: it only takes when more than that is left.
  A 429 that got through anyway blocks the bucket until Slack's Retry-After (ARGV[4] > 0 sets it).

  Input:
    KEYS[1] the bucket (hash: tokens, at = ms of the last refill, blocked = ms it is blocked until)

    ARGV[1] capacity (tokens; the burst)
    ARGV[2] refill, tokens per second
    ARGV[3] reserve: tokens this call must leave behind (0 for the most urgent calls)
    ARGV[4] block for this many ms instead of taking (a 429's Retry-After); 0 to take

  Output:
    0       - a token was taken (or the bucket was blocked, when ARGV[4] > 0)
    n > 0   - none taken; try again in n ms
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local reserve = tonumber(ARGV[3])
local blockMs = tonumber(ARGV[4])
-- Idle buckets are full again after this long: no need to keep them.
local ttl = math.ceil(capacity / rate) + 60000

local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'blocked')
local tokens = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
local blocked = tonumber(b[3]) or 0

if blockMs > 0 then
  local untilMs = now + blockMs
  if untilMs > blocked then blocked = untilMs end
  -- Slack said no: whatever the bucket believed, it has nothing left.
  redis.call('HSET', KEYS[1], 'tokens', '0', 'at', tostring(now), 'blocked', tostring(blocked))
  redis.call('PEXPIRE', KEYS[1], ttl + blockMs)
  return 0
end

if blocked > now then return blocked - now end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate)
  at = now
end

local need = 1 + reserve
if tokens >= need then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(at))
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ttl)
return math.max(1, math.ceil((need - tokens) / rate))
