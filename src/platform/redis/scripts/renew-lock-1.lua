--[[
  Extends a lock's time to live, but only for its holder.

  Input:
    KEYS[1] the lock

    ARGV[1] the holder's token
    ARGV[2] the new time to live, ms

  Output:
    1 - renewed
    0 - not held with this token (expired, or someone else's now)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
