--[[
  Moves one alert of a storm, atomically with the storm's counters: to another digest state
  (ARGV[2] "state"), or out of the storm to a page of its own (ARGV[2] "leave"). Either can close
  the storm: once every alert left in it has resolved it is closed for good, the channel has no
  open storm, and its recent new alerts are forgotten, so the next one gets its own page. Every
  key shares the channel's hash tag {storm:<channel>} (see admit-storm-alert-5.lua).

  Input:
    KEYS[1] the storm's hash (counters, closed, closedAt)
    KEYS[2] the storm's alerts (hash: alert id -> state)
    KEYS[3] the channel's admitted alerts (hash: alert id -> storm seq, or "page")
    KEYS[4] the channel's storm hash (open, seq)
    KEYS[5] the channel's recent new alerts (sorted set)

    ARGV[1] alert id
    ARGV[2] "state" | "leave"
    ARGV[3] the new state (for "state")
    ARGV[4] the storm's seq
    ARGV[5] now (ISO): the closing time

  Output:
    {changed, closedNow, closed}, 1 or 0 each:
    changed - 0 when the alert is not in the storm or already in that state
    closedNow - this call closed the storm
    closed - the storm is closed
]]
local alert = ARGV[1]
local old = redis.call('HGET', KEYS[2], alert)
local changed = 0
if old then
  if ARGV[2] == 'leave' then
    redis.call('HDEL', KEYS[2], alert)
    redis.call('HINCRBY', KEYS[1], 'alerts', -1)
    redis.call('HINCRBY', KEYS[1], old, -1)
    redis.call('HSET', KEYS[3], alert, 'page')
    changed = 1
  elseif old ~= ARGV[3] then
    redis.call('HSET', KEYS[2], alert, ARGV[3])
    redis.call('HINCRBY', KEYS[1], old, -1)
    redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
    changed = 1
  end
end

if redis.call('HGET', KEYS[1], 'closed') == '1' then return {changed, 0, 1} end
local alerts = tonumber(redis.call('HGET', KEYS[1], 'alerts') or '0')
local resolved = tonumber(redis.call('HGET', KEYS[1], 'resolved') or '0')
if resolved == alerts then
  redis.call('HSET', KEYS[1], 'closed', 1, 'closedAt', ARGV[5])
  if redis.call('HGET', KEYS[4], 'open') == ARGV[4] then
    redis.call('HSET', KEYS[4], 'open', '')
    redis.call('DEL', KEYS[5])
  end
  return {changed, 1, 1}
end
return {changed, 0, 0}
