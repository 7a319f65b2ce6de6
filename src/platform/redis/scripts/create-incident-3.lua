--[[
  Stores a newly declared incident at version 1 and indexes it, unless it exists already (an
  earlier attempt of the same declaration stored it).

  Input:
    KEYS[1] incident hash (fields 'v': version, 'doc': the incident's JSON)
    KEYS[2] incidents by declaration time (sorted set)
    KEYS[3] open incidents (set)

    ARGV[1] the document (JSON)
    ARGV[2] declaration time, ms since the epoch
    ARGV[3] the incident id
    ARGV[4] '1' when the incident is open, '0' when it is not

  Output:
    1 - created
    0 - the incident exists already; nothing written
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', '1', 'doc', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[3]) end
return 1
