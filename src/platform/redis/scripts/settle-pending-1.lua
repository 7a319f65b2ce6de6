--[[
  Takes a member off a "pending" sorted set (score: the version it is pending at) once the work for
  that version is done, unless a newer version was recorded meanwhile: a change stored while the
  work was being checked keeps its member, so it is looked at again.

  Input:
    KEYS[1] the sorted set

    ARGV[1] the member
    ARGV[2] the version the work is done for (a number)

  Output:
    1 - removed (it was pending at that version or an older one)
    0 - left (absent, or pending at a newer version)
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
