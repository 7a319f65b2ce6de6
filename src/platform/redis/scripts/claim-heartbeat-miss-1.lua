--[[
  Claims the outage of a missed heartbeat, so that however many checkers (replicas, a restarted
  bot) find the same miss, one outage gets one page. An outage is named by the last ping it came
  after ("none" when there never was one); a ping that arrived after the checker read the state
  makes its claim stale, so a slow checker cannot page for a miss that has just ended.

  Input:
    KEYS[1] the heartbeat's hash (fields: last = last ping ms, outage = the claimed outage,
            paged = "1" once its page is stored)

    ARGV[1] the last ping the checker saw, ms; "" for none

  Output:
    "new"     - claimed now: this checker pages
    "claimed" - claimed before but its page was never stored (a checker died): page again
    "paged"   - this outage has its page already
    "stale"   - a ping arrived since the checker looked: no miss
]]
local rcall = redis.call

local last = rcall('HGET', KEYS[1], 'last') or ''
if last ~= ARGV[1] then return 'stale' end
local outage = ARGV[1] == '' and 'none' or ARGV[1]
if rcall('HGET', KEYS[1], 'outage') == outage then
  if rcall('HGET', KEYS[1], 'paged') == '1' then return 'paged' end
  return 'claimed'
end
rcall('HSET', KEYS[1], 'outage', outage)
rcall('HDEL', KEYS[1], 'paged')
return 'new'
