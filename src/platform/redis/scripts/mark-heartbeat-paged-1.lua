--[[
  Records that a heartbeat outage's page is stored, unless a ping ended the outage meanwhile (the
  checker then resolves the page it has just opened).

  Input:
    KEYS[1] the heartbeat's hash (see claim-heartbeat-miss-1.lua)

    ARGV[1] the outage the checker claimed

  Output:
    1 - recorded: the outage is still on
    0 - the outage is over (or another one replaced it)
]]
if redis.call('HGET', KEYS[1], 'outage') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'paged', '1')
return 1
