--[[
  Commits one version of an incident, compare-and-set, and with it (when given) one version of its
  postmortem, so the two change together or not at all. Keeps the open set in step.

  Input:
    KEYS[1] incident hash (fields 'v': version, 'doc': the incident's JSON)
    KEYS[2] open incidents (set)
    KEYS[3] the incident's postmortem hash (fields 'v', 'doc'); unused without ARGV[6..8]

    ARGV[1] the incident version read
    ARGV[2] the new incident version
    ARGV[3] the new incident document (JSON)
    ARGV[4] the incident id
    ARGV[5] '1' when the incident is open, '0' when it is not
    ARGV[6] optional: the postmortem version read ('0' for none yet)
    ARGV[7] optional: the new postmortem version
    ARGV[8] optional: the new postmortem document (JSON)

  Output:
    1 - committed
    0 - the incident (or the postmortem) changed since it was read; nothing written
]]
local rcall = redis.call

local v = rcall('HGET', KEYS[1], 'v')
if not v or v ~= ARGV[1] then return 0 end
if ARGV[6] then
  local pv = rcall('HGET', KEYS[3], 'v') or '0'
  if pv ~= ARGV[6] then return 0 end
  rcall('HSET', KEYS[3], 'v', ARGV[7], 'doc', ARGV[8])
end
rcall('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
if ARGV[5] == '1' then rcall('SADD', KEYS[2], ARGV[4]) else rcall('SREM', KEYS[2], ARGV[4]) end
return 1
